"""Custody histories (DESIGN §7): every person leaving prison has one. Most were released in the
past one to three years; about 15% are still inside and due for release in the next 12 weeks
(the release-planning worklist); about 10% were recalled, and some of those released again, so
"pause on recall, resume on release" shows on real-looking records. Some had an earlier sentence
or a spell on remand. Reads `result.leavers`; fills `result.custody_periods`."""

from datetime import date, timedelta

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
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.models import WorkingRelationship

ESTABLISHMENTS = {
    "HMP Ashcombe": 50.0,
    "HMP Northshire": 20.0,
    "HMP & YOI Eastgate": 15.0,
    "HMP Low Moss Vale (women)": 10.0,
    "HMP Brackenridge": 5.0,
}
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


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.recorder = result.users["probation"]
        self.periods: list[CustodyPeriod] = []
        self.events: list[CustodyEvent] = []
        self.items: list[ChecklistItem] = []

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

    def period(self, person, kind: str, start: date, months: int) -> CustodyPeriod:
        step = self.step
        release = start + timedelta(days=months * 30)
        period = CustodyPeriod(
            id=step.new_id(),
            person=person,
            kind=kind,
            start_date=start,
            establishment=step.pick(ESTABLISHMENTS),
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
    due_count = round(len(leavers) * DUE_SHARE)
    recalled_count = round(len(leavers) * RECALLED_SHARE)
    due, recalled, released = (
        leavers[:due_count],
        leavers[due_count : due_count + recalled_count],
        leavers[due_count + recalled_count :],
    )
    for person in due:
        # Inside now, due out in the next 12 weeks: release planning under way.
        release = today + timedelta(days=step.rng.randint(1, 84))
        months = step.rng.randint(6, 36)
        start = min(release - timedelta(days=months * 30), today - timedelta(days=60))
        period = maker.period(person, CustodyKind.SENTENCE, start, months)
        period.expected_release_date = period.conditional_release_date = release
        period.licence_end_date = release + timedelta(days=months * 30)
        weeks_left = (release - today).days / 7
        maker.checklist(period, progress=max(0.1, 1 - weeks_left / 12))
    for index, person in enumerate(recalled):
        released_on = step.days_ago(120, 700)
        months = step.rng.randint(6, 30)
        period = maker.period(
            person, CustodyKind.SENTENCE, released_on - timedelta(days=months * 30), months
        )
        period.licence_end_date = today + timedelta(days=step.rng.randint(120, 500))
        maker.release(period, released_on)
        recalled_on = released_on + timedelta(days=step.rng.randint(20, 100))
        recalled_on = min(recalled_on, today - timedelta(days=10))
        reason = step.pick(RECALL_REASONS)
        period.recalled_on, period.recall_reason = recalled_on, reason
        maker.event(period, CustodyEventKind.RECALLED, recalled_on, recall_reason=reason)
        if index % 2 == 0 and (today - recalled_on).days > 45:
            # Released again after the recall: back on licence.
            maker.release(period, recalled_on + timedelta(days=step.rng.randint(28, 40)))
        else:
            # Still inside after the recall; a few due out again within 12 weeks.
            period.expected_release_date = today + timedelta(days=step.rng.randint(14, 160))
            maker.checklist(period, progress=0.3)
    for person in released:
        released_on = step.days_ago(30, 1095)
        months = step.rng.randint(4, 48)
        period = maker.period(
            person, CustodyKind.SENTENCE, released_on - timedelta(days=months * 30), months
        )
        period.expected_release_date = period.conditional_release_date = released_on
        period.licence_end_date = released_on + timedelta(days=months * 30)
        maker.release(period, released_on)
        if period.licence_end_date < today and step.chance(0.7):
            period.ended_on = period.licence_end_date
            maker.event(period, CustodyEventKind.ENDED, period.ended_on)
    for current in list(maker.periods):
        # An earlier spell for some, over well before this one: on remand, or a short sentence.
        if not step.chance(0.25):
            continue
        out = current.start_date - timedelta(days=step.rng.randint(180, 900))
        months = step.rng.randint(2, 10)
        kind = CustodyKind.REMAND if step.chance(0.4) else CustodyKind.SENTENCE
        earlier = maker.period(current.person, kind, out - timedelta(days=months * 30), months)
        maker.release(earlier, out)
        earlier.ended_on = earlier.licence_end_date or out
        if earlier.ended_on >= current.start_date:
            earlier.ended_on = out
        maker.event(earlier, CustodyEventKind.ENDED, earlier.ended_on)
    _keep_dates_in_order(maker.periods)
    result.custody_periods = save_all(CustodyPeriod, maker.periods, "custody periods", result)
    save_all(CustodyEvent, maker.events, "custody events", result)
    save_all(ChecklistItem, maker.items, "pre-release checklist items", result)


def _keep_dates_in_order(periods: list[CustodyPeriod]) -> None:
    """The database refuses an expected release before the start; generated spans never make
    one, but a short earlier spell clipped by `ended_on` is checked here all the same."""
    for period in periods:
        if period.expected_release_date and period.expected_release_date < period.start_date:
            period.expected_release_date = period.start_date
        if period.ended_on and period.released_on and period.ended_on < period.released_on:
            period.ended_on = period.released_on
