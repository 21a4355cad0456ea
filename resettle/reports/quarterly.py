"""The quarterly return (DESIGN §5 is the contract): what a funder and the partnership board ask for
every quarter, counted in the database, with every figure's definition beside it."""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from statistics import median
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models import Value as V
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone

from resettle.accounts.models import Organisation
from resettle.cases.models import Case as SupportCase
from resettle.contacts.models import Contact, ContactOutcome
from resettle.core.pathways import Pathway
from resettle.custody.models import CustodyPeriod
from resettle.linkage.selectors import distinct_people
from resettle.outcomes.models import Assessment, Timepoint
from resettle.people import choices
from resettle.people.models import Address, HouseholdMember, Person, Relationship
from resettle.referrals.models import Referral, ReferralState
from resettle.registers.models import PRESENT, Attendance, Enrolment, Session
from resettle.reports.figures import (
    NOT_RECORDED,
    Breakdown,
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
from resettle.reports.periods import Period, quarter_bounds, quarter_of, start_of
from resettle.reports.staging import Table, alongside, report_planning, staged

KIND = "quarterly-return"
TITLE = "Quarterly return"

DEFINITIONS = {
    "referrals_received": "Referrals made to the services in scope that were created in the "
    "period, whatever state they are in now. Drafts never sent are not received.",
    "new_starts": "People whose first attended contact or session with the organisations in scope "
    "falls in the period.",
    "active_caseload_at_period_end": "Cases opened on or before the last day of the period and not "
    "closed by the end of it (paused cases are open).",
    "people_supported": "Distinct people with at least one attended contact or session in the "
    "period. A person counts once however many contacts they had, and once across the partnership "
    "however many of its organisations supported them.",
    "secondary_beneficiaries": "People supported in the period who are family members supported "
    "in their own right: no custody record of their own, and recorded as a relative of, or "
    "living in a household with, someone who has one.",
    "contacts_attended": "Attended contacts in the period, each attended session counting as one "
    "contact.",
    "sessions_attended": "Session register marks of attended, late or left early in the period "
    "(included in contacts attended).",
    "unregistered_headcount": "People counted at open sessions who are not on the register: a "
    "headcount, never turned into people.",
    "supported_by_more_than_one": "People supported in the period by more than one organisation "
    "in scope. Counts only, never names.",
    "median_days_to_first_contact": "For referrals received in the period, the median number of "
    "days from the referral being made to the person's first attended contact or session with "
    "the receiving organisation on or after that day. Referrals with no such contact yet are not "
    "in the median.",
    "age_band": "Age on the last day of the period, of the people supported.",
    "sex": "Sex of the people supported.",
    "gender_identity": "Gender identity of the people supported, where recorded.",
    "ethnicity": "Ethnic group of the people supported (ONS 2021 Census groups).",
    "disability": "Disability of the people supported (Equality Act definition).",
    "area": "Postcode district of the current address of the people supported.",
    "referral_pathway": "Referrals received, by the pathway of the need referred for.",
    "source_organisation": "Referrals received, by the organisation that made them.",
    "destination_organisation": "Referrals received, by the organisation receiving them.",
    "referral_state": "Referrals received, by the state they are in now.",
    "people_supported_by_organisation": "People supported in the period by each organisation "
    "(each person once per organisation).",
    "trend_people_supported": "People supported (as above) in each of the last four quarters of "
    "the financial year up to the one the period ends in; the latest to the period's end.",
    "trend_referrals_received": "Referrals received (as above) in each of the last four quarters "
    "of the financial year up to the one the period ends in; the latest to the period's end.",
    "outcomes": "People supported in the period with a baseline and a later review or exit "
    "assessment of the same instrument, completed by the end of the period. Change per question "
    "is on each service's outcome summary.",
}
LABELS = {
    "referrals_received": "Referrals received",
    "new_starts": "New starts",
    "active_caseload_at_period_end": "Active caseload at period end",
    "people_supported": "People supported",
    "secondary_beneficiaries": "Secondary beneficiaries (family members)",
    "contacts_attended": "Contacts attended",
    "sessions_attended": "Sessions attended",
    "unregistered_headcount": "Unregistered headcount at open sessions",
    "supported_by_more_than_one": "People supported by more than one organisation",
    "median_days_to_first_contact": "Median days from referral to first contact",
    "age_band": "Age band",
    "sex": "Sex",
    "gender_identity": "Gender identity",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "area": "Area (postcode district)",
    "referral_pathway": "Referrals by pathway",
    "source_organisation": "Referrals by source organisation",
    "destination_organisation": "Referrals by receiving organisation",
    "referral_state": "Referrals by outcome so far",
    "people_supported_by_organisation": "People supported by organisation",
    "outcomes": "Outcomes: people with a baseline and a later assessment",
    "trend_people_supported": "Trend: people supported by quarter",
    "trend_referrals_received": "Trend: referrals received by quarter",
}
TREND_QUARTERS = 4
AGE_BANDS = (
    ("under_18", "Under 18", 0),
    ("18_24", "18 to 24", 18),
    ("25_34", "25 to 34", 25),
    ("35_44", "35 to 44", 35),
    ("45_54", "45 to 54", 45),
    ("55_64", "55 to 64", 55),
    ("65_and_over", "65 and over", 65),
)
NO_FIXED_ABODE = "no_fixed_abode"
DEMOGRAPHICS = ("sex", "gender_identity", "ethnicity", "disability")
REFERRAL_GROUPS = ("pathway", "referring_organisation__name", "state", "service__organisation_id")


PAIRS = (
    "SELECT person_id, org AS organisation_id, SUM(is_contact) AS contacts, "
    "SUM(is_session) AS sessions FROM ({seen}) AS seen GROUP BY person_id, org"
)


# The staged people supported who have no custody record of their own.
OWN_CUSTODY_NONE = (
    "SELECT s.person_id AS id FROM {supported} s WHERE NOT EXISTS "
    "(SELECT 1 FROM {custody} c WHERE c.person_id = s.person_id)"
)


class Counter:
    """The querysets every figure of one scope and period is counted from. The counts of the
    people supported and of attended contacts (`supported_count`, `attended`, the per
    organisation ones) read the staged tables, so are called inside `with counter.staged()`."""

    def __init__(self, scope: Scope, period: Period) -> None:
        self.orgs = list(scope.organisation_ids)
        self.period = period
        self.first, self.after = start_of(period.start), start_of(period.after)
        self.contacts = Contact.objects.filter(
            organisation_id__in=self.orgs, outcome=ContactOutcome.ATTENDED
        )
        self.sessions = Attendance.objects.filter(
            session__service__organisation_id__in=self.orgs,
            session__cancelled_at__isnull=True,
            status__in=PRESENT,
        )
        self.filters = scope.filters
        self.cases = SupportCase.objects.filter(organisation_id__in=self.orgs)
        referrals = Referral.objects.filter(service__organisation_id__in=self.orgs)
        filters = scope.filters
        if filters.service_id:
            # A contact belongs to a service through the referral its case was opened from.
            self.contacts = self.contacts.filter(case__referral__service_id=filters.service_id)
            self.sessions = self.sessions.filter(session__service_id=filters.service_id)
            self.cases = self.cases.filter(referral__service_id=filters.service_id)
            referrals = referrals.filter(service_id=filters.service_id)
        if filters.programme_id:
            # Referrals carry no programme: a referral is the programme's when someone was
            # enrolled in the programme from it, and a contact is through the case opened from it.
            enrolled_from = Enrolment.objects.filter(
                programme_id=filters.programme_id, referral__isnull=False
            ).values("referral_id")
            self.contacts = self.contacts.filter(case__referral_id__in=enrolled_from)
            self.sessions = self.sessions.filter(session__programme_id=filters.programme_id)
            self.cases = self.cases.filter(referral_id__in=enrolled_from)
            referrals = referrals.filter(pk__in=enrolled_from)
        if filters.pathway:
            # Pathways are lists of codes held as JSON; a code is matched whole, quotes included.
            code = f'"{filters.pathway}"'
            self.contacts = self.contacts.filter(pathways__icontains=code)
            self.sessions = self.sessions.filter(session__service__pathways__icontains=code)
            self.cases = self.cases.filter(referral__pathway=filters.pathway)
            referrals = referrals.filter(pathway=filters.pathway)
        self.contacts_in = self.contacts.filter(
            happened_at__gte=self.first, happened_at__lt=self.after
        )
        self.sessions_in = self.sessions.filter(
            session__starts_at__gte=self.first, session__starts_at__lt=self.after
        )
        # Who was supported, once each: one set the database builds from both sources, which
        # every figure about them starts from (an OR of two lists would have it check everyone).
        self.supported_union = (
            self.contacts_in.order_by()
            .values_list("person_id")
            .union(self.sessions_in.order_by().values_list("person_id"))
        )
        # While staged, the ids are read from the staged table instead.
        self.supported_ids: QuerySet[Any, Any] | RawSQL = self.supported_union
        self.supported = Person.objects.filter(pk__in=self.supported_ids).order_by()
        self.tables: dict[str, str] = {}
        self.referrals = (
            referrals.filter(created_at__gte=self.first, created_at__lt=self.after)
            .exclude(state=ReferralState.DRAFT)
            .order_by()
        )

    @contextmanager
    def staged(self) -> Iterator[None]:
        """While the block runs, the period's attended (person, organisation) pairs, with how
        many contacts and session marks each had, and the people supported are kept in tables
        (`self.tables`), worked out once for every figure that starts from them."""
        contacts = self.contacts_in.order_by().annotate(
            org=F("organisation_id"), is_contact=V(1), is_session=V(0)
        )
        sessions = self.sessions_in.order_by().annotate(
            org=F("session__service__organisation_id"), is_contact=V(0), is_session=V(1)
        )
        columns = ("person_id", "org", "is_contact", "is_session")
        seen = contacts.values_list(*columns).union(sessions.values_list(*columns), all=True)
        sql, params = seen.query.sql_with_params()
        # Braces are doubled: staged() reads {name} in the SQL as an earlier table.
        pairs = PAIRS.format(seen=sql.replace("{", "{{").replace("}", "}}"))
        with staged(
            pairs=Table(pairs, params, key=("person_id", "organisation_id")),
            supported=Table("SELECT DISTINCT person_id FROM {pairs}", key=("person_id",)),
        ) as tables:
            unstaged = self.supported_ids, self.supported
            self.tables = tables
            table = tables["supported"]  # a name staged() made, not input
            self.supported_ids = RawSQL(f"SELECT person_id FROM {table}", ())  # noqa: S608, S611
            self.supported = Person.objects.filter(pk__in=self.supported_ids).order_by()
            try:
                yield
            finally:
                self.tables = {}
                self.supported_ids, self.supported = unstaged

    def _select(self, sql: str) -> list[tuple]:
        """`sql` over the staged tables, named in it as {pairs} and {supported}."""
        with connection.cursor() as cursor:
            cursor.execute(sql.format(**self.tables))
            return cursor.fetchall()

    def attended(self) -> tuple[int, int]:
        """Attended contacts and attended session marks in the period."""
        contacts, sessions = self._select("SELECT SUM(contacts), SUM(sessions) FROM {pairs}")[0]
        return int(contacts or 0), int(sessions or 0)

    def new_starts(self) -> int:
        # Correlated: an index lookup per person supported, not a list of everyone seen before.
        person = OuterRef("pk")
        before = Exists(
            self.contacts.filter(person_id=person, happened_at__lt=self.first)
        ) | Exists(self.sessions.filter(person_id=person, session__starts_at__lt=self.first))
        return self.supported.exclude(before).count()

    def active_caseload(self) -> int:
        end = self.period.end
        return (
            self.cases.filter(opened_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
            .count()
        )

    def secondary_beneficiaries(self) -> int:
        # Each check looks up one person's custody by index: everyone with a custody record is
        # most of the people at national scale, too many to list.
        def leaver(field: str) -> Exists:
            return Exists(CustodyPeriod.objects.filter(person_id=OuterRef(field)))

        related_to_leaver = Relationship.objects.filter(person=OuterRef("pk")).filter(
            leaver("related_person_id")
        )
        leaver_related_to = Relationship.objects.filter(related_person=OuterRef("pk")).filter(
            leaver("person_id")
        )
        shares_home = HouseholdMember.objects.filter(
            household__members__person=OuterRef("pk")
        ).filter(leaver("person_id"))
        # The few supported who have no custody record of their own are found first and kept,
        # so the three checks run for them alone: in one query the database would run them for
        # every person supported before ruling out those with custody.
        if self.tables:
            # Straight from the staged ids: joining the people table only to check custody
            # would read all of it.
            custody = CustodyPeriod._meta.db_table
            sql = OWN_CUSTODY_NONE.format(supported=self.tables["supported"], custody=custody)
            params = ()
        else:
            sql, params = self.supported.exclude(leaver("pk")).values("id").query.sql_with_params()
        with staged(family=Table(sql, params, key=("id",))) as tables:
            family = tables["family"]  # a name staged() made, not input
            people = RawSQL(f"SELECT id FROM {family}", ())  # noqa: S608, S611
            return (
                Person.objects.filter(pk__in=people)
                .filter(
                    Exists(related_to_leaver.values("pk"))
                    | Exists(leaver_related_to.values("pk"))
                    | Exists(shares_home.values("pk"))
                )
                .count()
            )

    def unregistered_headcount(self) -> int:
        sessions = Session.objects.filter(
            service__organisation_id__in=self.orgs,
            cancelled_at__isnull=True,
            starts_at__gte=self.first,
            starts_at__lt=self.after,
        )
        # Narrowed as the registers are: the filters count these sessions only.
        if self.filters.service_id:
            sessions = sessions.filter(service_id=self.filters.service_id)
        if self.filters.programme_id:
            sessions = sessions.filter(programme_id=self.filters.programme_id)
        if self.filters.pathway:
            sessions = sessions.filter(service__pathways__icontains=f'"{self.filters.pathway}"')
        return sum(sessions.values_list("unregistered_headcount", flat=True))

    def supported_count(self) -> int:
        return self._select("SELECT COUNT(*) FROM {supported}")[0][0]

    def supported_by_organisation(self) -> dict[Any, int]:
        rows = self._select(
            "SELECT organisation_id, COUNT(*) FROM {pairs} GROUP BY organisation_id"
        )
        counts = {_organisation_id(org): n for org, n in rows}
        return {org: counts.get(org, 0) for org in self.orgs}

    def supported_by_more_than_one(self) -> int:
        rows = self._select(
            "SELECT COUNT(*) FROM (SELECT person_id FROM {pairs} GROUP BY person_id "
            "HAVING COUNT(*) > 1) AS several"
        )
        return rows[0][0]

    def days_to_first_contact(self) -> list[int]:
        first_contact = Subquery(
            self.contacts.filter(
                person_id=OuterRef("person_id"),
                organisation_id=OuterRef("service__organisation_id"),
                happened_at__gte=OuterRef("created_at"),
            )
            .order_by()
            .values("person_id")
            .annotate(first=Min("happened_at"))
            .values("first")[:1]
        )
        # Session marks are few beside contacts: the marks of the people referred are read in
        # one query and matched here, where a look-up per referral made the database scan the
        # sessions again for each.
        marks: dict[tuple, list] = defaultdict(list)
        referred = self.sessions.filter(person_id__in=self.referrals.values("person_id"))
        for person, organisation, starts_at in referred.values_list(
            "person_id", "session__service__organisation_id", "session__starts_at"
        ).order_by():
            marks[person, organisation].append(starts_at)
        for times in marks.values():
            times.sort()
        days = []
        rows = self.referrals.annotate(contact=first_contact).values_list(
            "person_id", "service__organisation_id", "created_at", "contact"
        )
        for person, organisation, made, contact in rows:
            times = marks.get((person, organisation), [])
            later = bisect_left(times, made)
            session = times[later] if later < len(times) else None
            seen = [moment for moment in (contact, session) if moment is not None]
            if seen:
                days.append((timezone.localdate(min(seen)) - timezone.localdate(made)).days)
        return days

    def demographics(self) -> dict[str, dict[str, int]]:
        """Counts of the people supported by each of DEMOGRAPHICS and by age band, from one
        query grouped by all of them at once (a few hundred groups, summed here)."""
        end = self.period.end
        band = Case(
            When(date_of_birth__isnull=True, then=V(NOT_RECORDED)),
            *[
                When(date_of_birth__lte=end - relativedelta(years=years), then=V(key))
                for key, _, years in reversed(AGE_BANDS)
                if years
            ],
            default=V(AGE_BANDS[0][0]),
            output_field=CharField(),
        )
        fields = [*DEMOGRAPHICS, "age_band"]
        counts: dict[str, dict[str, int]] = {field: defaultdict(int) for field in fields}
        groups = (
            self.supported.annotate(age_band=band)
            .values_list(*fields)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for *values, n in groups:
            for field, value in zip(fields, values, strict=True):
                counts[field][value] += n
        return counts

    def districts(self) -> dict[str, int]:
        """The people supported who have a current address, by its postcode district (or no
        fixed abode, or not recorded where it has no postcode). Those with no current address
        are left to the caller, which knows how many were supported."""
        # Each person's latest current address, numbered in one pass over the current addresses
        # of the people supported (a look-up per person and field took several at national
        # scale). One without a date counts as older than any with one (databases disagree
        # where NULLs sort unless told).
        latest = Window(
            RowNumber(),
            partition_by=[F("person_id")],
            order_by=[F("from_date").desc(nulls_last=True), F("created_at").desc()],
        )
        current = (
            Address.objects.filter(person_id__in=self.supported_ids, to_date__isnull=True)
            .annotate(number=latest)
            .values_list("postcode", "kind", "number")
            .order_by()
        )
        sql, params = current.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT postcode, kind, COUNT(*) FROM ({sql}) AS latest "  # noqa: S608
                "WHERE number = 1 GROUP BY postcode, kind",
                params,
            )
            rows = cursor.fetchall()
        districts: dict[str, int] = defaultdict(int)
        for postcode, kind, n in rows:
            if kind == NO_FIXED_ABODE:
                districts[NO_FIXED_ABODE] += n
            elif postcode and postcode.strip():
                districts[postcode.split()[0].upper()] += n
            else:
                districts[NOT_RECORDED] += n
        return dict(districts)

    def referral_groups(self) -> dict[str, dict[Any, int]]:
        """Referrals received counted by each of REFERRAL_GROUPS, from one query grouped by all
        of them at once (a few hundred groups, summed here)."""
        counts: dict[str, dict[Any, int]] = {field: defaultdict(int) for field in REFERRAL_GROUPS}
        groups = self.referrals.values_list(*REFERRAL_GROUPS).annotate(n=Count("pk")).order_by()
        for *values, n in groups:
            for field, value in zip(REFERRAL_GROUPS, values, strict=True):
                counts[field][value] += n
        return counts

    def outcomes(self) -> dict[str, int]:
        end = self.period.end
        assessed = Assessment.objects.filter(
            organisation_id__in=self.orgs,
            completed_on__lte=end,
            person_id__in=self.supported_ids,
        )
        if self.filters.service_id:
            assessed = assessed.filter(service_id=self.filters.service_id)
        if self.filters.programme_id:
            assessed = assessed.filter(service__programmes__id=self.filters.programme_id)
        baseline = assessed.filter(
            timepoint=Timepoint.BASELINE,
            person_id=OuterRef("person_id"),
            instrument__code=OuterRef("instrument__code"),
            completed_on__lte=OuterRef("completed_on"),
        )
        rows = (
            assessed.filter(timepoint__in=[Timepoint.REVIEW, Timepoint.EXIT])
            .filter(Exists(baseline))
            .values_list("instrument__name")
            .annotate(n=Count("person_id", distinct=True))
            .order_by()
        )
        return dict(rows)


def _organisation_id(value: Any) -> UUID:
    """An organisation's id as a raw query returns it: a UUID, or its hex text on SQLite."""
    return value if isinstance(value, UUID) else UUID(str(value))


def trend_quarters(period: Period) -> list[str]:
    """The quarters a trend covers: the period's and the three before it, oldest first."""
    quarters: list[str] = []
    day = period.end
    for _ in range(TREND_QUARTERS):
        quarter = quarter_of(day)
        quarters.insert(0, quarter)
        day = quarter_bounds(quarter)[0] - timedelta(days=1)
    return quarters


def _trend_counts(scope: Scope, period: Period) -> dict[str, tuple[int, int]]:
    """(people supported, referrals received) in each quarter of the trend but the period's
    own, which the return counts anyway: two queries a quarter."""
    counts = {}
    for quarter in trend_quarters(period):
        start, end = quarter_bounds(quarter)
        end = min(end, period.end)
        if (start, end) != (period.start, period.end):
            counter = Counter(scope, Period(start=start, end=end, quarter=quarter))
            counts[quarter] = (counter.supported_union.count(), counter.referrals.count())
    return counts


def _trend(
    period: Period, counts: dict[str, tuple[int, int]], counted: tuple[int, int]
) -> tuple[Breakdown, Breakdown]:
    """The trend breakdowns from `_trend_counts`, the period's own quarter being `counted`."""
    quarters = trend_quarters(period)
    people = [Row(q, q, known(counts.get(q, counted)[0])) for q in quarters]
    referrals = [Row(q, q, known(counts.get(q, counted)[1])) for q in quarters]
    return (
        _breakdown("trend_people_supported", tuple(people)),
        _breakdown("trend_referrals_received", tuple(referrals)),
    )


def _rows(counts: dict, choices_: Iterable[tuple[str, str]]) -> tuple[Row, ...]:
    """One row per coded value, in the list's order, 0 where nobody has it; values outside the
    list (none should be) are counted as not recorded rather than dropped."""
    listed = dict(choices_)
    rows = {value: 0 for value in listed}
    for value, n in counts.items():
        key = value if value in listed else NOT_RECORDED
        rows[key] = rows.get(key, 0) + n
    return tuple(
        Row(value, listed.get(value, "Not recorded"), known(n)) for value, n in rows.items()
    )


def _organisation_rows(organisations: list[tuple], counts: dict) -> tuple[Row, ...]:
    return tuple(Row(str(pk), name, known(counts.get(pk, 0))) for pk, name in organisations)


def _breakdown(key: str, rows: tuple[Row, ...]) -> Breakdown:
    return Breakdown(key, LABELS[key], DEFINITIONS[key], rows)


def _figure(key: str, cell, is_count: bool = True) -> Figure:
    return Figure(key, LABELS[key], DEFINITIONS[key], cell, is_count)


def _people_supported(scope: Scope, counter: Counter) -> int:
    """Once per organisation; once per partnership, where its records have been linked (the
    same person recorded by two organisations is one cluster), else once per record."""
    if scope.kind == "partnership":
        linked = distinct_people(partnership_id=scope.id, people=counter.supported)
        if linked is not None:
            return linked
    return counter.supported_count()


# The sections the return is counted in, in order; "By organisation" for a partnership only.
SECTIONS = (
    "Referrals, contacts and sessions",
    "New starts, caseload and people supported",
    "Who was supported",
    "Referrals by pathway, source and outcome",
    "By organisation",
    "Trend over four quarters",
    "Outcomes",
)
BY_ORGANISATION = "By organisation"


def quarterly_return(
    *, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress
) -> Report:
    """The figures, unsuppressed: `figures.suppressed` hides small numbers before sharing."""
    partnership = scope.kind == "partnership"
    sections = Sections(progress, [s for s in SECTIONS if partnership or s != BY_ORGANISATION])
    sections.begin("Referrals, contacts and sessions")
    counter = Counter(scope, period)

    def aside() -> tuple:
        """The figures that do not start from the people supported, counted alongside."""
        other = Counter(scope, period)
        return (
            other.referral_groups(),
            other.days_to_first_contact(),
            other.active_caseload(),
            _trend_counts(scope, period),
            other.districts(),
        )

    with report_planning(), alongside(aside) as counted_aside, counter.staged():
        return _quarterly_return(counter, scope, period, exact, sections, counted_aside)


def _quarterly_return(
    counter: Counter,
    scope: Scope,
    period: Period,
    exact: bool,
    sections: Sections,
    counted_aside: Callable[[], tuple],
) -> Report:
    partnership = scope.kind == "partnership"
    names = dict(Organisation.objects.filter(pk__in=counter.orgs).values_list("pk", "name"))
    contacts, sessions = counter.attended()
    headcount = counter.unregistered_headcount()
    new_starts = counter.new_starts()
    referral_groups, days, caseload, trend_counts, districts = counted_aside()
    referrals = sum(referral_groups["state"].values())
    sections.begin("New starts, caseload and people supported")
    figures = [
        _figure("referrals_received", known(referrals)),
        _figure("new_starts", known(new_starts)),
        _figure("active_caseload_at_period_end", known(caseload)),
        _figure("people_supported", known(_people_supported(scope, counter))),
        _figure("secondary_beneficiaries", known(counter.secondary_beneficiaries())),
        _figure("contacts_attended", known(contacts + sessions)),
        _figure("sessions_attended", known(sessions)),
        _figure("unregistered_headcount", known(headcount)),
        _figure(
            "median_days_to_first_contact",
            known(float(median(days)))
            if days
            else unknowable("no referral received in the period has had a first contact yet"),
            is_count=False,
        ),
    ]
    if partnership:
        figures.append(
            _figure("supported_by_more_than_one", known(counter.supported_by_more_than_one()))
        )
    sections.begin("Who was supported")
    age_labels = [(key, label) for key, label, _ in AGE_BANDS] + [(NOT_RECORDED, "Not recorded")]
    # Everyone supported without a current address has no area recorded.
    areas = districts | {
        NOT_RECORDED: districts.get(NOT_RECORDED, 0)
        + counter.supported_count()
        - sum(districts.values())
    }
    people = counter.demographics()
    area_labels = [(district, district) for district in sorted(areas) if district.isupper()]
    area_labels += [(NO_FIXED_ABODE, "No fixed abode"), (NOT_RECORDED, "Not recorded")]
    organisations = sorted(names.items(), key=lambda item: item[1])
    breakdowns = [
        _breakdown("age_band", _rows(people["age_band"], age_labels)),
        _breakdown("sex", _rows(people["sex"], choices.Sex.choices)),
        _breakdown(
            "gender_identity",
            _rows(people["gender_identity"], choices.GenderIdentity.choices),
        ),
        _breakdown("ethnicity", _rows(people["ethnicity"], choices.Ethnicity.choices)),
        _breakdown("disability", _rows(people["disability"], choices.Disability.choices)),
        _breakdown("area", _rows(areas, area_labels)),
    ]
    sections.begin("Referrals by pathway, source and outcome")
    sources = referral_groups["referring_organisation__name"]
    breakdowns += [
        _breakdown("referral_pathway", _rows(referral_groups["pathway"], Pathway.choices)),
        _breakdown(
            "source_organisation", _rows(sources, [(name, name) for name in sorted(sources)])
        ),
        _breakdown(
            "referral_state",
            _rows(
                referral_groups["state"],
                [c for c in ReferralState.choices if c[0] != ReferralState.DRAFT],
            ),
        ),
    ]
    if partnership:
        sections.begin(BY_ORGANISATION)
        by_destination = referral_groups["service__organisation_id"]
        supported = counter.supported_by_organisation()
        breakdowns += [
            _breakdown(
                "destination_organisation",
                tuple(
                    Row(str(pk), name, known(by_destination.get(pk, 0)))
                    for pk, name in organisations
                ),
            ),
            _breakdown(
                "people_supported_by_organisation",
                tuple(
                    Row(str(pk), name, known(supported.get(pk, 0))) for pk, name in organisations
                ),
            ),
        ]
    sections.begin("Trend over four quarters")
    breakdowns += _trend(period, trend_counts, (counter.supported_count(), referrals))
    sections.begin("Outcomes")
    outcomes = counter.outcomes()
    breakdowns.append(
        _breakdown(
            "outcomes", tuple(Row(name, name, known(n)) for name, n in sorted(outcomes.items()))
        )
    )
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
