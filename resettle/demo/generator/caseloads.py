"""Which organisations work with whom, and who in each is allocated (DESIGN §4: access rests on
these working relationships). Caseload sizes are exact shares, not chances, so the named logins
always have believable lists: the mentor a handful of mentees, the caseworker a full caseload."""

from dataclasses import dataclass
from datetime import date, timedelta

from resettle.accounts.models import Role, User
from resettle.demo.generator import identity
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.choices import AddressKind, GenderIdentity, IdentifierScheme, Sex
from resettle.people.models import Identifier, Person, WorkingRelationship


@dataclass(frozen=True)
class Quota:
    username: str
    share: float  # of the organisation's open relationships
    cap: int  # at most this many, however large the demo


def create_caseloads(result: DemoResult) -> None:
    step = Step(result, "caseloads")
    maker = _Maker(step, result)
    leavers = result.leavers

    holders = _crn_holders()
    with_crn = [p for p in leavers if p.pk in holders]
    maker.organisation(
        "probation",
        step.rng.sample(with_crn, len(with_crn)),
        ended=0.1,
        quotas=[Quota("probation", 0.3, 45)],
        since=(30, 900),
    )
    maker.organisation(
        "prison",
        _share(step, leavers, 0.3),
        ended=0.5,
        quotas=[Quota("prison", 0.4, 40)],
        since=(60, 500),
    )
    maker.organisation(
        "lead",
        _share(step, leavers, 0.6),
        ended=0.15,
        quotas=[
            Quota("caseworker", 0.3, 35),
            Quota("safeguarding", 0.15, 20),
            Quota("multi", 0.1, 12),
        ],
        since=(10, 700),
    )
    mentees = _share(step, leavers, 0.25)
    mentor_count = min(step.rng.randint(8, 15), round(len(mentees) * 0.4))
    maker.organisation(
        "mentoring",
        mentees,
        ended=0.1,
        quotas=[Quota("mentor", 1.0, mentor_count)],
        since=(5, 500),
        unallocated=0.1,
    )
    maker.reallocated("mentoring", "mentor", count=2)
    maker.organisation(
        "trust_millbrook",
        _share(step, leavers, 1 / 30, at_least=3),
        ended=0.2,
        quotas=[Quota("coordinator", 0.5, 10)],
        since=(10, 400),
    )
    maker.organisation(
        "trust_ashcombe",
        _share(step, leavers, 1 / 45, at_least=2),
        ended=0.2,
        quotas=[],
        since=(10, 400),
    )
    maker.organisation(
        "trust_eastgate",
        _share(step, leavers, 1 / 45, at_least=2),
        ended=0.2,
        quotas=[],
        since=(10, 400),
    )
    needing_housing = [
        p
        for p in leavers
        if (a := result.current_addresses.get(p.pk)) is None
        or a.kind in (AddressKind.NO_FIXED_ABODE, AddressKind.TEMPORARY)
    ]
    housed = _share(step, needing_housing, 0.5) + _share(step, leavers, 0.05)
    maker.organisation(
        "housing",
        list(dict.fromkeys(housed)),
        ended=0.1,
        quotas=[Quota("housing", 0.5, 30), Quota("multi", 0.15, 8)],
        since=(5, 600),
    )
    women = [p for p in leavers if p.sex == Sex.FEMALE or p.gender_identity == GenderIdentity.WOMAN]
    maker.organisation("womens", _share(step, women, 0.6), ended=0.15, quotas=[], since=(5, 600))
    maker.organisation("dwp", _share(step, leavers, 0.2), ended=0.2, quotas=[], since=(5, 300))

    families = _share(step, [f for f in result.families if f.children], 0.5)
    relatives = [person for family in families for person in family.members]
    maker.organisation(
        "family", relatives, ended=0.1, quotas=[Quota("family", 0.6, 40)], since=(10, 700)
    )
    # Records another service made without finding the existing one.
    for _original, duplicate in result.near_duplicates:
        maker.add(duplicate, step.rng.choice(["housing", "dwp"]), None, step.days_ago(3, 60))

    save_all(WorkingRelationship, maker.rows, "working relationships", result)


def _crn_holders() -> set:
    return set(
        Identifier.objects.filter(scheme=IdentifierScheme.CRN).values_list("person_id", flat=True)
    )


def _share(step: Step, people: list, fraction: float, at_least: int = 0) -> list:
    count = min(len(people), max(at_least, round(len(people) * fraction)))
    return step.rng.sample(people, count)


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.rows: list[WorkingRelationship] = []
        self.family = {person.pk for person in result.family_members}

    def earliest(self, person: Person) -> date:
        """No one works with a family member before they were born, nor with a person leaving
        prison before they were 18: these services are for adults."""
        if person.pk in self.family:
            return person.date_of_birth or date.min
        return identity.adult_from(person) or date.min

    def add(
        self,
        person: Person,
        org_key: str,
        worker: User | None,
        started: date,
        ended: date | None = None,
    ) -> None:
        started = max(started, self.earliest(person))
        if ended is not None:
            ended = max(ended, started)
        self.rows.append(
            WorkingRelationship(
                id=self.step.new_id(),
                person=person,
                organisation=self.result.organisations[org_key],
                started_on=started,
                ended_on=ended,
                allocated_to=worker,
            )
        )

    def organisation(
        self,
        org_key: str,
        people: list,
        *,
        ended: float,
        quotas: list[Quota],
        since: tuple[int, int],
        unallocated: float = 0.0,
    ) -> None:
        """Open relationships go first to the named logins' quotas, then round-robin to
        colleagues; a share of the rest have ended, in the past."""
        step = self.step
        ending = round(len(people) * ended)
        closed, open_ = people[:ending], people[ending:]
        workers = self._workers(org_key)
        named = {q.username for q in quotas}
        colleagues = [u for u in workers if u.username not in named] or workers
        position = 0
        for quota in quotas:
            take = min(quota.cap, round(len(open_) * quota.share))
            for person in open_[position : position + take]:
                self.add(person, org_key, self.result.users[quota.username], step.days_ago(*since))
            position += take
        rest = open_[position:]
        waiting = round(len(rest) * unallocated)
        for i, person in enumerate(rest):
            worker = None if i < waiting or not colleagues else colleagues[i % len(colleagues)]
            self.add(person, org_key, worker, step.days_ago(*since))
        for i, person in enumerate(closed):
            started = step.days_ago(max(since[0], 60), since[1] + 300)
            finished = step.date_between(started + timedelta(days=14), step.today - timedelta(1))
            worker = colleagues[i % len(colleagues)] if colleagues else None
            self.add(person, org_key, worker, started, max(started, finished))

    def reallocated(self, org_key: str, username: str, *, count: int) -> None:
        """People who were once `username`'s and moved to a colleague: the ended relationship
        stays, and the policy must not let `username` see them now."""
        user = self.result.users[username]
        others = [
            r
            for r in self.rows
            if r.organisation == self.result.organisations[org_key]
            and r.ended_on is None
            and r.allocated_to not in (None, user)
            and r.started_on - timedelta(days=1) > self.earliest(r.person)
        ]
        for current in self.step.rng.sample(others, min(count, len(others))):
            started = current.started_on - timedelta(days=self.step.rng.randint(60, 300))
            self.add(current.person, org_key, user, started, current.started_on - timedelta(days=1))

    def _workers(self, org_key: str) -> list[User]:
        staff = self.result.staff
        # Mentees go to mentors, not to the mentoring project's caseworker.
        mentors = staff.get(f"{org_key}:{Role.PEER_MENTOR}")
        if mentors:
            return mentors
        case_roles = (Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR)
        return [u for role in case_roles for u in staff.get(f"{org_key}:{role}", [])]
