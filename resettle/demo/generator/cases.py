"""Cases (DESIGN glossary): each organisation working with a person has its case, allocated to
the worker (or, at the mentoring charity, the mentor) the caseloads step chose. Ended working
relationships are closed cases with a reason. The custody histories shape the rest: a person
recalled and still inside has every live case paused on the recall date; one released again has
them paused and resumed, with the gate meeting done; one due out in the next 12 weeks has gate
meetings planned on the release day (the demo mentor among them). Reads `result.leavers`,
`result.family_members`, `result.custody_periods` and the working relationships; fills
`result.cases`."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from resettle.cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CloseReason,
    Task,
    TaskKind,
)
from resettle.cases.services import RECALL_PAUSE_REASON
from resettle.custody.models import CustodyPeriod
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.models import WorkingRelationship

CLOSE_REASONS = {
    CloseReason.GOALS_MET: 40.0,
    CloseReason.MOVED_ON: 25.0,
    CloseReason.DISENGAGED: 20.0,
    CloseReason.MOVED_AWAY: 10.0,
    CloseReason.PERSON_ASKED: 5.0,
}
# Organisations whose case sits with a mentor rather than a worker.
MENTORING = "mentoring"
# Who meets a person at the gate: the mentors, and the lead charity's caseworkers.
GATE_ORGANISATIONS = ("mentoring", "lead")
REVIEW_EVERY = timedelta(weeks=13)


def _at(on: date, hour: int = 8) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour, 0)))


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.result = result
        self.cases: list[Case] = []
        self.events: list[CaseEvent] = []
        self.tasks: list[Task] = []
        self.org_keys = {org.pk: key for key, org in result.organisations.items()}

    def event(self, case: Case, kind: str, on: date, by, note: str = "") -> None:
        self.events.append(
            CaseEvent(id=self.step.new_id(), case=case, kind=kind, on=on, by=by, note=note)
        )

    def gate_meeting(self, case: Case, period: CustodyPeriod, on: date, done: bool) -> None:
        self.tasks.append(
            Task(
                id=self.step.new_id(),
                case=case,
                kind=TaskKind.GATE_MEETING,
                title=f"Meet {case.person.full_name} at the gate",
                due_at=_at(on),
                place=f"Gate of {period.establishment}",
                assigned_to=case.mentor or case.worker,
                completed_at=_at(on, 10) if done else None,
            )
        )

    def case(self, relationship: WorkingRelationship) -> Case:
        step, today = self.step, self.step.today
        mentoring = self.org_keys.get(relationship.organisation_id) == MENTORING
        user = relationship.allocated_to
        case = Case(
            id=step.new_id(),
            person=relationship.person,
            organisation=relationship.organisation,
            worker=None if mentoring else user,
            mentor=user if mentoring else None,
            opened_on=relationship.started_on,
        )
        self.event(case, CaseEventKind.OPENED, case.opened_on, user)
        if relationship.ended_on is not None:
            case.state = CaseState.CLOSED
            case.closed_on = relationship.ended_on
            case.close_reason = step.pick(CLOSE_REASONS)
            self.event(case, CaseEventKind.CLOSED, case.closed_on, user)
        else:
            review = case.opened_on + REVIEW_EVERY
            while review < today:
                review += REVIEW_EVERY
            case.next_review_on = review
        self.cases.append(case)
        return case


def create_cases(result: DemoResult) -> None:
    step = Step(result, "cases")
    maker = _Maker(step, result)
    today = result.today
    people = {p.pk for p in result.leavers} | {p.pk for p in result.family_members}
    relationships = (
        WorkingRelationship.objects.filter(person_id__in=people)
        .select_related("person", "organisation", "allocated_to")
        .order_by("person_id", "started_on", "id")
    )
    # The latest custody period of each person.
    latest: dict = {}
    for period in sorted(result.custody_periods, key=lambda p: p.start_date):
        latest[period.person_id] = period
    for relationship in relationships:
        case = maker.case(relationship)
        if case.state == CaseState.CLOSED:
            continue
        period = latest.get(case.person_id)
        if period is None:
            continue
        org_key = maker.org_keys.get(case.organisation_id)
        recalled = period.recalled_on is not None and period.recalled_on >= case.opened_on
        if recalled and period.in_custody:
            case.state, case.pause_reason = CaseState.PAUSED, RECALL_PAUSE_REASON
            maker.event(case, CaseEventKind.PAUSED, period.recalled_on, None, RECALL_PAUSE_REASON)
        elif recalled:
            maker.event(case, CaseEventKind.PAUSED, period.recalled_on, None, RECALL_PAUSE_REASON)
            maker.event(
                case, CaseEventKind.RESUMED, period.released_on, None, "Released from custody"
            )
            if org_key in GATE_ORGANISATIONS:
                maker.gate_meeting(case, period, period.released_on, done=True)
        elif period.in_custody and period.expected_release_date:
            due = period.expected_release_date
            soon = today < due <= today + timedelta(weeks=12)
            if soon and org_key in GATE_ORGANISATIONS and (case.mentor or case.worker):
                maker.gate_meeting(case, period, due, done=False)
    result.cases = save_all(Case, maker.cases, "cases", result)
    save_all(CaseEvent, maker.events, "case events", result)
    save_all(Task, maker.tasks, "tasks", result)
