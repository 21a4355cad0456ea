"""Demand and capacity: for each service of the organisations in scope, what was asked of it in the
period, how many places it has, who was waiting and for how long, who was turned away for want
of room, and who is due out of custody soon. Counted in the database; every figure carries its
definition."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from resettle.core.pathways import Pathway
from resettle.custody.models import CustodyPeriod
from resettle.directory.models import Service
from resettle.people.models import Person, WorkingRelationship
from resettle.referrals.models import (
    LIVE_STATES,
    DeclineReason,
    Referral,
    ReferralState,
    ReferralTransition,
)
from resettle.reports import quarterly
from resettle.reports.figures import (
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

KIND = "demand-and-capacity"
TITLE = "Demand and capacity"

# How far ahead the projection looks: twelve weeks, the span pre-release work is planned over.
HORIZON_DAYS = 84
NO_LIVE_REFERRAL = "no_live_referral"
WAITING = ReferralState.WAITING_LIST

DEFINITIONS = {
    "referrals_received": quarterly.DEFINITIONS["referrals_received"],
    "places": "Places each service has: the number of people it supports at once, as recorded in "
    "the directory now. A place is not a person, so places are shared as they are. A service "
    "with no number recorded has no limit set.",
    "waiting_at_period_end": "Referrals on a service's waiting list at the end of the last day "
    "of the period: the last change of state of the referral made by then put it on the waiting "
    "list.",
    "median_waiting_days": "For referrals that left a waiting list in the period (accepted, "
    "declined, closed or withdrawn), the median number of days from going on the list to leaving "
    "it. A number of days, not a count.",
    "declined_no_capacity": 'Referrals declined with the reason "no capacity", decided in the '
    "period. (A service that keeps a waiting list puts a new referral on it instead.)",
    "projected_releases": "People due out of custody in the "
    f"{HORIZON_DAYS // 7} weeks after the period ends: an expected or conditional release date "
    f"in the {HORIZON_DAYS} days after its last day, not released by then, who one of the "
    "organisations in scope was working with on that day. Each person once.",
    "referrals_received_by_service": "Referrals received (as defined above), by the service "
    "they were made to.",
    "places_by_service": "Places (as defined above), by service.",
    "waiting_at_period_end_by_service": "Referrals on the waiting list at period end (as "
    "defined above), by service.",
    "median_waiting_days_by_service": "Median days on the waiting list (as defined above), by "
    "service.",
    "declined_no_capacity_by_month": "Referrals declined for no capacity (as defined above), by "
    "service and the month the decision was made.",
    "projected_releases_by_pathway": "People due out of custody soon (as defined above), by the "
    "pathway of each of their referrals that is live now (submitted, accepted, on a waiting list "
    "or in progress), to any service. A person with referrals for two pathways counts under "
    'each; a person with none counts once under "No live referral".',
}
LABELS = {
    "referrals_received": "Referrals received",
    "waiting_at_period_end": "On a waiting list at period end",
    "median_waiting_days": "Median days on the waiting list",
    "declined_no_capacity": "Referrals declined for no capacity",
    "projected_releases": f"People due out of custody in the next {HORIZON_DAYS // 7} weeks",
    "referrals_received_by_service": "Referrals received by service",
    "places_by_service": "Places by service",
    "waiting_at_period_end_by_service": "On the waiting list at period end by service",
    "median_waiting_days_by_service": "Median days on the waiting list by service",
    "declined_no_capacity_by_month": "Declined for no capacity by service and month",
    "projected_releases_by_pathway": "People due out of custody soon by pathway of need",
}
NOBODY_LEFT = "nobody left a waiting list in the period"
NO_PLACES = "no number of places is recorded for this service (no limit is set)"


def _months(period: Period) -> list[date]:
    """The first day of each calendar month the period touches."""
    months, month = [], period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


class Counter:
    """The querysets every demand and capacity figure of one scope and period is counted from."""

    def __init__(self, scope: Scope, period: Period) -> None:
        self.scope = scope
        self.orgs = list(scope.organisation_ids)
        self.period = period
        self.first, self.after = start_of(period.start), start_of(period.after)
        self.referrals = Referral.objects.filter(service__organisation_id__in=self.orgs).order_by()

    def services(self) -> list[tuple[Any, str, int | None]]:
        """(id, label, places) of every service in scope, by organisation then name."""
        rows = (
            Service.objects.filter(organisation_id__in=self.orgs)
            .order_by("organisation__name", "name")
            .values_list("pk", "name", "organisation__name", "capacity")
        )
        partnership = self.scope.kind == "partnership"
        return [
            (pk, f"{name} ({organisation})" if partnership else name, places)
            for pk, name, organisation, places in rows
        ]

    def received(self) -> dict[Any, int]:
        received = quarterly.Counter(self.scope, self.period).referrals
        return dict(
            received.values("service_id").annotate(n=Count("pk")).values_list("service_id", "n")
        )

    def waiting_at_end(self) -> dict[Any, int]:
        made_by_then = ReferralTransition.objects.filter(
            referral_id=OuterRef("pk"), created_at__lt=self.after
        )
        last_state = Subquery(made_by_then.order_by("-created_at").values("to_state")[:1])
        waiting = (
            self.referrals.filter(Exists(made_by_then.filter(to_state=WAITING)))
            .annotate(state_then=last_state)
            .filter(state_then=WAITING)
        )
        return dict(
            waiting.values("service_id").annotate(n=Count("pk")).values_list("service_id", "n")
        )

    def waiting_days(self) -> dict[Any, list[int]]:
        """Days on the list of each referral that left it in the period, by service."""
        went_on = ReferralTransition.objects.filter(
            referral_id=OuterRef("referral_id"),
            to_state=WAITING,
            created_at__lte=OuterRef("created_at"),
        ).order_by("-created_at")
        rows = (
            ReferralTransition.objects.filter(
                referral__service__organisation_id__in=self.orgs,
                from_state=WAITING,
                created_at__gte=self.first,
                created_at__lt=self.after,
            )
            .annotate(went_on=Subquery(went_on.values("created_at")[:1]))
            .filter(went_on__isnull=False)
            .values_list("referral__service_id", "went_on", "created_at")
        )
        days: dict[Any, list[int]] = defaultdict(list)
        for service, went_on_at, left_at in rows:
            days[service].append(
                (timezone.localdate(left_at) - timezone.localdate(went_on_at)).days
            )
        return days

    def declined_for_capacity(self) -> dict[tuple[Any, date], int]:
        declined = self.referrals.filter(
            decline_reason=DeclineReason.NO_CAPACITY,
            decided_at__gte=self.first,
            decided_at__lt=self.after,
        )
        rows = (
            declined.annotate(month=TruncMonth("decided_at"))
            .values("service_id", "month")
            .annotate(n=Count("pk"))
            .values_list("service_id", "month", "n")
        )
        return {
            (service, month.date() if isinstance(month, datetime) else month): n
            for service, month, n in rows
        }

    def projected(self):
        end = self.period.end
        horizon = end + timedelta(days=HORIZON_DAYS)
        working = WorkingRelationship.objects.filter(
            organisation_id__in=self.orgs, started_on__lte=end
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=end))
        due = (
            CustodyPeriod.objects.filter(person_id=OuterRef("pk"), start_date__lte=end)
            .filter(Q(released_on__isnull=True) | Q(released_on__gt=end))
            .filter(
                Q(expected_release_date__gt=end, expected_release_date__lte=horizon)
                | Q(conditional_release_date__gt=end, conditional_release_date__lte=horizon)
            )
        )
        return Person.objects.filter(pk__in=working.values("person_id")).filter(Exists(due))

    def projected_by_pathway(self, projected) -> dict[str, int]:
        live = Referral.objects.filter(state__in=LIVE_STATES)
        counts = dict(
            live.filter(person__in=projected)
            .order_by()
            .values("pathway")
            .annotate(n=Count("person_id", distinct=True))
            .values_list("pathway", "n")
        )
        counts[NO_LIVE_REFERRAL] = projected.exclude(
            Exists(live.filter(person_id=OuterRef("pk")))
        ).count()
        return counts


def _figure(key: str, cell: Cell, is_count: bool = True) -> Figure:
    return Figure(key, LABELS[key], DEFINITIONS[key], cell, is_count)


def _breakdown(key: str, rows, is_count: bool = True) -> Breakdown:
    return Breakdown(key, LABELS[key], DEFINITIONS[key], tuple(rows), is_count)


def _median(days: list[int]) -> Cell:
    return known(float(median(days))) if days else unknowable(NOBODY_LEFT)


SECTIONS = (
    "Referrals received",
    "Waiting lists",
    "Referrals declined for want of room",
    "Releases due",
)


def demand_and_capacity(
    *, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress
) -> Report:
    """The figures, unsuppressed: `figures.suppressed` hides small counts before sharing."""
    sections = Sections(progress, SECTIONS)
    sections.begin("Referrals received")
    counter = Counter(scope, period)
    services = counter.services()
    received = counter.received()
    sections.begin("Waiting lists")
    waiting = counter.waiting_at_end()
    days = counter.waiting_days()
    sections.begin("Referrals declined for want of room")
    declined = counter.declined_for_capacity()
    sections.begin("Releases due")
    projected = counter.projected()
    by_pathway = counter.projected_by_pathway(projected)
    months = _months(period)

    figures = [
        _figure("referrals_received", known(sum(received.values()))),
        _figure("waiting_at_period_end", known(sum(waiting.values()))),
        _figure(
            "median_waiting_days",
            _median([d for service_days in days.values() for d in service_days]),
            is_count=False,
        ),
        _figure("declined_no_capacity", known(sum(declined.values()))),
        _figure("projected_releases", known(projected.count())),
    ]
    breakdowns = [
        _breakdown(
            "referrals_received_by_service",
            (Row(str(pk), label, known(received.get(pk, 0))) for pk, label, _ in services),
        ),
        _breakdown(
            "places_by_service",
            (
                Row(str(pk), label, unknowable(NO_PLACES) if places is None else known(places))
                for pk, label, places in services
            ),
            is_count=False,
        ),
        _breakdown(
            "waiting_at_period_end_by_service",
            (Row(str(pk), label, known(waiting.get(pk, 0))) for pk, label, _ in services),
        ),
        _breakdown(
            "median_waiting_days_by_service",
            (Row(str(pk), label, _median(days.get(pk, []))) for pk, label, _ in services),
            is_count=False,
        ),
        _breakdown(
            "declined_no_capacity_by_month",
            (
                Row(
                    f"{pk}:{month:%Y-%m}",
                    f"{label}, {month:%B %Y}",
                    known(declined.get((pk, month), 0)),
                )
                for pk, label, _ in services
                for month in months
            ),
        ),
        _breakdown(
            "projected_releases_by_pathway",
            [Row(value, label, known(by_pathway.get(value, 0))) for value, label in Pathway.choices]
            + [
                Row(
                    NO_LIVE_REFERRAL,
                    "No live referral",
                    known(by_pathway.get(NO_LIVE_REFERRAL, 0)),
                )
            ],
        ),
    ]
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
