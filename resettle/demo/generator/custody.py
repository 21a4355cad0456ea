"""Custody histories (DESIGN §7): every person leaving prison has one. Most were released in the
past one to three years; about 15% are still inside and due for release in the next 12 weeks
(the release-planning worklist); about 10% were recalled, and some of those released again, so
"pause on recall, resume on release" shows on real-looking records. Some had an earlier sentence
or a spell on remand. Reads `result.leavers`; fills `result.custody_periods`.

What a prison worker would check holds: women are held in the women's prison and men never are;
every custody began once the person was 18; releases fall on working days (one due on a weekend
or bank holiday is brought forward); and a PNC ID is dated no later than the first custody."""

from datetime import date, timedelta
from uuid import UUID

import holidays

from resettle.custody.models import (
    CHECKLIST_PATHWAYS,
    ChecklistItem,
    ChecklistStatus,
    CustodyEvent,
    CustodyEventKind,
    CustodyKind,
    CustodyPeriod,
    RecallReason,
    ReleaseType,
)
from resettle.demo.generator import identity
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.choices import IdentifierScheme, Sex
from resettle.people.models import Identifier, Person, WorkingRelationship

# The men's estate; a person whose sex is not recorded is held there too.
ESTABLISHMENTS = {
    "HMP Ashcombe": 55.0,
    "HMP Northshire": 22.0,
    "HMP & YOI Eastgate": 17.0,
    "HMP Brackenridge": 6.0,
}
# Women are held only in a women's prison, and it holds only women.
WOMENS_ESTABLISHMENTS = ("HMP Low Moss Vale (women)",)
RELEASE_TYPES = {
    ReleaseType.CONDITIONAL: 70.0,
    ReleaseType.AUTOMATIC: 15.0,
    ReleaseType.HOME_DETENTION_CURFEW: 10.0,
    ReleaseType.PAROLE: 5.0,
}
RECALL_REASONS = {
    RecallReason.BREACH_OF_CONDITIONS: 45.0,
    RecallReason.OUT_OF_TOUCH: 25.0,
    RecallReason.FURTHER_OFFENCE: 20.0,
    RecallReason.RISK_ESCALATION: 7.0,
    RecallReason.OTHER: 3.0,
}
STREETS = (
    "Mill Lane, Millbrook",
    "Station Road, Ashcombe",
    "Weaver Close, Millbrook",
    "Riverside Court, Eastgate",
    "Chapel Street, Ashcombe",
    "Hollins Road, Eastgate",
)
LICENCE_CONDITIONS = (
    "Reside at the approved address. Report to the probation officer as directed.",
    "Curfew 7pm to 7am for the first 8 weeks. Do not enter the Riverside estate.",
    "Attend appointments with the community drug service. Notify probation of any new "
    "relationship.",
    "No contact with the named victim. Do not enter Millbrook town centre without approval.",
)
DUE_SHARE = 0.15
RECALLED_SHARE = 0.10
# The shortest time served in the demo, and the most recent first release of a recalled person.
SHORTEST_STAY = timedelta(days=28)
LATEST_RECALLED_RELEASE = 120


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.recorder = result.users["probation"]
        self.periods: list[CustodyPeriod] = []
        self.events: list[CustodyEvent] = []
        self.items: list[ChecklistItem] = []
        self.bank_holidays = holidays.UK(subdiv="ENG")

    def release_day(self, due: date) -> date:
        """Prisons release Monday to Friday and not on bank holidays: a release due on another
        day is brought forward to the working day before."""
        day = due
        while day.weekday() >= 5 or day in self.bank_holidays:
            day -= timedelta(days=1)
        return day

    @staticmethod
    def adult_from(person: Person) -> date:
        """Custody in the demo is all in adult prisons, so none begins before 18."""
        return identity.adult_from(person) or date.min

    def event(self, period: CustodyPeriod, kind: str, on: date, **extra) -> None:
        self.events.append(
            CustodyEvent(
                id=self.step.new_id(),
                period=period,
                kind=kind,
                on=on,
                establishment=period.establishment,
                recorded_by=self.recorder,
                **extra,
            )
        )

    def release(self, period: CustodyPeriod, on: date) -> None:
        step = self.step
        kind = (
            step.rng.choice([ReleaseType.BAIL, ReleaseType.END_OF_REMAND])
            if period.kind == CustodyKind.REMAND
            else step.pick(RELEASE_TYPES)
        )
        period.released_on, period.release_type = on, kind
        no_fixed_abode = step.chance(0.12)
        address = "" if no_fixed_abode else f"{step.rng.randint(1, 80)} {step.rng.choice(STREETS)}"
        self.event(
            period,
            CustodyEventKind.RELEASED,
            on,
            release_type=kind,
            release_address=address,
            no_fixed_abode=no_fixed_abode,
        )

    def period(
        self, person: Person, kind: str, start: date, release: date, months: int
    ) -> CustodyPeriod:
        step = self.step
        period = CustodyPeriod(
            id=step.new_id(),
            person=person,
            kind=kind,
            start_date=start,
            establishment=(
                step.rng.choice(WOMENS_ESTABLISHMENTS)
                if person.sex == Sex.FEMALE
                else step.pick(ESTABLISHMENTS)
            ),
            expected_release_date=release,
            recorded_by=self.recorder,
        )
        if kind == CustodyKind.SENTENCE:
            period.conditional_release_date = release
            period.licence_end_date = release + timedelta(days=months * 30)
            if step.chance(0.3):
                period.supervision_end_date = period.licence_end_date + timedelta(days=365)
            period.licence_conditions = step.rng.choice(LICENCE_CONDITIONS)
        self.periods.append(period)
        self.event(period, CustodyEventKind.STARTED, start)
        return period

    def checklist(self, period: CustodyPeriod, progress: float) -> None:
        step = self.step
        for kind, pathway in CHECKLIST_PATHWAYS.items():
            roll = step.rng.random()
            if roll < progress * 0.6:
                status = ChecklistStatus.DONE
            elif roll < progress:
                status = ChecklistStatus.IN_PROGRESS
            elif roll > 0.92:
                status = ChecklistStatus.NOT_NEEDED
            else:
                status = ChecklistStatus.NOT_STARTED
            started = status != ChecklistStatus.NOT_STARTED
            self.items.append(
                ChecklistItem(
                    id=step.new_id(),
                    period=period,
                    kind=kind,
                    pathway=pathway,
                    status=status,
                    updated_on=step.days_ago(1, 40) if started else None,
                    updated_by=self.recorder if started else None,
                )
            )


def create_custody(result: DemoResult) -> None:
    step = Step(result, "custody")
    maker = _Maker(step, result)
    today = result.today
    leavers = step.rng.sample(result.leavers, len(result.leavers))
    # Two of the demo mentor's mentees are inside and due out soon: a gate meeting to plan.
    mentees = set(
        WorkingRelationship.objects.filter(
            organisation=result.organisations["mentoring"],
            allocated_to=result.users["mentor"],
            ended_on__isnull=True,
        ).values_list("person_id", flat=True)
    )
    leavers.sort(key=lambda p: p.pk not in mentees)
    leavers = leavers[:2] + step.rng.sample(leavers[2:], len(leavers) - 2)
    # Someone who turned 18 only months ago cannot have served and been released as an adult
    # since: they are among those inside now.
    recent = today - timedelta(days=LATEST_RECALLED_RELEASE) - SHORTEST_STAY
    young = {p.pk for p in leavers[2:] if maker.adult_from(p) > recent}
    leavers = leavers[:2] + sorted(leavers[2:], key=lambda p: p.pk not in young)
    due_count = max(round(len(leavers) * DUE_SHARE), min(len(leavers), 2 + len(young)))
    recalled_count = round(len(leavers) * RECALLED_SHARE)
    due, recalled, released = (
        leavers[:due_count],
        leavers[due_count : due_count + recalled_count],
        leavers[due_count + recalled_count :],
    )
    for person in due:
        # Inside now, due out in the next 12 weeks: release planning under way.
        release = maker.release_day(today + timedelta(days=step.rng.randint(1, 84)))
        while release <= today:
            # Brought forward to today or before: due a week later instead.
            release = maker.release_day(release + timedelta(weeks=1))
        months = step.rng.randint(6, 36)
        start = min(release - timedelta(days=months * 30), today - timedelta(days=60))
        start = max(start, maker.adult_from(person))
        period = maker.period(person, CustodyKind.SENTENCE, start, release, months)
        weeks_left = (release - today).days / 7
        maker.checklist(period, progress=max(0.1, 1 - weeks_left / 12))
    for index, person in enumerate(recalled):
        adult = maker.adult_from(person)
        released_on = maker.release_day(
            max(step.days_ago(LATEST_RECALLED_RELEASE, 700), adult + SHORTEST_STAY)
        )
        months = step.rng.randint(6, 30)
        start = max(released_on - timedelta(days=months * 30), adult)
        period = maker.period(person, CustodyKind.SENTENCE, start, released_on, months)
        period.licence_end_date = today + timedelta(days=step.rng.randint(120, 500))
        maker.release(period, released_on)
        recalled_on = released_on + timedelta(days=step.rng.randint(20, 100))
        recalled_on = min(recalled_on, today - timedelta(days=10))
        reason = step.pick(RECALL_REASONS)
        period.recalled_on, period.recall_reason = recalled_on, reason
        maker.event(period, CustodyEventKind.RECALLED, recalled_on, recall_reason=reason)
        if index % 2 == 0 and (today - recalled_on).days > 45:
            # Released again after the recall: back on licence.
            again = recalled_on + timedelta(days=step.rng.randint(28, 40))
            maker.release(period, maker.release_day(again))
        else:
            # Still inside after the recall; a few due out again within 12 weeks.
            due_out = today + timedelta(days=step.rng.randint(14, 160))
            period.expected_release_date = maker.release_day(due_out)
            maker.checklist(period, progress=0.3)
    for person in released:
        adult = maker.adult_from(person)
        released_on = maker.release_day(max(step.days_ago(30, 1095), adult + SHORTEST_STAY))
        months = step.rng.randint(4, 48)
        start = max(released_on - timedelta(days=months * 30), adult)
        period = maker.period(person, CustodyKind.SENTENCE, start, released_on, months)
        maker.release(period, released_on)
        if period.licence_end_date and period.licence_end_date < today and step.chance(0.7):
            period.ended_on = period.licence_end_date
            maker.event(period, CustodyEventKind.ENDED, period.ended_on)
    for current in list(maker.periods):
        # An earlier spell for some, over well before this one: on remand, or a short sentence.
        if not step.chance(0.25):
            continue
        out = maker.release_day(current.start_date - timedelta(days=step.rng.randint(180, 900)))
        months = step.rng.randint(2, 10)
        kind = CustodyKind.REMAND if step.chance(0.4) else CustodyKind.SENTENCE
        start = out - timedelta(days=months * 30)
        if start < maker.adult_from(current.person):
            continue
        earlier = maker.period(current.person, kind, start, out, months)
        maker.release(earlier, out)
        earlier.ended_on = earlier.licence_end_date or out
        if earlier.ended_on >= current.start_date:
            earlier.ended_on = out
        maker.event(earlier, CustodyEventKind.ENDED, earlier.ended_on)
    _keep_dates_in_order(maker.periods)
    result.custody_periods = save_all(CustodyPeriod, maker.periods, "custody periods", result)
    save_all(CustodyEvent, maker.events, "custody events", result)
    save_all(ChecklistItem, maker.items, "pre-release checklist items", result)
    _date_pncs(step, result.leavers, maker.periods)


def _date_pncs(step: Step, people: list[Person], periods: list[CustodyPeriod]) -> None:
    """A PNC ID carries the year of the person's first arrest. The people step drew it before
    custody was known, so one dated after the first custody began is dated again."""
    first: dict[UUID, date] = {}
    for period in periods:
        if period.person_id not in first or period.start_date < first[period.person_id]:
            first[period.person_id] = period.start_date
    pncs = {
        identifier.person_id: identifier
        for identifier in Identifier.objects.filter(scheme=IdentifierScheme.PNC, person__in=people)
    }
    taken = set(
        Identifier.objects.filter(scheme=IdentifierScheme.PNC).values_list("value", flat=True)
    )
    dated = []
    for person in people:
        identifier, began = pncs.get(person.pk), first.get(person.pk)
        if identifier is None or began is None or int(identifier.value[:4]) <= began.year:
            continue
        earliest = min(identity.earliest_pnc_year(step, person), began.year)
        value = identity.pnc_id(step, step.rng.randint(earliest, began.year))
        while value in taken:
            value = identity.pnc_id(step, step.rng.randint(earliest, began.year))
        taken.add(value)
        identifier.value = value
        dated.append(identifier)
    Identifier.objects.bulk_update(dated, ["value"])


def _keep_dates_in_order(periods: list[CustodyPeriod]) -> None:
    """The database refuses an expected release before the start; generated spans never make
    one, but a short earlier spell clipped by `ended_on` is checked here all the same."""
    for period in periods:
        if period.expected_release_date and period.expected_release_date < period.start_date:
            period.expected_release_date = period.start_date
        if period.ended_on and period.released_on and period.ended_on < period.released_on:
            period.ended_on = period.released_on
