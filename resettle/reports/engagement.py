"""Engagement: whether people leaving prison are met and kept in touch with, for the
organisations in scope: from release to first contact, gate meetings, how contact holds up month
by month of support, how long support lasts, and who has not been seen lately."""

from datetime import timedelta
from statistics import median

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from resettle.cases.models import Case as SupportCase
from resettle.cases.models import Task, TaskKind
from resettle.custody.models import CustodyPeriod
from resettle.people.models import WorkingRelationship
from resettle.reports.figures import (
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
from resettle.reports.periods import Period
from resettle.reports.quarterly import Counter

KIND = "engagement"
TITLE = "Engagement"
# Months of support the drop-off curve follows, each 30 days from the day the case opened.
CURVE_MONTHS = 6
MONTH = timedelta(days=30)
QUIET_DAYS = (30, 60, 90)

DEFINITIONS = {
    "released": "People released from custody in the period whom the organisations in scope "
    "were working with on the day of release.",
    "released_seen": "Of those released, people with an attended contact or session with the "
    "organisations in scope on or after the day of release, by the end of the period.",
    "median_days_release_to_first_contact": "For those released and seen, the median number of "
    "days from release to the first attended contact or session on or after it.",
    "gate_meetings_due": "Gate meetings (case tasks of that kind) due in the period, not "
    "cancelled.",
    "gate_meetings_met": "Of the gate meetings due, those marked done.",
    "contacts_per_person_month": "Attended contacts and sessions in the period divided by the "
    "people supported in it and by the period's length in months of 30 days.",
    "median_days_of_support": "For cases closed in the period, the median number of days from "
    "opening to closing.",
    "drop_off": f"Of the cases opened in the {CURVE_MONTHS * 30} days before the period ended, "
    "how many had an attended contact in each 30-day month of support (month 1 begins on the "
    "day the case opened; a month that had not ended by the period's end is not counted).",
    "quiet": "Cases open at the period's end with no attended contact in at least the last 30, "
    "60 or 90 days (counting from the opening day for a case never seen); each row includes the "
    "longer ones below it.",
}
LABELS = {
    "released": "People released",
    "released_seen": "Released and seen",
    "median_days_release_to_first_contact": "Median days from release to first contact",
    "gate_meetings_due": "Gate meetings due",
    "gate_meetings_met": "Gate meetings met",
    "contacts_per_person_month": "Contacts per person per month",
    "median_days_of_support": "Median days of support (cases closed)",
    "drop_off": "Drop-off: cases seen in each month of support",
    "quiet": "Open cases without contact",
}


def _figure(key: str, cell, is_count: bool = True) -> Figure:
    return Figure(key, LABELS[key], DEFINITIONS[key], cell, is_count)


def _releases(counter: Counter) -> tuple[int, list[int]]:
    """People released in the period whom the scope worked with that day, and the days to
    each one's first attended contact or session after release (for those seen)."""
    end = counter.period.end
    working = WorkingRelationship.objects.filter(
        person_id=OuterRef("person_id"),
        organisation_id__in=counter.orgs,
        started_on__lte=OuterRef("released_on"),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("released_on")))
    released = CustodyPeriod.objects.filter(
        released_on__gte=counter.period.start, released_on__lte=end
    ).filter(person_id__in=Subquery(working.values("person_id")))
    after = counter.after
    first_contact = (
        counter.contacts.filter(
            person_id=OuterRef("person_id"), happened_at__gte=OuterRef("released_on")
        )
        .filter(happened_at__lt=after)
        .order_by("happened_at")
        .values("happened_at")[:1]
    )
    first_session = (
        counter.sessions.filter(
            person_id=OuterRef("person_id"), session__starts_at__gte=OuterRef("released_on")
        )
        .filter(session__starts_at__lt=after)
        .order_by("session__starts_at")
        .values("session__starts_at")[:1]
    )
    rows = released.annotate(
        contact=Subquery(first_contact), session=Subquery(first_session)
    ).values_list("released_on", "contact", "session")
    days = []
    count = 0
    for released_on, contact, session in rows:
        count += 1
        seen = [moment for moment in (contact, session) if moment is not None]
        if seen and released_on is not None:
            days.append((timezone.localdate(min(seen)) - released_on).days)
    return count, days


def _gate_meetings(counter: Counter) -> tuple[int, int]:
    due = Task.objects.filter(
        case__organisation_id__in=counter.orgs,
        kind=TaskKind.GATE_MEETING,
        due_at__gte=counter.first,
        due_at__lt=counter.after,
        cancelled_at__isnull=True,
    ).aggregate(due=Count("pk"), met=Count("pk", filter=Q(completed_at__isnull=False)))
    return due["due"], due["met"]


def _drop_off(counter: Counter) -> tuple[Row, ...]:
    end = counter.period.end
    cases = SupportCase.objects.filter(
        organisation_id__in=counter.orgs,
        opened_on__gt=end - CURVE_MONTHS * MONTH,
        opened_on__lte=end,
    )
    rows = []
    for month in range(1, CURVE_MONTHS + 1):
        began = ExpressionWrapper(
            F("case__opened_on") + (month - 1) * MONTH, output_field=DateTimeField()
        )
        ended = ExpressionWrapper(
            F("case__opened_on") + month * MONTH, output_field=DateTimeField()
        )
        # Only cases whose month N had ended by the period's end are in month N's count.
        eligible = cases.filter(opened_on__lte=end - month * MONTH + timedelta(days=1))
        seen = (
            counter.contacts.filter(case__in=eligible)
            .annotate(began=began, ended=ended)
            .filter(happened_at__gte=F("began"), happened_at__lt=F("ended"))
            .values("case_id")
            .distinct()
            .count()
        )
        rows.append(Row(f"month_{month}", f"Month {month}", known(seen)))
    return tuple(rows)


def _quiet(counter: Counter) -> tuple[Row, ...]:
    end = counter.period.end
    last = (
        counter.contacts.filter(case_id=OuterRef("pk"), happened_at__lt=counter.after)
        .order_by()
        .values("case_id")
        .annotate(last=Max("happened_at"))
        .values("last")[:1]
    )
    open_cases = (
        SupportCase.objects.filter(organisation_id__in=counter.orgs, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .annotate(last=Subquery(last))
    )
    counts = open_cases.aggregate(
        **{
            f"days_{days}": Count(
                "pk",
                filter=Q(last__lt=counter.after - timedelta(days=days))
                | Q(last__isnull=True, opened_on__lte=end - timedelta(days=days)),
            )
            for days in QUIET_DAYS
        }
    )
    return tuple(
        Row(f"days_{days}", f"{days} days or more", known(counts[f"days_{days}"]))
        for days in QUIET_DAYS
    )


SECTIONS = (
    "Releases and first contact",
    "Gate meetings",
    "Contact per person",
    "Length of support",
    "Drop-off by month of support",
    "Open cases gone quiet",
)


def engagement(
    *, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress
) -> Report:
    sections = Sections(progress, SECTIONS)
    sections.begin("Releases and first contact")
    counter = Counter(scope, period)
    released, days = _releases(counter)
    sections.begin("Gate meetings")
    due, met = _gate_meetings(counter)
    sections.begin("Contact per person")
    with counter.staged():
        supported = counter.supported_count()
        contacts = sum(counter.attended())
    months = ((period.end - period.start).days + 1) / 30
    sections.begin("Length of support")
    closed = SupportCase.objects.filter(
        organisation_id__in=counter.orgs,
        closed_on__gte=period.start,
        closed_on__lte=period.end,
    ).values_list("opened_on", "closed_on")
    lengths = [(closed_on - opened_on).days for opened_on, closed_on in closed if closed_on]
    sections.begin("Drop-off by month of support")
    drop_off = _drop_off(counter)
    sections.begin("Open cases gone quiet")
    quiet = _quiet(counter)
    figures = (
        _figure("released", known(released)),
        _figure("released_seen", known(len(days))),
        _figure(
            "median_days_release_to_first_contact",
            known(float(median(days))) if days else unknowable("nobody released was seen yet"),
            is_count=False,
        ),
        _figure("gate_meetings_due", known(due)),
        _figure("gate_meetings_met", known(met)),
        _figure(
            "contacts_per_person_month",
            known(contacts / supported / months)
            if supported
            else unknowable("nobody was supported in the period"),
            is_count=False,
        ),
        _figure(
            "median_days_of_support",
            known(float(median(lengths))) if lengths else unknowable("no case closed"),
            is_count=False,
        ),
    )
    breakdowns = (
        Breakdown("drop_off", LABELS["drop_off"], DEFINITIONS["drop_off"], drop_off),
        Breakdown("quiet", LABELS["quiet"], DEFINITIONS["quiet"], quiet),
    )
    return Report(
        kind=KIND,
        title=TITLE,
        scope=scope,
        period=period,
        exact=exact,
        figures=figures,
        breakdowns=breakdowns,
        made_at=timezone.now(),
    )
