"""A year of contacts (DESIGN §7) for every live or closed case: weekly at first, then falling
off to fortnightly and monthly, as the seeds' projects describe; some did-not-attends and
cancellations, some people with long gaps (recalled, or simply gone quiet), and a few sensitive
notes that only the recording organisation reads. Reads `result.cases` (the cases step), the
families and the custody events.

Each contact is written for whom it is with: a person leaving prison, an adult in their family,
a child, or a young child seen with their carer. Visits in custody happen only while the person
is inside, and a mentor's gate meeting on the day of a release."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.utils import timezone

from resettle.cases.models import Case, CaseState
from resettle.contacts.models import CancelledBy, Contact, ContactKind, ContactOutcome
from resettle.core.pathways import Pathway
from resettle.custody.models import CustodyEvent, CustodyEventKind
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.choices import Sex
from resettle.people.models import Person

YEAR = 365
KINDS: dict[str, float] = {
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
NOTES: dict[str, tuple[str, ...]] = {
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
# `{parent}` is the child's parent leaving prison, as a child would say it.
PARENT_WORDS: dict[str, str] = {Sex.MALE: "their dad", Sex.FEMALE: "their mum"}


@dataclass(frozen=True)
class Voice:
    """What contacts with one kind of person are like: how they happen and what the notes say."""

    kinds: dict[str, float]
    notes: dict[str, tuple[str, ...]]
    sensitive: tuple[str, ...]
    missed: str


LEAVER = Voice(
    KINDS,
    NOTES,
    SENSITIVE_NOTES,
    "Did not attend. Left a voicemail and sent a text to rearrange.",
)
FAMILY = Voice(
    {
        ContactKind.FACE_TO_FACE: 50.0,
        ContactKind.PHONE: 30.0,
        ContactKind.TEXT: 10.0,
        ContactKind.SESSION: 10.0,
    },
    {
        Pathway.CHILDREN_FAMILIES: (
            "Talked through how the children are coping; booked places on the next family day.",
            "Planned together what to tell the children, and when. We will go over it next week.",
            "Went through the visits booking line and what to expect on the first visit.",
        ),
        Pathway.HEALTH: (
            "Worn out juggling everything alone. Gave details of the carers' support group.",
            "Sleeping badly since the sentence. Agreed to see the GP this week.",
        ),
        Pathway.FINANCE_BENEFIT_ID: (
            "Applied together for help with the cost of travel to visits.",
            "Went through the household budget now there is one income; food bank voucher given.",
        ),
    },
    (
        "Frightened of how things will be when they come home. Safety plan discussed.",
        "Disclosed debts taken out in their name. Referred to debt advice with their consent.",
    ),
    "Did not attend. Left a voicemail to rearrange.",
)
CHILD = Voice(
    {ContactKind.FACE_TO_FACE: 60.0, ContactKind.SESSION: 40.0},
    {
        Pathway.CHILDREN_FAMILIES: (
            "Talked about missing {parent} and made a card to send.",
            "Came to the family day; asked lots of questions about the next visit.",
            "Read the story about a parent being away together. Good questions afterwards.",
        ),
        Pathway.HEALTH: (
            "Using the worry box at bedtime; says the tummy aches come less often.",
            "Drew how the week felt: calmer than last month.",
        ),
        Pathway.EDUCATION_EMPLOYMENT: (
            "Met the school's family worker with their carer; school will tell us of any change.",
            "At school every day this half-term and proud of the reading certificate.",
        ),
    },
    (
        "Said other children at school have been unkind about {parent}. Agreed with their "
        "carer to speak to the school's safeguarding lead.",
    ),
    "Did not come to the session. Rang their carer to rearrange.",
)
YOUNG_CHILD = Voice(
    {ContactKind.FACE_TO_FACE: 50.0, ContactKind.SESSION: 50.0},
    {
        Pathway.CHILDREN_FAMILIES: (
            "Stay-and-play at the family room with their carer; settled well with the others.",
            "Home visit: sleeping better since the new bedtime routine, their carer says.",
            "Looked at photos of {parent} together; their carer will bring them to the family day.",
        ),
    },
    (),
    "Did not come to stay-and-play. Rang their carer to rearrange.",
)


def create_contacts(result: DemoResult) -> None:
    step = Step(result, "contacts")
    staff = _staff_by_organisation(result)
    custody = _Custody()
    family = _Family(result)
    contacts: list[Contact] = []
    for case in result.cases:
        if not isinstance(case, Case):
            continue
        recorder = case.mentor_id or case.worker_id or staff.get(case.organisation_id)
        if recorder is None:
            continue
        contacts.extend(_case_contacts(step, case, recorder, custody, family))
    save_all(Contact, contacts, "contacts", result)


class _Custody:
    """Each person's spells inside (from going in, or a recall, to the next release) and the
    days they were released, from the custody step's events."""

    def __init__(self) -> None:
        timelines: dict[UUID, list[tuple[date, int, str, UUID]]] = defaultdict(list)
        order: list[str] = list(CustodyEventKind)
        for person_id, period_id, on, kind in CustodyEvent.objects.values_list(
            "period__person_id", "period_id", "on", "kind"
        ):
            timelines[period_id].append((on, order.index(kind), kind, person_id))
        self.spells: dict[UUID, list[tuple[date, date | None]]] = defaultdict(list)
        self.releases: dict[UUID, list[date]] = defaultdict(list)
        for events in timelines.values():
            went_in = None
            for on, _order, kind, person_id in sorted(events):
                if kind in (CustodyEventKind.STARTED, CustodyEventKind.RECALLED):
                    went_in = on
                elif kind == CustodyEventKind.RELEASED and went_in is not None:
                    self.spells[person_id].append((went_in, on))
                    self.releases[person_id].append(on)
                    went_in = None
            if went_in is not None:
                self.spells[person_id].append((went_in, None))
        for days in self.releases.values():
            days.sort()

    def inside(self, person_id: UUID, day: date) -> bool:
        return any(
            start <= day and (end is None or day < end) for start, end in self.spells[person_id]
        )


class _Family:
    """Who is a family member rather than a person leaving prison, and which parent a child
    would speak of."""

    def __init__(self, result: DemoResult) -> None:
        self.members = {person.pk for person in result.family_members}
        self.parent: dict[UUID, str] = {}
        for family in result.families:
            for child in family.children:
                self.parent[child.pk] = PARENT_WORDS.get(family.leaver.sex, "their parent")

    def voice(self, person: Person, on: date) -> Voice:
        if person.pk not in self.members:
            return LEAVER
        age = person.age_on(on)
        if age is None or age >= 18:
            return FAMILY
        return YOUNG_CHILD if age < 5 else CHILD


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


def _case_contacts(
    step: Step, case: Case, recorder, custody: _Custody, family: _Family
) -> list[Contact]:
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
    # A mentor whose case opens as the person is released meets them at the gate that day.
    soon = min(end, start + timedelta(days=14))
    gate = None
    if case.mentor_id is not None:
        gate = next((day for day in custody.releases[case.person_id] if start <= day <= soon), None)
    on = gate or on
    parent = family.parent.get(case.person_id, "their parent")
    while on <= end:
        if gap_from and gap_from <= on < gap_from + timedelta(days=gap_days):
            on = gap_from + timedelta(days=gap_days)
            continue
        voice = family.voice(case.person, on)
        kind: str
        if on == gate:
            kind = ContactKind.GATE_MEETING
        else:
            inside = custody.inside(case.person_id, on)
            kind = step.pick(
                {k: w for k, w in voice.kinds.items() if inside or k != ContactKind.CUSTODY_VISIT}
            )
        rows.append(_contact(step, case, recorder, on, kind, voice, parent))
        weeks = _age_weeks(on, case.opened_on)
        interval = 7 if weeks < 8 else (14 if weeks < 20 else 28)
        on += timedelta(days=interval + step.rng.randint(-2, 3))
    return rows


def _age_weeks(on: date, opened: date) -> int:
    return (on - opened).days // 7


def _contact(
    step: Step, case: Case, recorder, on: date, kind: str, voice: Voice, parent: str
) -> Contact:
    outcome = step.pick(OUTCOMES)
    pathways = step.rng.sample(
        list(voice.notes), k=min(len(voice.notes), step.rng.choice((1, 1, 2)))
    )
    sensitive = bool(voice.sensitive) and outcome == ContactOutcome.ATTENDED and step.chance(0.03)
    note = ""
    if outcome == ContactOutcome.ATTENDED:
        notes = voice.sensitive if sensitive else voice.notes[pathways[0]]
        note = step.rng.choice(notes).format(parent=parent)
    elif outcome == ContactOutcome.DID_NOT_ATTEND and step.chance(0.5):
        note = voice.missed
    moment = datetime.combine(on, time(step.rng.randint(9, 16), step.rng.choice((0, 15, 30, 45))))
    happened_at = timezone.make_aware(moment)
    if happened_at > timezone.now():
        # Earlier today, never yesterday: the contact stays on its day.
        day_began = timezone.make_aware(datetime.combine(on, time(0)))
        happened_at = max(timezone.now() - timedelta(hours=1), day_began)
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
