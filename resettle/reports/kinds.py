"""Every report the reports area offers, declared once: its address, title, what it answers, and
the function that counts it. A new report is one builder and one entry here (plus its routes)."""

from collections.abc import Callable
from dataclasses import dataclass

from resettle.reports import quarterly
from resettle.reports.figures import Report

Builder = Callable[..., Report]  # (*, scope: Scope, period: Period, exact: bool) -> Report


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: str
    summary: str
    build: Builder

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
)

REPORT_KINDS: tuple[ReportKind, ...] = (QUARTERLY_RETURN,)
