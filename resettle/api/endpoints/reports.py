"""Reports over the API (DESIGN §5 and §6): the quarterly return, data quality, demand and
capacity, engagement and the referral network as JSON, with the definition of every figure, for
partnership managers, analysts and organisation admins. Counts only; anything shared beyond the
actor's own organisation has small numbers suppressed, marked `suppressed`."""

from datetime import date
from typing import Literal, cast
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import actor_of, problems
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway
from resettle.reports import selectors
from resettle.reports.figures import Cell, Filters, Report, Scope
from resettle.reports.kinds import (
    DATA_QUALITY,
    DEMAND_AND_CAPACITY,
    ENGAGEMENT,
    QUARTERLY_RETURN,
    REFERRAL_NETWORK,
    ReportKind,
)
from resettle.reports.parameters import filtered, period_of, scope_of
from resettle.reports.periods import Period
from resettle.reports.views import NO_REPORTS

router = Router(tags=["reports"])
ScopeKind = Literal["organisation", "partnership"]


class ReportParams(ApiSchema):
    organisation: UUID | None = Field(
        None, description="One organisation's figures (your own if neither scope is given)."
    )
    partnership: UUID | None = Field(None, description="A whole partnership's figures.")
    period: str | None = Field(
        None,
        pattern=r"^\d{4}-Q[1-4]$",
        description="A quarter of the UK financial year: 2026-Q1 is April to June 2026. "
        "The current quarter, to date, if no period or dates are given.",
    )
    start: date | None = Field(None, description="With `end`, a range of days instead.")
    end: date | None = Field(None, description="The last day of the range; not after today.")
    service: UUID | None = Field(
        None,
        description="Only this service of the scope (the quarterly return and the referral "
        "network; others answer 400).",
    )
    programme: UUID | None = Field(
        None,
        description="Only this programme (a course of sessions) of one of the scope's services "
        "(the same reports as `service`).",
    )
    pathway: Pathway | None = Field(
        None, description="Only this pathway (the same reports as `service`)."
    )


class ReportPeriod(ApiSchema):
    start: date
    end: date
    quarter: str | None
    to_date: bool = Field(description="The quarter has not ended: figures run to today.")


class NamedFilter(ApiSchema):
    id: UUID
    name: str


class PathwayFilter(ApiSchema):
    value: Pathway
    label: str


class ReportFilters(ApiSchema):
    """What the figures were narrowed to within the scope: null where they were not."""

    service: NamedFilter | None
    programme: NamedFilter | None
    pathway: PathwayFilter | None


class ReportScope(ApiSchema):
    kind: ScopeKind
    id: UUID
    name: str
    filters: ReportFilters


class ReportCell(ApiSchema):
    count: int | float | None = Field(
        description="Null when suppressed or when it cannot be computed (`shown` says why)."
    )
    suppressed: bool
    shown: str = Field(description="As printed on the page and in the files.")


class BreakdownRow(ReportCell):
    value: str = Field(
        description="The coded value; `not_recorded` and `prefer_not_to_say` are values."
    )
    label: str


class QuarterlyFigures(ApiSchema):
    referrals_received: ReportCell
    new_starts: ReportCell
    active_caseload_at_period_end: ReportCell
    people_supported: ReportCell
    secondary_beneficiaries: ReportCell
    contacts_attended: ReportCell
    sessions_attended: ReportCell
    unregistered_headcount: ReportCell
    median_days_to_first_contact: ReportCell
    supported_by_more_than_one: ReportCell | None = Field(
        None, description="For a partnership only."
    )


class QuarterlyReturn(ApiSchema):
    period: ReportPeriod
    scope: ReportScope
    exact: bool = Field(description="Your own organisation's figures: nothing suppressed.")
    small_numbers: str
    definitions: dict[str, str] = Field(description="What each figure and breakdown counts.")
    figures: QuarterlyFigures
    breakdowns: dict[str, list[BreakdownRow]]


class ReportOut(ApiSchema):
    """Any report of the reports area: each figure by its key, with its definition."""

    period: ReportPeriod
    scope: ReportScope
    exact: bool = Field(description="Your own organisation's figures: nothing suppressed.")
    small_numbers: str
    definitions: dict[str, str] = Field(description="What each figure and breakdown counts.")
    figures: dict[str, ReportCell]
    breakdowns: dict[str, list[BreakdownRow]]


def _cell(cell: Cell) -> dict:
    return {"count": cell.count, "suppressed": cell.suppressed, "shown": cell.shown}


def _filters(filters: Filters) -> ReportFilters:
    return ReportFilters(
        service=NamedFilter(id=UUID(filters.service_id), name=filters.service_name)
        if filters.service_id
        else None,
        programme=NamedFilter(id=UUID(filters.programme_id), name=filters.programme_name)
        if filters.programme_id
        else None,
        pathway=PathwayFilter(value=Pathway(filters.pathway), label=filters.pathway_name)
        if filters.pathway
        else None,
    )


def _content(report: Report) -> dict:
    return dict(
        period=ReportPeriod(
            start=report.period.start,
            end=report.period.end,
            quarter=report.period.quarter or None,
            to_date=report.period.to_date,
        ),
        scope=ReportScope(
            kind=cast(ScopeKind, report.scope.kind),
            id=UUID(report.scope.id),
            name=report.scope.name,
            filters=_filters(report.scope.filters),
        ),
        exact=report.exact,
        small_numbers=report.suppression_note,
        definitions={f.key: f.definition for f in report.figures}
        | {b.key: b.definition for b in report.breakdowns},
        figures={f.key: _cell(f.cell) for f in report.figures},
        breakdowns={
            b.key: [{"value": r.value, "label": r.label, **_cell(r.cell)} for r in b.rows]
            for b in report.breakdowns
        },
    )


def _body(report: Report) -> dict:
    return QuarterlyReturn(**_content(report)).model_dump(mode="json")


def _parameters(
    request: ApiRequest, params: ReportParams, kind: ReportKind
) -> tuple[Scope, Period]:
    actor = actor_of(request)
    if not policy.can_view_reports(actor):
        raise PermissionDenied(NO_REPORTS)
    if params.organisation is not None and params.partnership is not None:
        raise ValidationError({"partnership": "Give an organisation or a partnership, not both"})
    scope_kind, id = (
        ("partnership", params.partnership)
        if params.partnership is not None
        else ("organisation", params.organisation)
    )
    period = period_of(
        quarter=params.period, start=params.start, end=params.end, today=timezone.localdate()
    )
    scope = scope_of(actor=actor, kind=scope_kind, id=str(id) if id else None)
    scope = filtered(
        scope=scope,
        service=str(params.service) if params.service else None,
        pathway=params.pathway,
        programme=str(params.programme) if params.programme else None,
        filterable=kind.filterable,
    )
    return scope, period


def _report(request: ApiRequest, params: ReportParams, kind: ReportKind) -> dict:
    scope, period = _parameters(request, params, kind)
    report = selectors.report_for(actor=actor_of(request), kind=kind, scope=scope, period=period)
    return ReportOut(**_content(report)).model_dump(mode="json")


@router.get(
    "/quarterly-return",
    response={200: QuarterlyReturn, **problems(400, 403)},
    url_name="report_quarterly_return",
)
def quarterly_return(request: ApiRequest, params: Query[ReportParams]):
    """The quarterly return for one organisation or a partnership: a scope you may not report
    on is refused (403); a period that ends before it starts, or after today, is invalid (400)."""
    scope, period = _parameters(request, params, QUARTERLY_RETURN)
    return _body(
        selectors.report_for(
            actor=actor_of(request), kind=QUARTERLY_RETURN, scope=scope, period=period
        )
    )


@router.get(
    "/data-quality",
    response={200: ReportOut, **problems(400, 403)},
    url_name="report_data_quality",
)
def data_quality(request: ApiRequest, params: Query[ReportParams]):
    """How complete and timely the records are: completeness per field (complete and incomplete
    counts, and a percentage), contacts entered late, open cases gone quiet, possible duplicate
    pairs, and a completeness score per organisation. Same scope and period rules as the
    quarterly return."""
    return _report(request, params, DATA_QUALITY)


@router.get(
    "/demand-and-capacity",
    response={200: ReportOut, **problems(400, 403)},
    url_name="report_demand_and_capacity",
)
def demand_and_capacity(request: ApiRequest, params: Query[ReportParams]):
    """Per service: referrals received, places, the waiting list at period end and the median
    wait, referrals declined for no capacity by month; and people due out of custody in the
    next 12 weeks by pathway of need. Same scope and period rules as the quarterly return."""
    return _report(request, params, DEMAND_AND_CAPACITY)


@router.get(
    "/engagement",
    response={200: ReportOut, **problems(400, 403)},
    url_name="report_engagement",
)
def engagement(request: ApiRequest, params: Query[ReportParams]):
    """Release to first contact, gate meetings, contact per person-month, length of support,
    the drop-off by month of support and open cases gone quiet. Same scope and period rules as
    the quarterly return."""
    return _report(request, params, ENGAGEMENT)


@router.get(
    "/referral-network",
    response={200: ReportOut, **problems(400, 403)},
    url_name="report_referral_network",
)
def referral_network(request: ApiRequest, params: Query[ReportParams]):
    """Referrals received by where they came from and went to, what happened to them, and
    their place in chains of onward referrals. Same scope and period rules as the quarterly
    return."""
    return _report(request, params, REFERRAL_NETWORK)
