"""A year of contacts (DESIGN §7) for every live or closed case: weekly at first, then falling
off to fortnightly and monthly, as the seeds' projects describe; some did-not-attends and
cancellations, some people with long gaps (recalled, or simply gone quiet), and a few sensitive
notes that only the recording organisation reads. Reads `result.cases` (the cases step)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from resettle.cases.models import Case, CaseState
from resettle.contacts.models import CancelledBy, Contact, ContactKind, ContactOutcome
from resettle.core.pathways import Pathway
from resettle.demo.generator.context import DemoResult, Step, save_all

YEAR = 365
KINDS = {
    ContactKind.FACE_TO_FACE: 45.0,
    ContactKind.PHONE: 25.0,
    ContactKind.TEXT: 10.0,
    ContactKind.VIDEO: 5.0,
    ContactKind.SESSION: 12.0,
    ContactKind.CUSTODY_VISIT: 3.0,
}
OUTCOMES = {
    ContactOutcome.ATTENDED: 78.0,
    ContactOutcome.DID_NOT_ATTEND: 15.0,
    ContactOutcome.CANCELLED: 7.0,
}
CANCELLED_BY = {CancelledBy.PERSON: 55.0, CancelledBy.WORKER: 30.0, CancelledBy.OTHER: 15.0}
NOTES = {
    Pathway.ACCOMMODATION: (
        "Went through the housing register form together; the council letter is due next week.",
        "Still sofa-surfing at a cousin's. Chased the supported housing referral.",
        "Viewed the flat on Mill Lane. Wants to take it if the deposit scheme agrees.",
    ),
    Pathway.EDUCATION_EMPLOYMENT: (
        "Booked onto the CSCS card course. Talked about disclosing convictions to employers.",
        "Went through the CV; a warehouse job on the industrial estate looks a good fit.",
    ),
    Pathway.HEALTH: (
        "Registered with the GP at Ashcombe surgery. Sleep is still poor.",
        "Talked about anxiety before appointments; agreed I would go with them to the first one.",
    ),
    Pathway.DRUGS_ALCOHOL: (
        "Attended the recovery group at the hub. Says the weekends are the hardest.",
        "Keyworker appointment with the drug and alcohol service moved to Thursday.",
    ),
    Pathway.FINANCE_BENEFIT_ID: (
        "Universal Credit claim made; the advance is being paid back at £40 a month.",
        "Sent for a birth certificate so the bank account can be opened.",
    ),
    Pathway.CHILDREN_FAMILIES: (
        "Contact with the children is going well; a supervised visit is booked at the centre.",
        "Talked about how to rebuild things with his mum. Not ready to call her yet.",
    ),
    Pathway.ATTITUDES_BEHAVIOUR: (
        "Talked through a row at the hostel and what he did differently this time.",
        "Reflected on the first month out; feels more settled and proud of the job search.",
    ),
    Pathway.SPORT: ("Came to Tuesday football; stayed after to help put the goals away.",),
    Pathway.MENTORING: ("Met for a coffee in town and walked to the jobcentre together.",),
}
SENSITIVE_NOTES = (
    "Disclosed that an ex-partner has been turning up at the hostel. Safety plan discussed.",
    "Talked about a relapse last weekend. Not shared beyond us at their request.",
    "Spoke about self-harm thoughts; agreed a GP appointment and gave the crisis line number.",
)


def create_contacts(result: DemoResult) -> None:
    step = Step(result, "contacts")
    staff = _staff_by_organisation(result)
    contacts: list[Contact] = []
    for case in result.cases:
        if not isinstance(case, Case):
            continue
        recorder = case.mentor_id or case.worker_id or staff.get(case.organisation_id)
        if recorder is None:
            continue
        contacts.extend(_case_contacts(step, case, recorder))
    save_all(Contact, contacts, "contacts", result)


def _staff_by_organisation(result: DemoResult) -> dict:
    by_key = {}
    for key, users in result.staff.items():
        org_key = key.split(":", 1)[0]
        if users and org_key not in by_key:
            by_key[org_key] = users[0].pk
    return {
        organisation.pk: by_key[key]
        for key, organisation in result.organisations.items()
        if key in by_key
    }


def _case_contacts(step: Step, case: Case, recorder) -> list[Contact]:
    today = step.today
    start = max(case.opened_on, today - timedelta(days=YEAR))
    end = case.closed_on if case.state == CaseState.CLOSED and case.closed_on else today
    if end < start:
        return []
    # Some people go quiet for a while (a recall, a move, a bad patch).
    gap_from, gap_days = None, 0
    if step.chance(0.15):
        gap_from = step.date_between(start, end)
        gap_days = step.rng.randint(42, 90)
    rows: list[Contact] = []
    on = start + timedelta(days=step.rng.randint(0, 3))
    number = 0
    while on <= end:
        if gap_from and gap_from <= on < gap_from + timedelta(days=gap_days):
            on = gap_from + timedelta(days=gap_days)
            continue
        rows.append(_contact(step, case, recorder, on, first=number == 0))
        number += 1
        weeks = _age_weeks(on, case.opened_on)
        interval = 7 if weeks < 8 else (14 if weeks < 20 else 28)
        on += timedelta(days=interval + step.rng.randint(-2, 3))
    return rows


def _age_weeks(on: date, opened: date) -> int:
    return (on - opened).days // 7


def _contact(step: Step, case: Case, recorder, on: date, *, first: bool) -> Contact:
    kind = step.pick(KINDS)
    if first and case.mentor_id and step.chance(0.5):
        kind = ContactKind.GATE_MEETING
    outcome = step.pick(OUTCOMES)
    pathways = step.rng.sample(list(NOTES), k=step.rng.choice((1, 1, 2)))
    sensitive = outcome == ContactOutcome.ATTENDED and step.chance(0.03)
    note = ""
    if outcome == ContactOutcome.ATTENDED:
        note = step.rng.choice(SENSITIVE_NOTES if sensitive else NOTES[Pathway(pathways[0])])
    elif outcome == ContactOutcome.DID_NOT_ATTEND and step.chance(0.5):
        note = "Did not attend. Left a voicemail and sent a text to rearrange."
    moment = datetime.combine(on, time(step.rng.randint(9, 16), step.rng.choice((0, 15, 30, 45))))
    happened_at = timezone.make_aware(moment)
    if happened_at > timezone.now():
        happened_at = timezone.now() - timedelta(hours=1)
    return Contact(
        id=step.new_id(),
        person_id=case.person_id,
        case_id=case.pk,
        organisation_id=case.organisation_id,
        recorded_by_id=recorder,
        kind=kind,
        happened_at=happened_at,
        outcome=outcome,
        cancelled_by=step.pick(CANCELLED_BY) if outcome == ContactOutcome.CANCELLED else "",
        duration_minutes=(
            step.rng.choice((15, 30, 45, 60, 90)) if outcome == ContactOutcome.ATTENDED else None
        ),
        pathways=[str(p) for p in pathways] if outcome == ContactOutcome.ATTENDED else [],
        note=note,
        sensitive=sensitive,
    )
