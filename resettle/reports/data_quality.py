"""Data quality: how complete and timely the records of the organisations in scope are, so an
organisation can see what to fix before its figures are trusted. Counted in the database; every
figure carries its definition. Counts, never people: the records behind each count are listed,
to those who may open them, by reports/records_to_fix.py, from the same querysets."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from resettle.accounts.models import Organisation
from resettle.cases.models import Case as SupportCase
from resettle.contacts.models import Contact, ContactOutcome
from resettle.outcomes.models import EndOfSupport
from resettle.people import choices
from resettle.people.models import Address, Identifier, Person, WorkingRelationship
from resettle.registers.models import PRESENT, Attendance
from resettle.reports.figures import (
    SMALL,
    Breakdown,
    Cell,
    Figure,
    Progress,
    Report,
    Row,
    Scope,
    Sections,
    known,
    no_progress,
    unknowable,
)
from resettle.reports.periods import Period, start_of

KIND = "data-quality"
TITLE = "Data quality"

# A contact recorded more than this many days after it happened was entered late: notes written
# from memory a week on are less reliable, and the figures for that week were wrong meanwhile.
LATE_AFTER_DAYS = 7
# An open case with no attended contact for this long is probably finished or forgotten.
QUIET_DAYS = 90

COMPLETE, INCOMPLETE = "complete", "incomplete"
# The fields of a person's record whose completeness is measured, with what counts as recorded.
PERSON_FIELDS = {
    "date_of_birth": ("Date of birth", "a date of birth is recorded"),
    "ethnicity": (
        "Ethnicity",
        'an ethnic group is recorded; "prefer not to say" is a recorded answer, "not recorded" '
        "is not",
    ),
    "sex": ("Sex", 'sex is recorded; "prefer not to say" is a recorded answer'),
    "identifier": (
        "Identifier",
        "at least one identifier (prison number, CRN, PNC ID or National Insurance number) is "
        "recorded",
    ),
    "postcode": (
        "Current address",
        "a current address (one with no end date) has a postcode, or the person is recorded as "
        "of no fixed abode",
    ),
}
OUTCOME = "outcome_at_closure"
FIELDS = (*PERSON_FIELDS, OUTCOME)
PEOPLE = (
    "People worked with in the period: a working relationship with one of the organisations in "
    "scope that overlaps the period (started on or before its last day and not ended before its "
    "first). A person counts once however many organisations worked with them."
)
OUTCOME_DEFINITION = (
    "Cases of the organisations in scope closed in the period, and whether the outcome of the "
    "support (why it ended, each goal rated) was recorded for them. Every closed case has a "
    "close reason, so the close reason alone does not count as an outcome."
)
DEFINITIONS = {
    "people": PEOPLE,
    **{
        key: f"{PEOPLE} Complete when {rule}, as the record stands now."
        for key, (_, rule) in PERSON_FIELDS.items()
    },
    OUTCOME: OUTCOME_DEFINITION,
    **{
        f"{key}_percent": f"The percentage of records complete for {label.lower()}: complete "
        "divided by complete and incomplete. A percentage, not a count: it is shown in shared "
        f"reports too, except where fewer than {SMALL} records are complete or incomplete."
        for key, label in [(k, v[0]) for k, v in PERSON_FIELDS.items()]
        + [(OUTCOME, "Outcome at closure")]
    },
    "contacts_entered_late": "Attended contacts in the period that were recorded more than "
    f"{LATE_AFTER_DAYS} days after they happened (the time the record was made, against the time "
    "the contact is recorded as happening).",
    "cases_without_recent_contact": "Cases open on the last day of the period (opened on or "
    "before it and not closed by it; paused cases are open) with no attended contact on the case, "
    f"and no attended session of the case's organisation, in the {QUIET_DAYS} days up to and "
    "including that day.",
    "possible_duplicate_pairs": "Pairs of people worked with in the period, across every "
    "organisation in scope, who share a date of birth and whose given and family names sound "
    "alike (the same phonetic keys the duplicate check uses). Pairs to look at, not confirmed "
    "duplicates; people with no date of birth are not compared.",
    "score_by_organisation": "For each organisation, the mean of its completeness percentages "
    "for date of birth, ethnicity, sex, identifier and current address, and outcome at closure "
    "where it closed cases in the period. A percentage, not a count: shown in shared reports "
    f"too, except for an organisation that worked with fewer than {SMALL} people.",
    "contacts_entered_late_by_organisation": "Contacts entered late (as defined above), by the "
    "organisation that recorded them.",
    "cases_without_recent_contact_by_organisation": "Open cases without a recent contact (as "
    "defined above), by the organisation whose case it is.",
}
LABELS = {
    "people": "People worked with in the period",
    **{key: f"{label} recorded" for key, (label, _) in PERSON_FIELDS.items()},
    OUTCOME: "Outcome recorded for cases closed in the period",
    **{f"{key}_percent": f"{label} recorded (%)" for key, (label, _) in PERSON_FIELDS.items()},
    f"{OUTCOME}_percent": "Outcome recorded at closure (%)",
    "contacts_entered_late": f"Contacts entered more than {LATE_AFTER_DAYS} days late",
    "cases_without_recent_contact": f"Open cases with no contact in {QUIET_DAYS} days",
    "possible_duplicate_pairs": "Possible duplicate records (pairs)",
    "score_by_organisation": "Completeness score by organisation (%)",
    "contacts_entered_late_by_organisation": "Contacts entered late by organisation",
    "cases_without_recent_contact_by_organisation": "Open cases with no recent contact by "
    "organisation",
}
NOBODY = "nobody was worked with in the period"
NO_CLOSED_CASES = "no case was closed in the period"


def _conditions(ref: str, prefix: str) -> dict[str, Any]:
    """What makes each person field complete, as a condition on a query of people (`ref` "pk",
    no prefix) or of rows naming a person (`ref` "person_id", prefix "person__")."""
    nfa = choices.AddressKind.NO_FIXED_ABODE
    current = Address.objects.filter(person_id=OuterRef(ref), to_date__isnull=True)
    return {
        "date_of_birth": Q(**{f"{prefix}date_of_birth__isnull": False}),
        "ethnicity": ~Q(**{f"{prefix}ethnicity": choices.NOT_RECORDED}),
        "sex": ~Q(**{f"{prefix}sex": choices.NOT_RECORDED}),
        "identifier": Exists(Identifier.objects.filter(person_id=OuterRef(ref))),
        "postcode": Exists(current.filter(Q(kind=nfa) | ~Q(postcode=""))),
    }


class Counter:
    """The querysets every data quality figure of one scope and period is counted from."""

    def __init__(self, scope: Scope, period: Period) -> None:
        self.orgs = list(scope.organisation_ids)
        self.period = period
        self.first, self.after = start_of(period.start), start_of(period.after)
        self.relationships = WorkingRelationship.objects.filter(
            organisation_id__in=self.orgs, started_on__lte=period.end
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        self.people = Person.objects.filter(
            pk__in=self.relationships.values("person_id")
        ).order_by()

    def completeness(self) -> dict[str, int]:
        """People in scope, and how many are complete for each field: each person once."""
        conditions = _conditions("pk", "")
        return self.people.aggregate(
            people=Count("pk"),
            **{key: Count("pk", filter=condition) for key, condition in conditions.items()},
        )

    def completeness_by_organisation(self) -> dict[Any, dict[str, int]]:
        conditions = _conditions("person_id", "person__")
        rows = (
            self.relationships.order_by()
            .values("organisation_id")
            .annotate(
                people=Count("person_id", distinct=True),
                **{
                    key: Count("person_id", distinct=True, filter=condition)
                    for key, condition in conditions.items()
                },
            )
        )
        return {row["organisation_id"]: row for row in rows}

    # The records behind the counts. Each takes the records to look among (all of them for the
    # report; those a user may open for the lists of records to fix), so a list and the count
    # it is behind are made by one definition.

    def incomplete(self, key: str, people: QuerySet[Person] | None = None) -> QuerySet[Person]:
        """People in scope not complete for one of PERSON_FIELDS."""
        people = Person.objects.all() if people is None else people
        return people.filter(pk__in=self.relationships.values("person_id")).exclude(
            _conditions("pk", "")[key]
        )

    def closed_cases(self, cases: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
        cases = SupportCase.objects.all() if cases is None else cases
        return cases.filter(
            organisation_id__in=self.orgs,
            closed_on__gte=self.period.start,
            closed_on__lte=self.period.end,
        )

    def closed_without_outcome(
        self, cases: QuerySet[SupportCase] | None = None
    ) -> QuerySet[SupportCase]:
        return self.closed_cases(cases).exclude(Exists(OUTCOME_RECORDED))

    def late_contacts(self, contacts: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
        contacts = Contact.objects.all() if contacts is None else contacts
        return contacts.filter(
            organisation_id__in=self.orgs,
            outcome=ContactOutcome.ATTENDED,
            happened_at__gte=self.first,
            happened_at__lt=self.after,
            created_at__gt=F("happened_at") + timedelta(days=LATE_AFTER_DAYS),
        )

    def quiet_cases(self, cases: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
        cases = SupportCase.objects.all() if cases is None else cases
        end = self.period.end
        since = start_of(end - timedelta(days=QUIET_DAYS - 1))
        contact = Contact.objects.filter(
            case_id=OuterRef("pk"),
            outcome=ContactOutcome.ATTENDED,
            happened_at__gte=since,
            happened_at__lt=self.after,
        )
        session = Attendance.objects.filter(
            person_id=OuterRef("person_id"),
            session__service__organisation_id=OuterRef("organisation_id"),
            session__cancelled_at__isnull=True,
            session__starts_at__gte=since,
            session__starts_at__lt=self.after,
            status__in=PRESENT,
        )
        return (
            cases.filter(organisation_id__in=self.orgs, opened_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
            .exclude(Exists(contact))
            .exclude(Exists(session))
        )

    def compared(self, people: QuerySet[Person] | None = None) -> QuerySet[Person]:
        """People in scope who can be compared for duplicates: a date of birth, and names."""
        people = Person.objects.all() if people is None else people
        return (
            people.filter(pk__in=self.relationships.values("person_id"))
            .filter(date_of_birth__isnull=False)
            .exclude(Q(given_key="") | Q(family_key=""))
        )

    def with_later_look_alikes(self, people: QuerySet[Person] | None = None) -> QuerySet[Person]:
        """Of `compared(people)`, those with at least one look-alike after them (by id), each
        annotated with how many: one row for every first record of a pair."""
        compared = self.compared(people)
        later = (
            compared.filter(
                date_of_birth=OuterRef("date_of_birth"),
                given_key=OuterRef("given_key"),
                family_key=OuterRef("family_key"),
                pk__gt=OuterRef("pk"),
            )
            .order_by()
            .values("date_of_birth")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return compared.annotate(later=Coalesce(Subquery(later), 0)).filter(later__gt=0)

    # The counts.

    def closed_cases_by_organisation(self) -> dict[Any, tuple[int, int]]:
        """(cases closed in the period, those with an outcome recorded) per organisation."""
        rows = (
            self.closed_cases()
            .order_by()
            .values_list("organisation_id")
            .annotate(closed=Count("pk"), complete=Count("pk", filter=Exists(OUTCOME_RECORDED)))
        )
        return {org: (closed, complete) for org, closed, complete in rows}

    def late_contacts_by_organisation(self) -> dict[Any, int]:
        return _by_organisation(self.late_contacts())

    def quiet_cases_by_organisation(self) -> dict[Any, int]:
        return _by_organisation(self.quiet_cases())

    def possible_duplicate_pairs(self) -> int:
        """Each pair once: every person counts the alike people after them (by id)."""
        return self.with_later_look_alikes().aggregate(pairs=Coalesce(Sum("later"), 0))["pairs"]


OUTCOME_RECORDED = EndOfSupport.objects.filter(case_id=OuterRef("pk"))


def _by_organisation(records: QuerySet) -> dict[Any, int]:
    return dict(
        records.order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )


def _percent(complete: int, total: int) -> float:
    return round(100 * complete / total, 1)


def _percent_cell(complete: int, total: int, *, exact: bool, none: str) -> Cell:
    """A percentage, withheld from a shared report where it would give away a small count: with
    the total shown, 3% of 100 is 3 people."""
    if total == 0:
        return unknowable(none)
    incomplete = total - complete
    if not exact and (0 < complete < SMALL or 0 < incomplete < SMALL):
        return Cell(
            None,
            suppressed=True,
            reason=f"hidden: fewer than {SMALL} records are complete or incomplete",
        )
    return known(_percent(complete, total))


def _score(counts: dict[str, int], closed: tuple[int, int], *, exact: bool) -> Cell:
    people = counts.get("people", 0)
    if people == 0:
        return unknowable(NOBODY)
    if not exact and people < SMALL:
        return Cell(None, suppressed=True, reason=f"hidden: fewer than {SMALL} people")
    percentages = [_percent(counts[key], people) for key in PERSON_FIELDS]
    if closed[0]:
        percentages.append(_percent(closed[1], closed[0]))
    return known(round(sum(percentages) / len(percentages), 1))


def _figure(key: str, cell: Cell, is_count: bool = True) -> Figure:
    return Figure(key, LABELS[key], DEFINITIONS[key], cell, is_count)


def _split(key: str, complete: int, total: int) -> Breakdown:
    rows = (
        Row(COMPLETE, "Complete", known(complete)),
        Row(INCOMPLETE, "Incomplete", known(total - complete)),
    )
    return Breakdown(key, LABELS[key], DEFINITIONS[key], rows)


SECTIONS = (
    "Completeness of records",
    "Outcomes at closure",
    "Contacts entered late",
    "Open cases without recent contact",
    "Possible duplicate records",
)


def data_quality(
    *, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress
) -> Report:
    """The figures, unsuppressed: `figures.suppressed` hides small counts before sharing.
    Percentages that would give a small count away are withheld here, as only this report
    knows which count each percentage is made of."""
    sections = Sections(progress, SECTIONS)
    sections.begin("Completeness of records")
    counter = Counter(scope, period)
    names = dict(Organisation.objects.filter(pk__in=counter.orgs).values_list("pk", "name"))
    organisations = sorted(names.items(), key=lambda item: item[1])
    everyone = counter.completeness()
    people = everyone["people"]
    by_organisation = counter.completeness_by_organisation()
    sections.begin("Outcomes at closure")
    closed_by_organisation = counter.closed_cases_by_organisation()
    closed = sum(c for c, _ in closed_by_organisation.values())
    with_outcome = sum(o for _, o in closed_by_organisation.values())
    sections.begin("Contacts entered late")
    late = counter.late_contacts_by_organisation()
    sections.begin("Open cases without recent contact")
    quiet = counter.quiet_cases_by_organisation()
    sections.begin("Possible duplicate records")
    pairs = counter.possible_duplicate_pairs()

    figures = [_figure("people", known(people))]
    figures += [
        _figure(
            f"{key}_percent",
            _percent_cell(everyone[key], people, exact=exact, none=NOBODY),
            is_count=False,
        )
        for key in PERSON_FIELDS
    ]
    figures += [
        _figure(
            f"{OUTCOME}_percent",
            _percent_cell(with_outcome, closed, exact=exact, none=NO_CLOSED_CASES),
            is_count=False,
        ),
        _figure("contacts_entered_late", known(sum(late.values()))),
        _figure("cases_without_recent_contact", known(sum(quiet.values()))),
        _figure("possible_duplicate_pairs", known(pairs)),
    ]
    breakdowns = [_split(key, everyone[key], people) for key in PERSON_FIELDS]
    breakdowns += [
        _split(OUTCOME, with_outcome, closed),
        Breakdown(
            "score_by_organisation",
            LABELS["score_by_organisation"],
            DEFINITIONS["score_by_organisation"],
            tuple(
                Row(
                    str(pk),
                    name,
                    _score(
                        by_organisation.get(pk, {}),
                        closed_by_organisation.get(pk, (0, 0)),
                        exact=exact,
                    ),
                )
                for pk, name in organisations
            ),
            is_count=False,
        ),
    ]
    if scope.kind == "partnership":
        for key, counts in (
            ("contacts_entered_late_by_organisation", late),
            ("cases_without_recent_contact_by_organisation", quiet),
        ):
            rows = tuple(Row(str(pk), name, known(counts.get(pk, 0))) for pk, name in organisations)
            breakdowns.append(Breakdown(key, LABELS[key], DEFINITIONS[key], rows))
    return Report(
        kind=KIND,
        title=TITLE,
        scope=scope,
        period=period,
        exact=exact,
        figures=tuple(figures),
        breakdowns=tuple(breakdowns),
        made_at=timezone.now(),
    )
