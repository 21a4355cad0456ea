"""Suitability assessments (DESIGN §4): what the football trusts turned referrals away for want
of (seed 000). The people Millbrook Rovers works with are assessed by probation where it
supervises them (else the prison team or the lead charity), so the coordinator sees answers to
act on and never an offence: a mix of answers, one with measures and an earlier assessment, one
with a named-contact restriction, and one expired, whose review the coordinator has asked for
(a task on the probation login's home page). The assessing organisations assess some of the
other people they work with too, a few with history, a few expired.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Role, User
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.models import Person, WorkingRelationship
from resettle.suitability.models import (
    Answer,
    SuitabilityAssessment,
    SuitabilityReviewRequest,
    YesNo,
    one_year_after,
)

AREAS = (
    "The town centre of Millbrook",
    "Ashcombe bus station and the shops around it",
    "Eastgate retail park",
    "The Riverside estate in Millbrook",
    "Licensed premises, including club bars after matches",
)


@dataclass(frozen=True)
class Question:
    """How often each answer is given, and what an answer "yes, with measures" asks partners
    to do: the measures are written from the answers, so none speaks to a question answered
    plain yes or no."""

    answers: dict[str, float]
    measures: tuple[str, ...]


QUESTIONS: dict[str, Question] = {
    "group_sessions_with_adults": Question(
        {Answer.YES: 80.0, Answer.YES_WITH_MEASURES: 15.0, Answer.NO: 5.0},
        (
            "A named coach stays with the group for the whole session.",
            "Check in with the peer mentor after each group session for the first month.",
            "Tell the assessor before any away trip or overnight stay.",
        ),
    ),
    "sessions_with_under_18s_present": Question(
        {Answer.NO: 40.0, Answer.YES_WITH_MEASURES: 35.0, Answer.YES: 25.0},
        (
            "Where under-18s are present, stay in sight of a coach and use the adults' changing "
            "room.",
            "Where under-18s are present, never be alone with one of them, including on the way "
            "home.",
        ),
    ),
    "sessions_with_vulnerable_adults_present": Question(
        {Answer.YES: 40.0, Answer.YES_WITH_MEASURES: 35.0, Answer.NO: 25.0},
        (
            "Where vulnerable adults are present, a member of staff stays with the group all "
            "session.",
        ),
    ),
    "one_to_one_sessions": Question(
        {Answer.YES: 60.0, Answer.YES_WITH_MEASURES: 30.0, Answer.NO: 10.0},
        ("Meet in the open reception area, not a closed room, for one-to-one sessions.",),
    ),
}
TWO_STAFF_MEASURE = "Two members of staff at the start and end of every session."
# Every group session has adults in it: the answers about groups with under-18s or vulnerable
# adults present are never more open than the answer about groups with adults.
OPENNESS = (Answer.NO, Answer.YES_WITH_MEASURES, Answer.YES)
NAMED_PEOPLE = (
    "Dean Holloway and Kira Holloway",
    "Marcus Thorne",
    "Anyone living at 14 Weaver Close, Millbrook",
)
# The first few of the trust's people show one case each: measures, a restriction, expired.
SHOWCASE = 3
# Share of the other people each assessing organisation works with who have an assessment.
ASSESSED_SHARE = {"probation": 0.35, "prison": 0.15, "lead": 0.1}


def create_suitability(result: DemoResult) -> None:
    step = Step(result, "suitability")
    maker = _Maker(step, result)
    # Those probation supervises first, so the showcase falls to the probation login.
    trust_people = sorted(
        _trust_people_the_coordinator_may_read(result),
        key=lambda person: person.pk not in maker.open["probation"],
    )
    assessed = [
        (person, assessor)
        for index, person in enumerate(trust_people)
        if (assessor := maker.assessor_for(person, prefer_named_login=index < SHOWCASE))
    ]
    for index, (person, assessor) in enumerate(assessed):
        if index == 0:
            maker.add(person, assessor, with_history=True, measures=True)
        elif index == 1:
            maker.add(person, assessor, named_people=step.rng.choice(NAMED_PEOPLE))
        elif index == 2:
            expired = maker.add(person, assessor, assessed_days_ago=300, review_after_days=180)
            maker.review_requested(expired, result.users["coordinator"], "trust_millbrook")
        else:
            maker.add(person, assessor, with_history=step.chance(0.25))
    done = {person.pk for person in trust_people}
    for org_key, share in ASSESSED_SHARE.items():
        for person in maker.caseload(org_key):
            if person.pk in done or not step.chance(share):
                continue
            done.add(person.pk)
            maker.add(
                person,
                maker.assessor_in(org_key, person),
                with_history=step.chance(0.2),
                expired=step.chance(0.08),
                named_people=step.rng.choice(NAMED_PEOPLE) if step.chance(0.08) else "",
            )
    save_all(SuitabilityAssessment, maker.assessments, "suitability assessments", result)
    save_all(SuitabilityReviewRequest, maker.requests, "suitability review requests", result)


def _trust_people_the_coordinator_may_read(result: DemoResult) -> list[Person]:
    """Millbrook Rovers' people whose suitability the coordinator may read (their consent
    covers it), in the order the consent step set its showcase."""
    coordinator = Membership.objects.select_related("organisation").get(
        user=result.users["coordinator"], organisation=result.organisations["trust_millbrook"]
    )
    readable = policy.people_with_category(coordinator, Category.RISK_SUITABILITY, result.today)
    relationships = (
        WorkingRelationship.objects.filter(
            organisation=result.organisations["trust_millbrook"],
            ended_on__isnull=True,
            person__in=readable,
        )
        .select_related("person")
        .order_by("started_on", "id")
    )
    return [relationship.person for relationship in relationships]


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.assessments: list[SuitabilityAssessment] = []
        self.requests: list[SuitabilityReviewRequest] = []
        # Open relationships of the assessing organisations: person id -> allocated worker id.
        self.open: dict[str, dict[UUID, int | None]] = {}
        for org_key in ASSESSED_SHARE:
            relationships = WorkingRelationship.objects.filter(
                organisation=result.organisations[org_key], ended_on__isnull=True
            ).order_by("started_on", "id")
            self.open[org_key] = {r.person_id: r.allocated_to_id for r in relationships}
        self.users = {user.pk: user for users in result.staff.values() for user in users}
        self.people = {p.pk: p for p in result.leavers}

    def caseload(self, org_key: str) -> list[Person]:
        return [self.people[pk] for pk in self.open[org_key] if pk in self.people]

    def assessor_for(self, person: Person, *, prefer_named_login: bool) -> tuple[str, User] | None:
        """Probation where it supervises the person, else the prison team or the lead charity."""
        for org_key in ASSESSED_SHARE:
            if person.pk in self.open[org_key]:
                if prefer_named_login and org_key == "probation":
                    return org_key, self.result.users["probation"]
                return self.assessor_in(org_key, person)
        return None

    def assessor_in(self, org_key: str, person: Person) -> tuple[str, User]:
        allocated_id = self.open[org_key][person.pk]
        staff = [
            user
            for role in (Role.REFERRER, Role.CASEWORKER)
            for user in self.result.staff.get(f"{org_key}:{role}", [])
        ]
        worker = self.users.get(allocated_id) if allocated_id else None
        return org_key, worker or self.step.rng.choice(staff)

    def add(
        self,
        person: Person,
        assessor: tuple[str, User],
        *,
        assessed_days_ago: int | None = None,
        review_after_days: int | None = None,
        with_history: bool = False,
        expired: bool = False,
        measures: bool = False,
        named_people: str = "",
    ) -> SuitabilityAssessment:
        step, today = self.step, self.step.today
        if expired:
            assessed_days_ago, review_after_days = step.rng.randint(200, 330), 180
        assessed_on = today - timedelta(days=assessed_days_ago or step.rng.randint(5, 200))
        if review_after_days is not None:
            review_on = assessed_on + timedelta(days=review_after_days)
        else:
            review_on = step.date_between(
                max(today + timedelta(days=14), assessed_on + timedelta(days=60)),
                one_year_after(assessed_on),
            )
        earlier = None
        if with_history:
            earlier_on = assessed_on - timedelta(days=step.rng.randint(120, 300))
            earlier = self._assessment(
                person, assessor, earlier_on, earlier_on + timedelta(days=180), None
            )
        current = self._assessment(
            person, assessor, assessed_on, review_on, earlier, under_18s_with_measures=measures
        )
        if named_people:
            current.named_contact_restriction = YesNo.YES
            current.named_people_to_avoid = named_people
        return current

    def review_requested(self, assessment: SuitabilityAssessment, user: User, org_key: str) -> None:
        self.requests.append(
            SuitabilityReviewRequest(
                id=self.step.new_id(),
                assessment=assessment,
                requested_by=user,
                organisation=self.result.organisations[org_key],
                note="The review date has passed. They would like to join the Tuesday group.",
            )
        )

    def _assessment(
        self,
        person: Person,
        assessor: tuple[str, User],
        assessed_on: date,
        review_on: date,
        supersedes: SuitabilityAssessment | None,
        *,
        under_18s_with_measures: bool = False,
    ) -> SuitabilityAssessment:
        step = self.step
        org_key, user = assessor
        organisation = self.result.organisations[org_key]
        answers = self._answers(under_18s_with_measures)
        with_measures = [field for field, a in answers.items() if a == Answer.YES_WITH_MEASURES]
        two_staff = step.chance(0.3) and bool(with_measures)
        measures = [step.rng.choice(QUESTIONS[field].measures) for field in with_measures]
        if two_staff:
            measures.append(TWO_STAFF_MEASURE)
        assessment = SuitabilityAssessment(
            id=step.new_id(),
            person=person,
            supersedes=supersedes,
            assessed_by=user,
            assessor_organisation=organisation,
            assessed_on=assessed_on,
            review_on=review_on,
            assessor_contact=f"{user.email} or {organisation.phone}",
            two_staff_needed=YesNo.YES if two_staff else YesNo.NO,
            areas_to_avoid=step.rng.choice(AREAS) if step.chance(0.3) else "",
            measures=" ".join(measures),
            named_contact_restriction=YesNo.NO,
            **answers,
        )
        self.assessments.append(assessment)
        return assessment

    def _answers(self, under_18s_with_measures: bool) -> dict[str, str]:
        step = self.step
        answers = {field: step.pick(question.answers) for field, question in QUESTIONS.items()}
        if under_18s_with_measures:
            answers["sessions_with_under_18s_present"] = Answer.YES_WITH_MEASURES
            if answers["group_sessions_with_adults"] == Answer.NO:
                answers["group_sessions_with_adults"] = Answer.YES_WITH_MEASURES
        group = OPENNESS.index(Answer(answers["group_sessions_with_adults"]))
        for field in ("sessions_with_under_18s_present", "sessions_with_vulnerable_adults_present"):
            answers[field] = OPENNESS[min(group, OPENNESS.index(Answer(answers[field])))]
        return answers
