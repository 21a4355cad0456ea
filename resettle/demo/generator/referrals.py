"""Referrals: probation, the prison team and the lead charity refer the people they work
with to partners' referral-only services, in every state, with realistic timings: urgent ones
answered within a day or two, routine ones within weeks, a few left overdue. Vale Haven's
move-on flats are filled to capacity with a waiting list behind them (the full service), and
some of the people a receiving organisation accepted are referred onwards from there (the
chain: `Referral.parent`). Probation's first referral to Millbrook Rovers' referral-only course
is left waiting for the coordinator's decision. Some people are signposted instead of referred,
with a follow-up of "did they go?".

Reads `result.leavers`, `result.organisations`, `result.services` and `result.staff`, and
`result.cases` if there are any (onward referrals come from people with an open case); writes
`result.referrals`. Accepted, in-progress and completed referrals get the receiving
organisation's working relationship, as accepting does in the application."""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import Role, User
from resettle.demo.generator import identity
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.directory.models import (
    Access,
    CustodyEligibility,
    EligibleGender,
    Service,
    ServiceStatus,
)
from resettle.people.models import Person, WorkingRelationship
from resettle.referrals.models import (
    DeclineReason,
    FollowUp,
    Referral,
    ReferralState,
    ReferralTransition,
    Signposting,
    Urgency,
)

S = ReferralState
# How the referrals end up, once each is sent; every state appears whatever the seed.
STATES = {
    S.SUBMITTED: 12.0,
    S.ACCEPTED: 12.0,
    S.IN_PROGRESS: 18.0,
    S.COMPLETED: 16.0,
    S.DECLINED: 12.0,
    S.WAITING_LIST: 6.0,
    S.WITHDRAWN: 6.0,
    S.CLOSED: 6.0,
    S.DRAFT: 4.0,
}
URGENCY = {Urgency.ROUTINE: 65.0, Urgency.SOON: 25.0, Urgency.URGENT: 10.0}
# Hours to the first response, by urgency (low, high).
RESPONSE_HOURS = {Urgency.URGENT: (2, 40), Urgency.SOON: (20, 300), Urgency.ROUTINE: (24, 600)}
DECLINES = {
    DeclineReason.NOT_ELIGIBLE: 20.0,
    DeclineReason.UNSUITABLE: 20.0,
    DeclineReason.PERSON_DECLINED: 20.0,
    DeclineReason.UNABLE_TO_CONTACT: 15.0,
    DeclineReason.DUPLICATE: 10.0,
    DeclineReason.OTHER: 15.0,
}
REASONS = {
    "sport": "Keen to get fit and meet people; played football before custody.",
    "accommodation": "Needs somewhere settled to live; currently sofa-surfing with a friend.",
    "education_employment": "Wants work in construction; has a CSCS card that has lapsed.",
    "health": "Struggling with low mood since release; not registered with a GP.",
    "drugs_alcohol": "Asked for support to stay off alcohol after a difficult month.",
    "finance_benefit_id": "No ID or bank account yet; Universal Credit claim stalled.",
    "children_families": "Wants to rebuild contact with their children, safely and at their pace.",
    "attitudes_behaviour": "Wants someone to talk things through with in the first months.",
    "mentoring": "Would value a mentor who has been through release themselves.",
}
OUTCOMES = (
    "Attended most sessions and now volunteers at the club on Saturdays.",
    "Moved into a tenancy of their own; support ended as planned.",
    "Completed the course and gained the level 1 award.",
    "Met their goals for the period; knows how to come back if needed.",
)
DETAILS = {
    DeclineReason.OTHER: "The session has moved to a venue the person cannot reach by bus.",
}
ENDS = {
    S.WITHDRAWN: ("Recalled to custody before the start date.", "Moved out of the area."),
    S.CLOSED: (
        "Three calls and two letters unanswered over four weeks.",
        "Did not attend the first three sessions and could not be reached.",
    ),
}
REFERRING = ("probation", "prison", "lead")
SIGNPOSTED_TO = (
    ("Millbrook food bank", "finance_benefit_id"),
    ("Vale Central GP surgery (new patient registration)", "health"),
    ("Citizens Advice North Vale", "finance_benefit_id"),
    ("North Vale recovery community café", "drugs_alcohol"),
)
MILLBROOK_COURSE = ("trust_millbrook", "Coaching qualification course")
FULL_SERVICE_NAME = "Move-on flats"


@contextmanager
def _keep_given_times(*models) -> Iterator[None]:
    """bulk_create stamps `created_at` with now; the demo's history needs the times it gives."""
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.rng = step.rng
        self.referrals: list[Referral] = []
        self.transitions: list[ReferralTransition] = []
        self.relationships: list[WorkingRelationship] = []
        self.signpostings: list[Signposting] = []
        self.org_by_pk = {o.pk: key for key, o in result.organisations.items()}
        self.open_pairs: set = set()
        self.referred_pairs: set = set()
        self.occupying: dict = defaultdict(int)
        # "Now" for the demo: the start of its reference day, so the same seed gives the same
        # data and nothing happens in the future.
        self.now = timezone.make_aware(datetime.combine(step.today, time(0)))
        for person_id, org_id in WorkingRelationship.objects.filter(
            ended_on__isnull=True
        ).values_list("person_id", "organisation_id"):
            self.open_pairs.add((person_id, org_id))

    def staff(self, org_key: str) -> list[User]:
        role = Role.CASEWORKER if org_key not in ("probation", "prison") else Role.REFERRER
        users = self.result.staff.get(f"{org_key}:{role}") or []
        if not users:
            users = self.result.staff.get(f"{org_key}:{Role.DELIVERY_COORDINATOR}") or []
        return users

    def at(self, day_offset: int, hour: int) -> datetime:
        day = self.step.today - timedelta(days=day_offset)
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.randint(0, 59))))

    def refer(
        self,
        person: Person,
        service: Service,
        org_key: str,
        state: str,
        *,
        parent: Referral | None = None,
        days_ago: int | None = None,
    ) -> Referral | None:
        if (person.pk, service.pk) in self.referred_pairs:
            return None
        # Referred as an adult: these are services for people leaving prison.
        adult = identity.adult_from(person)
        days_as_adult = (self.step.today - adult).days if adult else None
        if days_as_adult is not None and days_as_adult < 1:
            return None
        self.referred_pairs.add((person.pk, service.pk))
        rng = self.rng
        wanted, state = state, self._fit(service, state)
        referrer = rng.choice(self.staff(org_key)[:4] or [None])
        if referrer is None:
            return None
        receiver_key = self.org_by_pk[service.organisation_id]
        receivers = self.staff(receiver_key)
        handler = receivers[0] if receivers else referrer
        urgency = self.step.pick(URGENCY)
        pathway = (service.pathways or ["sport"])[0]
        if days_ago is None:
            days_ago = rng.randint(1, 330) if state != S.SUBMITTED else rng.randint(1, 40)
        if days_as_adult is not None:
            days_ago = min(days_ago, days_as_adult)
        created = self.at(days_ago, rng.randint(9, 16))
        referral = Referral(
            id=self.step.new_id(),
            person=person,
            service=service,
            referring_organisation=self.result.organisations[org_key],
            referred_by=referrer,
            parent=parent,
            state=state,
            reason=REASONS.get(pathway, REASONS["mentoring"]),
            pathway=pathway,
            urgency=urgency,
            shared_categories=[Category.RISK_SUITABILITY]
            if rng.random() < 0.7
            else [Category.RISK_SUITABILITY, Category.CONTACT],
            created_at=created,
        )
        if state == S.DECLINED and wanted != S.DECLINED:
            referral.decline_reason = DeclineReason.NO_CAPACITY
        steps = [("", S.DRAFT, created, referrer, org_key, "Created")]
        if state != S.DRAFT:
            submitted = created + timedelta(minutes=rng.randint(5, 120))
            referral.submitted_at = submitted
            steps.append((S.DRAFT, S.SUBMITTED, submitted, referrer, org_key, ""))
            low, high = RESPONSE_HOURS[urgency]
            responded = submitted + timedelta(hours=rng.randint(low, high))
            now = self.now
            if state == S.WITHDRAWN and rng.random() < 0.5:
                ended = min(submitted + timedelta(days=rng.randint(1, 20)), now)
                referral.ended_at = ended
                referral.end_reason = rng.choice(ENDS[S.WITHDRAWN])
                steps.append((S.SUBMITTED, S.WITHDRAWN, ended, referrer, org_key, ""))
            elif state != S.SUBMITTED:
                responded = min(responded, now - timedelta(hours=1))
                referral.first_response_at = responded
                referral.handled_by = handler
                self._decide(
                    referral, state, responded, steps, handler, receiver_key, referrer, org_key
                )
        steps = self._in_order(referral, steps)
        referral.version = len(steps)
        self.referrals.append(referral)
        for index, (old, new, at, by, by_org, note) in enumerate(steps):
            self.transitions.append(
                ReferralTransition(
                    id=self.step.new_id(),
                    referral=referral,
                    from_state=old,
                    to_state=new,
                    by=by,
                    organisation=self.result.organisations[by_org],
                    note=note or (referral.end_reason if index == len(steps) - 1 else ""),
                    created_at=at,
                )
            )
        if state in (S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED):
            self._work_with(person, service, referral)
        return referral

    def _decide(self, referral, state, responded, steps, handler, receiver_key, referrer, org_key):
        rng = self.rng
        now = self.now
        if state == S.DECLINED:
            reason = referral.decline_reason or self.step.pick(DECLINES)
            referral.decline_reason = reason
            referral.decline_detail = DETAILS.get(reason, "")
            referral.decided_at = referral.ended_at = responded
            steps.append((S.SUBMITTED, S.DECLINED, responded, handler, receiver_key, ""))
            return
        if state in (S.WAITING_LIST, S.CLOSED) and rng.random() < 0.6:
            referral.waiting_since = responded
            steps.append((S.SUBMITTED, S.WAITING_LIST, responded, handler, receiver_key, ""))
            if state == S.WAITING_LIST:
                return
            ended = min(responded + timedelta(days=rng.randint(20, 90)), now)
            referral.waiting_since = None
            referral.ended_at = ended
            referral.end_reason = rng.choice(ENDS[S.CLOSED])
            steps.append((S.WAITING_LIST, S.CLOSED, ended, handler, receiver_key, ""))
            return
        if state == S.WAITING_LIST:
            referral.waiting_since = responded
            steps.append((S.SUBMITTED, S.WAITING_LIST, responded, handler, receiver_key, ""))
            return
        referral.decided_at = responded
        steps.append((S.SUBMITTED, S.ACCEPTED, responded, handler, receiver_key, ""))
        if state == S.ACCEPTED:
            return
        started = min(responded + timedelta(days=rng.randint(2, 14)), now)
        if state == S.WITHDRAWN:
            referral.ended_at = started
            referral.end_reason = rng.choice(ENDS[S.WITHDRAWN])
            steps.append((S.ACCEPTED, S.WITHDRAWN, started, referrer, org_key, ""))
            return
        if state == S.CLOSED:
            referral.ended_at = started
            referral.end_reason = rng.choice(ENDS[S.CLOSED])
            steps.append((S.ACCEPTED, S.CLOSED, started, handler, receiver_key, ""))
            return
        referral.started_at = started
        steps.append((S.ACCEPTED, S.IN_PROGRESS, started, handler, receiver_key, ""))
        if state == S.COMPLETED:
            ended = min(started + timedelta(days=rng.randint(30, 160)), now)
            referral.ended_at = ended
            referral.outcome = rng.choice(OUTCOMES)
            steps.append((S.IN_PROGRESS, S.COMPLETED, ended, handler, receiver_key, ""))

    def _in_order(self, referral: Referral, steps: list) -> list:
        """Times capped at "now" may tie; history must read in order, so nudge each later step
        a few minutes on, and keep the referral's own times in step with its history."""
        ordered: list[tuple] = []
        for old, new, at, by, org, note in steps:
            if ordered and at <= ordered[-1][2]:
                at = ordered[-1][2] + timedelta(minutes=self.rng.randint(1, 30))
            ordered.append((old, new, at, by, org, note))
        at = {new: when for _old, new, when, *_rest in ordered}
        if S.SUBMITTED in at:
            referral.submitted_at = at[S.SUBMITTED]
        if referral.first_response_at is not None and len(ordered) > 2:
            referral.first_response_at = ordered[2][2]
        if referral.decided_at is not None:
            referral.decided_at = at.get(S.ACCEPTED) or at.get(S.DECLINED) or referral.decided_at
        if referral.started_at is not None:
            referral.started_at = at[S.IN_PROGRESS]
        if referral.waiting_since is not None:
            referral.waiting_since = at[S.WAITING_LIST]
        if referral.ended_at is not None:
            referral.ended_at = ordered[-1][2]
        return ordered

    def _fit(self, service: Service, state: str) -> str:
        """Keep within capacity: past it, the waiting list (or a decline for no capacity)."""
        if state in (S.ACCEPTED, S.IN_PROGRESS):
            if service.capacity is not None and self.occupying[service.pk] >= service.capacity:
                return S.WAITING_LIST if service.has_waiting_list else S.DECLINED
            self.occupying[service.pk] += 1
        if state == S.WAITING_LIST and not service.has_waiting_list:
            return S.DECLINED
        return state

    def _work_with(self, person: Person, service: Service, referral: Referral) -> None:
        pair = (person.pk, service.organisation_id)
        if pair in self.open_pairs:
            return
        self.open_pairs.add(pair)
        self.relationships.append(
            WorkingRelationship(
                id=self.step.new_id(),
                person=person,
                organisation_id=service.organisation_id,
                started_on=timezone.localtime(referral.decided_at).date(),
            )
        )


def _referrers(result: DemoResult) -> dict:
    """The referring organisation of each leaver: probation if it works with them, else the
    prison team, else the lead charity."""
    orgs = {result.organisations[key].pk: key for key in REFERRING}
    by_person: dict = defaultdict(set)
    for person_id, org_id in WorkingRelationship.objects.filter(
        organisation_id__in=orgs, ended_on__isnull=True
    ).values_list("person_id", "organisation_id"):
        by_person[person_id].add(orgs[org_id])
    return {
        person_id: next(key for key in REFERRING if key in keys)
        for person_id, keys in by_person.items()
    }


def _suits(service, person) -> bool:
    """The demo refers people leaving prison only where the service's rules let them in: a
    service for family members never, and a women-only service only women."""
    if service.custody_status == CustodyEligibility.FAMILY_MEMBER:
        return False
    women = person.sex == "female" or person.gender_identity == "woman"
    if service.eligible_gender == EligibleGender.WOMEN:
        return women
    if service.eligible_gender == EligibleGender.MEN:
        return not women
    return True


def create_referrals(result: DemoResult) -> None:
    step = Step(result, "referrals")
    maker = _Maker(step, result)
    rng = step.rng
    services = [
        s
        for s in result.services
        if s.access in (Access.REFERRAL_ONLY, Access.BOTH) and s.status == ServiceStatus.ACTIVE
    ]
    if not services:
        return
    referrers = _referrers(result)
    people = [p for p in result.leavers if p.pk in referrers]
    by_name = {(maker.org_by_pk[s.organisation_id], s.name): s for s in services}

    # Probation's first referral to Millbrook Rovers' course waits for the coordinator.
    course = by_name.get(MILLBROOK_COURSE)
    probation_people = [p for p in people if referrers[p.pk] == "probation"]
    trust = result.organisations.get(MILLBROOK_COURSE[0])
    fresh = [p for p in probation_people if trust and (p.pk, trust.pk) not in maker.open_pairs]
    if course is not None and fresh:
        maker.refer(fresh[0], course, "probation", S.SUBMITTED, days_ago=2)

    # The full service: as many occupying referrals as places, and a waiting list behind.
    flats = next((s for s in services if s.name == FULL_SERVICE_NAME), None)
    if flats is not None and flats.capacity:
        queue = rng.sample(people, min(len(people), flats.capacity + 3))
        for index, person in enumerate(queue):
            state = S.IN_PROGRESS if index < flats.capacity else S.WAITING_LIST
            maker.refer(person, flats, referrers[person.pk], state)

    # Everyone else: most people referred once or twice, every state represented.
    others = [s for s in services if s is not flats]
    forced = list(STATES)
    for person in people:
        if rng.random() < 0.35:
            continue
        org_key = referrers[person.pk]
        choices = [
            s
            for s in others
            if s.organisation_id != result.organisations[org_key].pk and _suits(s, person)
        ]
        for service in rng.sample(choices, min(len(choices), rng.randint(1, 2))):
            state = forced.pop() if forced else step.pick(STATES)
            maker.refer(person, service, org_key, state)

    # Onward referrals from people a receiving organisation took on (with an open case, when the
    # casework step made any), keeping the chain.
    with_case = {c.person_id for c in result.cases or []}
    taken_on = [
        r
        for r in maker.referrals
        if r.state in (S.ACCEPTED, S.IN_PROGRESS) and r.person_id in with_case
    ]
    for parent in taken_on[: len(taken_on) // 6 + 1] if taken_on else []:
        receiver_key = maker.org_by_pk[parent.service.organisation_id]
        if not maker.staff(receiver_key):
            continue
        onward = [
            s
            for s in others
            if s.organisation_id != parent.service.organisation_id and _suits(s, parent.person)
        ]
        if onward:
            state = step.pick({S.SUBMITTED: 2.0, S.ACCEPTED: 1.0, S.DECLINED: 1.0})
            maker.refer(parent.person, rng.choice(onward), receiver_key, state, parent=parent)

    # Signposting: a lighter touch, followed up ("did they go?").
    for person in rng.sample(people, min(len(people), max(3, len(people) // 5))):
        org_key = referrers[person.pk]
        name, pathway = rng.choice(SIGNPOSTED_TO)
        signposted_on = step.days_ago(3, 200)
        follow_up_on = signposted_on + timedelta(days=14)
        done = follow_up_on < step.today and rng.random() < 0.7
        users = maker.staff(org_key)
        if not users:
            continue
        maker.signpostings.append(
            Signposting(
                id=step.new_id(),
                person=person,
                organisation=result.organisations[org_key],
                signposted_by=users[0],
                service_name=name,
                pathway=pathway,
                signposted_on=signposted_on,
                follow_up_on=follow_up_on,
                follow_up=step.pick(
                    {FollowUp.WENT: 3.0, FollowUp.DID_NOT_GO: 1.0, FollowUp.UNKNOWN: 0.5}
                )
                if done
                else FollowUp.NOT_YET,
                followed_up_at=timezone.make_aware(datetime.combine(follow_up_on, time(11)))
                if done
                else None,
                followed_up_by=users[0] if done else None,
            )
        )

    with _keep_given_times(Referral, ReferralTransition):
        result.referrals = save_all(Referral, maker.referrals, "referrals", result)
        save_all(ReferralTransition, maker.transitions, "referral transitions", result)
    save_all(WorkingRelationship, maker.relationships, "working relationships (referrals)", result)
    save_all(Signposting, maker.signpostings, "signpostings", result)
