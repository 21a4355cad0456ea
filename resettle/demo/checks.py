"""Checks that the demo partnership reads true: combinations a probation officer, a prison
resettlement worker or a family worker would know at once cannot happen. Each check returns
problems in plain words, naming the record; `check_demo` runs them all.

The checks read every record in the database, which on a demo site is the demo. They know the
demo's world (which of its prisons hold women) but not how the generator builds it, so a change to
the generator that makes an untrue record is caught here.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from uuid import UUID

import holidays
from django.db.models import Field
from django.utils import timezone

from resettle.accounts.models import OrganisationKind
from resettle.appointments.models import Appointment, AppointmentKind
from resettle.cases.models import Case, Task, TaskKind
from resettle.consent.models import Consent
from resettle.contacts.models import Contact, ContactKind
from resettle.custody.models import CustodyEvent, CustodyEventKind, CustodyPeriod
from resettle.demo.generator.custody import WOMENS_ESTABLISHMENTS
from resettle.demo.generator.scale.people import (
    WOMENS_ESTABLISHMENTS as SCALE_WOMENS_ESTABLISHMENTS,
)
from resettle.outcomes.models import Assessment, EndOfSupport
from resettle.people.choices import IdentifierScheme, Sex
from resettle.people.models import Address, HouseholdMember, Identifier, Person, WorkingRelationship
from resettle.plans.models import Goal, GoalStep, GoalUpdate, PlanReview
from resettle.referrals.models import Referral
from resettle.suitability.models import ANSWER_FIELDS, Answer, SuitabilityAssessment, YesNo

ADULT_AGE = 18
# England and Wales: no one under 10 can be arrested, so no PNC record is made before then.
AGE_OF_CRIMINAL_RESPONSIBILITY = 10
WOMENS_PRISONS = frozenset(WOMENS_ESTABLISHMENTS) | frozenset(SCALE_WOMENS_ESTABLISHMENTS)
# Where a child may be held: a young offender institution or a secure children's setting.
CHILDREN_HELD_AT = re.compile(r"\bYOI\b|Secure Training Centre|Secure Children's Home")
# Organisations that work with adults leaving prison; a child has no case with one.
ADULT_SERVICES = frozenset(
    {
        OrganisationKind.PROBATION,
        OrganisationKind.PRISON,
        OrganisationKind.LEAD_CHARITY,
        OrganisationKind.MENTORING,
        OrganisationKind.HOUSING,
        OrganisationKind.WOMENS_SERVICE,
        OrganisationKind.DWP,
    }
)
# Words of notes written for an adult leaving prison, not for a child.
ADULT_WORDS = re.compile(
    r"\b(licen[cs]e|probation|prison|parole|curfew|recall(?:ed)?|universal credit|benefits?|"
    r"job ?centre|tenancy|hostel|CSCS|CV|employers?|convictions?)\b",
    re.IGNORECASE,
)
# From most to least open: an answer about a kind of group session is never more open than the
# answer about group sessions with adults, as every group session has adults in it.
OPENNESS = {Answer.YES: 2, Answer.YES_WITH_MEASURES: 1, Answer.NO: 0}
GROUPS_WITH_OTHERS = ("sessions_with_under_18s_present", "sessions_with_vulnerable_adults_present")
# Measures that speak to one question: that question must be answered "yes, with measures".
MEASURE_TOPICS: dict[str, re.Pattern[str]] = {
    "sessions_with_under_18s_present": re.compile(r"under-18|junior|children", re.IGNORECASE),
    "sessions_with_vulnerable_adults_present": re.compile(r"vulnerable", re.IGNORECASE),
    "one_to_one_sessions": re.compile(r"one-to-one", re.IGNORECASE),
}
# Measures saying under-18s may not be there at all: the answer to that question is then "no".
ADULTS_ONLY = re.compile(r"adult-only|adults only|no under-18s", re.IGNORECASE)
TWO_STAFF = re.compile(r"\btwo (?:members of )?staff\b", re.IGNORECASE)
# The order events of one day happen in.
ORDER: list[str] = list(CustodyEventKind)


def _who(person: Person) -> str:
    return f"{person.full_name} ({person.pk})"


def _day(value: date | datetime) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _said(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _people() -> dict[UUID, Person]:
    people = Person.objects.only("given_name", "family_name", "sex", "date_of_birth")
    return {person.pk: person for person in people}


class _Timelines:
    """Each custody period's events in the order they happened (events of one day in the order
    they can happen), and what they tell: each person's spells inside, from going in or a recall
    to the next release, and the days they were released."""

    def __init__(self) -> None:
        self.events: dict[UUID, list[tuple[date, str]]] = defaultdict(list)
        self.spells: dict[UUID, list[tuple[date, date | None]]] = defaultdict(list)
        self.release_days: dict[UUID, set[date]] = defaultdict(set)
        people: dict[UUID, UUID] = {}
        for person_id, period_id, on, kind in CustodyEvent.objects.values_list(
            "period__person_id", "period_id", "on", "kind"
        ):
            self.events[period_id].append((on, kind))
            people[period_id] = person_id
        for period_id, events in self.events.items():
            events.sort(key=lambda event: (event[0], ORDER.index(event[1])))
            person_id, went_in = people[period_id], None
            for on, kind in events:
                if kind in (CustodyEventKind.STARTED, CustodyEventKind.RECALLED):
                    went_in = on
                elif kind == CustodyEventKind.RELEASED:
                    self.release_days[person_id].add(on)
                    if went_in is not None:
                        self.spells[person_id].append((went_in, on))
                    went_in = None
            if went_in is not None:
                self.spells[person_id].append((went_in, None))

    def inside(self, person_id: UUID, day: date) -> bool:
        return any(
            start <= day and (end is None or day < end) for start, end in self.spells[person_id]
        )


def sex_matches_the_prison() -> list[str]:
    """Women's prisons hold women only, and women are held only in women's prisons (in England
    and Wales the two estates are separate). A person whose sex is not recorded is not checked
    against the men's estate."""
    held: set[tuple[UUID, str]] = set()
    for person_id, establishment in CustodyPeriod.objects.values_list("person_id", "establishment"):
        held.add((person_id, establishment))
    for person_id, establishment in CustodyEvent.objects.exclude(establishment="").values_list(
        "period__person_id", "establishment"
    ):
        held.add((person_id, establishment))
    people = _people()
    problems = []
    for person_id, establishment in sorted(held, key=str):
        person = people[person_id]
        womens = establishment in WOMENS_PRISONS
        if womens and person.sex != Sex.FEMALE:
            problems.append(
                f"{_who(person)} ({person.get_sex_display().lower()}) is held at "
                f"{establishment}, a women's prison"
            )
        elif not womens and person.sex == Sex.FEMALE:
            problems.append(
                f"{_who(person)} (female) is held at {establishment}, which is not a women's prison"
            )
    return problems


def identifiers_dated_before_events() -> list[str]:
    """A PNC ID carries the year its record was made, at the person's first arrest: not after
    their first custody began, not before they were old enough to be arrested, not in the future.
    Prison numbers, CRNs and National Insurance numbers carry no date to check."""
    first_custody: dict[UUID, date] = {}
    for person_id, start in CustodyPeriod.objects.values_list("person_id", "start_date"):
        if person_id not in first_custody or start < first_custody[person_id]:
            first_custody[person_id] = start
    pncs = list(
        Identifier.objects.filter(scheme=IdentifierScheme.PNC).values_list("person_id", "value")
    )
    people = _people()
    this_year = timezone.localdate().year
    problems = []
    for person_id, value in sorted(pncs, key=str):
        person = people[person_id]
        year = _pnc_year(value)
        first = first_custody.get(person_id)
        if first is not None and year > first.year:
            problems.append(
                f"{_who(person)} has PNC ID {value}, made in {year}, after their first custody "
                f"began on {_said(first)}"
            )
        born = person.date_of_birth
        if born is not None and year < born.year + AGE_OF_CRIMINAL_RESPONSIBILITY:
            problems.append(
                f"{_who(person)} has PNC ID {value}, made in {year}, before they were "
                f"{AGE_OF_CRIMINAL_RESPONSIBILITY} (born {_said(born)})"
            )
        if year > this_year:
            problems.append(f"{_who(person)} has PNC ID {value}, made in {year}, in the future")
    return problems


def _pnc_year(value: str) -> int:
    year = value.split("/", 1)[0]
    if len(year) == 2:
        # As the short form is read: a year after this one is from the 1900s.
        short = int(year)
        return (2000 if short <= timezone.localdate().year % 100 else 1900) + short
    return int(year)


def releases_on_working_days() -> list[str]:
    """Prisons release Monday to Friday, never on a bank holiday: a release due on a weekend or
    bank holiday is brought forward to the working day before (England and Wales)."""
    bank_holidays = holidays.UK(subdiv="ENG")
    periods = list(CustodyPeriod.objects.select_related("person"))
    dated: list[tuple[CustodyPeriod, str, date]] = []
    for period in periods:
        for label, day in (
            ("released", period.released_on),
            ("expected to be released", period.expected_release_date),
            ("due conditional release", period.conditional_release_date),
        ):
            if day is not None:
                dated.append((period, label, day))
    by_id = {period.pk: period for period in periods}
    for period_id, on in CustodyEvent.objects.filter(kind=CustodyEventKind.RELEASED).values_list(
        "period_id", "on"
    ):
        period = by_id[period_id]
        # The latest release is also the period's `released_on`, checked above.
        if on != period.released_on:
            dated.append((period, "released", on))
    problems = []
    for period, label, day in dated:
        if day.weekday() >= 5:
            why = f"a {day:%A}"
        elif day in bank_holidays:
            why = f"a bank holiday ({bank_holidays[day]})"
        else:
            continue
        problems.append(
            f"{_who(period.person)} {label} on {_said(day)} from {period.establishment}, {why}"
        )
    return problems


def records_fit_the_age() -> list[str]:
    """A child (under 18 when the record was made) is not held in an adult prison, has no case
    with a service for adults leaving prison, and no note written for an adult leaving prison
    (licence, probation, benefits, tenancy...)."""
    people = _people()
    problems: list[str] = []

    def age(person_id: UUID, on: date | datetime) -> int | None:
        years = people[person_id].age_on(_day(on))
        return years if years is not None and years < ADULT_AGE else None

    for person_id, start, establishment in CustodyPeriod.objects.values_list(
        "person_id", "start_date", "establishment"
    ):
        years = age(person_id, start)
        if years is not None and not CHILDREN_HELD_AT.search(establishment):
            problems.append(
                f"{_who(people[person_id])} was {years} when their custody began on "
                f"{_said(start)} at {establishment}, which does not hold children"
            )
    for person_id, opened, name, kind in Case.objects.values_list(
        "person_id", "opened_on", "organisation__name", "organisation__kind"
    ):
        years = age(person_id, opened)
        if years is not None and kind in ADULT_SERVICES:
            problems.append(
                f"{_who(people[person_id])} was {years} when {name}, a service for adults, "
                f"opened their case on {_said(opened)}"
            )
    for what, person_id, on, text in _texts():
        years = age(person_id, on)
        match = ADULT_WORDS.search(text) if years is not None else None
        if match:
            problems.append(
                f"{_who(people[person_id])} was {years} when {what} of {_said(_day(on))} was "
                f"written for an adult leaving prison (“{match.group(0)}”): {text}"
            )
    return problems


def _texts() -> Iterable[tuple[str, UUID, date | datetime, str]]:
    """Every free text written about a person, with the date it speaks of."""
    for person_id, at, note in Contact.objects.exclude(note="").values_list(
        "person_id", "happened_at", "note"
    ):
        yield "the contact note", person_id, at, note
    for person_id, at, *texts in Goal.objects.values_list(
        "person_id", "created_at", "title", "in_own_words", "barriers"
    ):
        yield "the goal", person_id, at, " ".join(texts)
    for person_id, at, text in GoalStep.objects.values_list(
        "goal__person_id", "created_at", "text"
    ):
        yield "the goal step", person_id, at, text
    for person_id, on, note in GoalUpdate.objects.exclude(note="").values_list(
        "goal__person_id", "on", "note"
    ):
        yield "the goal update", person_id, on, note
    for person_id, on, summary in PlanReview.objects.values_list(
        "person_id", "reviewed_on", "summary"
    ):
        yield "the plan review", person_id, on, summary
    for person_id, at, *texts in Referral.objects.values_list(
        "person_id", "created_at", "reason", "outcome", "end_reason"
    ):
        yield "the referral", person_id, at, " ".join(texts)
    for person_id, at, note in Appointment.objects.exclude(note="").values_list(
        "person_id", "starts_at", "note"
    ):
        yield "the appointment", person_id, at, note
    for person_id, at, words in EndOfSupport.objects.exclude(in_own_words="").values_list(
        "person_id", "created_at", "in_own_words"
    ):
        yield "the end of support", person_id, at, words


def custody_contacts_fit_custody() -> list[str]:
    """A visit in custody happens while the person is inside, and a gate meeting (met, planned
    or booked) on a day they were released or are expected out."""
    timelines = _Timelines()
    expected: dict[UUID, set[date]] = defaultdict(set)
    for person_id, day in CustodyPeriod.objects.values_list("person_id", "expected_release_date"):
        if day is not None:
            expected[person_id].add(day)
    people = _people()
    problems = []
    gate_meetings: list[tuple[str, UUID, date]] = []
    for person_id, at, kind in Contact.objects.filter(
        kind__in=(ContactKind.CUSTODY_VISIT, ContactKind.GATE_MEETING)
    ).values_list("person_id", "happened_at", "kind"):
        if kind == ContactKind.GATE_MEETING:
            gate_meetings.append(("a gate meeting", person_id, _day(at)))
        elif not timelines.inside(person_id, _day(at)):
            problems.append(
                f"{_who(people[person_id])} had a visit in custody on {_said(_day(at))}, when "
                "they were not in custody"
            )
    for person_id, at in Task.objects.filter(
        kind=TaskKind.GATE_MEETING, cancelled_at=None
    ).values_list("case__person_id", "due_at"):
        gate_meetings.append(("a gate meeting planned", person_id, _day(at)))
    for person_id, at in Appointment.objects.filter(kind=AppointmentKind.GATE_MEETING).values_list(
        "person_id", "starts_at"
    ):
        gate_meetings.append(("a gate meeting booked", person_id, _day(at)))
    for what, person_id, day in gate_meetings:
        if day not in timelines.release_days[person_id] | expected[person_id]:
            problems.append(
                f"{_who(people[person_id])} has {what} on {_said(day)}, not a day they were "
                "released or are expected out"
            )
    return problems


def suitability_answers_match_measures() -> list[str]:
    """The measures partners are asked to take follow from the answers: an answer "yes, with
    measures" has measures, measures appear only with such an answer (or they restrict what the
    answers leave open), and no measure speaks to a question answered plain yes or no."""
    problems: list[str] = []
    for assessment in SuitabilityAssessment.objects.select_related("person"):
        where = f"The suitability assessment of {_who(assessment.person)} on "
        where += _said(assessment.assessed_on)
        problems.extend(f"{where}: {problem}" for problem in _contradictions(assessment))
    return problems


def _question(field: str) -> str:
    question = SuitabilityAssessment._meta.get_field(field)
    assert isinstance(question, Field)
    return str(question.verbose_name).lower()


def _contradictions(assessment: SuitabilityAssessment) -> list[str]:
    answers = {field: getattr(assessment, field) for field in ANSWER_FIELDS}
    label = {field: _question(field) for field in ANSWER_FIELDS}
    with_measures = [
        field for field, answer in answers.items() if answer == Answer.YES_WITH_MEASURES
    ]
    measures = assessment.measures
    found = []
    if with_measures and not measures.strip():
        found.append(f"“{label[with_measures[0]]}” is yes with measures, but none are given")
    if measures.strip() and not with_measures:
        found.append(f"measures are given but no answer is yes with measures: {measures}")
    for field in GROUPS_WITH_OTHERS:
        if OPENNESS[answers[field]] > OPENNESS[answers["group_sessions_with_adults"]]:
            found.append(
                f"“{label[field]}” is {Answer(answers[field]).label.lower()}, more open than "
                f"“{label['group_sessions_with_adults']}”, "
                f"{Answer(answers['group_sessions_with_adults']).label.lower()}"
            )
    for field, topic in MEASURE_TOPICS.items():
        if topic.search(measures) and answers[field] != Answer.YES_WITH_MEASURES:
            found.append(
                f"a measure speaks to “{label[field]}”, answered "
                f"{Answer(answers[field]).label.lower()}: {measures}"
            )
    if ADULTS_ONLY.search(measures) and answers["sessions_with_under_18s_present"] != Answer.NO:
        found.append(
            f"the measures keep them from under-18s, but “"
            f"{label['sessions_with_under_18s_present']}” is "
            f"{Answer(answers['sessions_with_under_18s_present']).label.lower()}: {measures}"
        )
    if TWO_STAFF.search(measures) and assessment.two_staff_needed != YesNo.YES:
        found.append(f"the measures ask for two staff, but two staff are not needed: {measures}")
    if assessment.two_staff_needed == YesNo.YES and not with_measures:
        found.append("two staff are needed, but every answer is plain yes or no")
    if (assessment.named_contact_restriction == YesNo.YES) != bool(
        assessment.named_people_to_avoid.strip()
    ):
        found.append("the named-contact restriction and the names given disagree")
    return found


def dates_in_order() -> list[str]:
    """Nothing about a person is dated before they were born; contacts fall within their case;
    a custody period runs start, release, recall, release..., end; no release is in the future."""
    people = _people()
    problems = []
    for what, person_id, on in _dated():
        person = people[person_id]
        day = _day(on)
        if person.date_of_birth and day < person.date_of_birth:
            problems.append(
                f"{_who(person)} has {what} dated {_said(day)}, before they were born on "
                f"{_said(person.date_of_birth)}"
            )
    for person_id, at, opened, closed in Contact.objects.values_list(
        "person_id", "happened_at", "case__opened_on", "case__closed_on"
    ):
        day = _day(at)
        if day < opened or (closed is not None and day > closed):
            problems.append(
                f"{_who(people[person_id])} has a contact on {_said(day)} outside their case, "
                f"open from {_said(opened)}" + (f" to {_said(closed)}" if closed else "")
            )
    problems.extend(_custody_out_of_order(people))
    return problems


def _dated() -> Iterable[tuple[str, UUID, date | datetime]]:
    sources: tuple[tuple[str, Iterable[tuple[UUID, date | datetime | None]]], ...] = (
        ("a custody period", CustodyPeriod.objects.values_list("person_id", "start_date")),
        (
            "a working relationship",
            WorkingRelationship.objects.values_list("person_id", "started_on"),
        ),
        ("a case", Case.objects.values_list("person_id", "opened_on")),
        ("a contact", Contact.objects.values_list("person_id", "happened_at")),
        ("a referral", Referral.objects.values_list("person_id", "created_at")),
        ("a household membership", HouseholdMember.objects.values_list("person_id", "joined_on")),
        ("an address", Address.objects.values_list("person_id", "from_date")),
        ("a consent to share", Consent.objects.values_list("person_id", "given_on")),
        ("a plan review", PlanReview.objects.values_list("person_id", "reviewed_on")),
        ("an outcome measure", Assessment.objects.values_list("person_id", "completed_on")),
        (
            "a suitability assessment",
            SuitabilityAssessment.objects.values_list("person_id", "assessed_on"),
        ),
    )
    for what, rows in sources:
        for person_id, on in rows:
            if on is not None:
                yield what, person_id, on


# What may follow what in a custody period's timeline.
NEXT_EVENTS: dict[str | None, set[str]] = {
    None: {CustodyEventKind.STARTED},
    CustodyEventKind.STARTED: {CustodyEventKind.RELEASED, CustodyEventKind.ENDED},
    CustodyEventKind.RELEASED: {CustodyEventKind.RECALLED, CustodyEventKind.ENDED},
    CustodyEventKind.RECALLED: {CustodyEventKind.RELEASED, CustodyEventKind.ENDED},
    CustodyEventKind.ENDED: set(),
}


def _custody_out_of_order(people: dict[UUID, Person]) -> list[str]:
    today = timezone.localdate()
    timelines = _Timelines()
    problems = []
    for period in CustodyPeriod.objects.all():
        who = _who(people[period.person_id])
        previous: str | None = None
        for on, kind in timelines.events[period.pk]:
            if kind not in NEXT_EVENTS[previous]:
                after = f"after “{CustodyEventKind(previous).label}”" if previous else "first"
                problems.append(
                    f"{who}'s custody from {_said(period.start_date)} has “"
                    f"{CustodyEventKind(kind).label}” on {_said(on)} {after}"
                )
                break
            previous = kind
        if period.released_on and period.released_on > today:
            problems.append(f"{who} was released on {_said(period.released_on)}, in the future")
    return problems


CHECKS: dict[str, Callable[[], list[str]]] = {
    "sex_matches_the_prison": sex_matches_the_prison,
    "identifiers_dated_before_events": identifiers_dated_before_events,
    "releases_on_working_days": releases_on_working_days,
    "records_fit_the_age": records_fit_the_age,
    "custody_contacts_fit_custody": custody_contacts_fit_custody,
    "suitability_answers_match_measures": suitability_answers_match_measures,
    "dates_in_order": dates_in_order,
}


def check_demo() -> list[str]:
    """Every problem every check finds, in the order of `CHECKS`."""
    return [problem for check in CHECKS.values() for problem in check()]
