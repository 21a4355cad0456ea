"""Every report the reports area offers, declared once: its address, title, what it answers, and
the function that counts it. A new report is one builder and one entry here (plus its routes)."""

from collections.abc import Callable
from dataclasses import dataclass

from resettle.reports import data_quality, demand, engagement, network, quarterly, sankey
from resettle.reports.figures import Report

# (*, scope: Scope, period: Period, exact: bool, progress: Progress = no_progress) -> Report;
# `progress` hears of each section of the report as its counting begins (figures.Sections).
Builder = Callable[..., Report]


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: str
    summary: str
    build: Builder
    # A picture drawn from the report as the viewer sees it, and the template that draws it.
    diagram: Callable[[Report], object] | None = None
    diagram_template: str = ""
    # Whether the figures may be narrowed to a service, programme or pathway
    # (reports/parameters.py).
    filterable: bool = False

    @property
    def url_name(self) -> str:
        return self.slug.replace("-", "_")

    @property
    def download_url_name(self) -> str:
        return f"{self.url_name}_download"


QUARTERLY_RETURN = ReportKind(
    slug=quarterly.KIND,
    title=quarterly.TITLE,
    summary="Referrals received, new starts, caseload, people supported, family members "
    "supported, contacts and sessions attended, who they are, and outcomes.",
    build=quarterly.quarterly_return,
    filterable=True,
)

DATA_QUALITY = ReportKind(
    slug=data_quality.KIND,
    title=data_quality.TITLE,
    summary="How complete the records of the people you worked with are, field by field, "
    "contacts entered late, open cases gone quiet, and possible duplicate records.",
    build=data_quality.data_quality,
)

DEMAND_AND_CAPACITY = ReportKind(
    slug=demand.KIND,
    title=demand.TITLE,
    summary="For each service: referrals received, places, the waiting list and how long people "
    "waited, referrals turned away for want of room, and who is due out of custody soon.",
    build=demand.demand_and_capacity,
)

ENGAGEMENT = ReportKind(
    slug=engagement.KIND,
    title=engagement.TITLE,
    summary="From release to first contact, gate meetings met, contact per person each month, "
    "how contact holds up month by month of support, how long support lasts, and open cases "
    "without contact for 30, 60 or 90 days.",
    build=engagement.engagement,
)

REFERRAL_NETWORK = ReportKind(
    slug=network.KIND,
    title=network.TITLE,
    summary="Who refers to whom and what becomes of the referrals, and chains of onward referrals.",
    build=network.referral_network,
    filterable=True,
    diagram=sankey.sankey,
    diagram_template="reports/_sankey.html",
)

REPORT_KINDS: tuple[ReportKind, ...] = (
    QUARTERLY_RETURN,
    DATA_QUALITY,
    DEMAND_AND_CAPACITY,
    ENGAGEMENT,
    REFERRAL_NETWORK,
)
