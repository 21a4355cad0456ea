"""The referral network: who refers to whom and what becomes of it, for the referrals received by
the organisations in scope (the quarterly return's definition), and the referrals that were onward
referrals from an earlier one. Counts only, never names of people."""

from django.db.models import Count, Q
from django.utils import timezone

from resettle.referrals.models import ReferralState
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
)
from resettle.reports.periods import Period
from resettle.reports.quarterly import DEFINITIONS as QUARTERLY_DEFINITIONS
from resettle.reports.quarterly import Counter

KIND = "referral-network"
TITLE = "Referral network"
# Joins the ends of a flow in its coded value; its label says "to".
ARROW = " → "

DEFINITIONS = {
    "referrals_received": QUARTERLY_DEFINITIONS["referrals_received"],
    "onward_referrals": "Referrals received in the period that were made onward from an earlier "
    "referral (the earlier referral is recorded on them).",
    "referring_organisations": "Organisations that made at least one of the referrals received.",
    "flows": "Referrals received, by the organisation that made them and the organisation that "
    "received them.",
    "outcomes_by_destination": "Referrals received, by the organisation that received them and "
    "the state they are in now.",
    "chains": "Referrals received, by their place in a chain of onward referrals: 1 is a first "
    "referral, 2 was made onward from a first, and so on (3 or more together).",
}
LABELS = {
    "referrals_received": "Referrals received",
    "onward_referrals": "Onward referrals",
    "referring_organisations": "Organisations referring",
    "flows": "From and to",
    "outcomes_by_destination": "What happened, by receiving organisation",
    "chains": "Place in a chain of onward referrals",
}
STATES = dict(ReferralState.choices)


def _breakdown(key: str, rows: tuple[Row, ...]) -> Breakdown:
    return Breakdown(key, LABELS[key], DEFINITIONS[key], rows)


def _figure(key: str, count: int, is_count: bool = True) -> Figure:
    return Figure(key, LABELS[key], DEFINITIONS[key], known(count), is_count)


SECTIONS = ("Who refers to whom", "What happened", "Chains of onward referrals")


def referral_network(
    *, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress
) -> Report:
    sections = Sections(progress, SECTIONS)
    sections.begin("Who refers to whom")
    referrals = Counter(scope, period).referrals
    flows = tuple(
        Row(f"{source}{ARROW}{destination}", f"{source} to {destination}", known(n))
        for source, destination, n in referrals.values_list(
            "referring_organisation__name", "service__organisation__name"
        )
        .annotate(n=Count("pk"))
        .order_by("referring_organisation__name", "service__organisation__name")
    )
    sections.begin("What happened")
    outcomes = tuple(
        Row(f"{destination}{ARROW}{state}", f"{destination}: {STATES.get(state, state)}", known(n))
        for destination, state, n in referrals.values_list("service__organisation__name", "state")
        .annotate(n=Count("pk"))
        .order_by("service__organisation__name", "state")
    )
    sections.begin("Chains of onward referrals")
    places = referrals.aggregate(
        first=Count("pk", filter=Q(parent__isnull=True)),
        second=Count("pk", filter=Q(parent__isnull=False, parent__parent__isnull=True)),
        later=Count("pk", filter=Q(parent__parent__isnull=False)),
        sources=Count("referring_organisation", distinct=True),
    )
    chains = (
        Row("1", "1: a first referral", known(places["first"])),
        Row("2", "2: onward from a first", known(places["second"])),
        Row("3_or_more", "3 or more", known(places["later"])),
    )
    return Report(
        kind=KIND,
        title=TITLE,
        scope=scope,
        period=period,
        exact=exact,
        figures=(
            _figure("referrals_received", referrals.count()),
            _figure("onward_referrals", places["second"] + places["later"]),
            # Organisations, not people: nobody to protect by hiding a small number.
            _figure("referring_organisations", places["sources"], is_count=False),
        ),
        breakdowns=(
            _breakdown("flows", flows),
            _breakdown("outcomes_by_destination", outcomes),
            _breakdown("chains", chains),
        ),
        made_at=timezone.now(),
    )
