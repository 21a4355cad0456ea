"""The reports area: an index of the reports the actor may read, and each report as a page and
as files. Thin: the figures come from selectors, the parameters from the form; every report kind
shares these views."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from resettle.access import policy
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.reports import selectors, services
from resettle.reports.data_quality import INCOMPLETE
from resettle.reports.figures import FILTERS_APPLY, Cell, Report, report_from_json
from resettle.reports.files import FORMATS, file_name
from resettle.reports.forms import PeriodForm, ReportForm, period_query
from resettle.reports.kinds import DATA_QUALITY, REPORT_KINDS, ReportKind
from resettle.reports.models import BuildState, ReportBuild
from resettle.reports.parameters import NOT_YOURS
from resettle.reports.records_to_fix import BY_KEY, PAIRS, PROBLEMS, Problem
from resettle.reports.selectors import ORGANISATION, PARTNERSHIP
from resettle.web.pages import forbidden
from resettle.web.tables import Table

BAD_FORMAT = "Choose a file format: CSV, XLSX or ODS"
NO_REPORTS = (
    "Reports are for partnership managers, analysts and organisation admins. Ask your "
    "organisation admin if you need the figures."
)
View = Callable[[AuthenticatedRequest], HttpResponse]


def _form(
    request: AuthenticatedRequest, kind: ReportKind, *, bound: bool = False
) -> ReportForm | HttpResponse:
    actor = request.actor
    if not policy.can_view_reports(actor):
        return forbidden(request, NO_REPORTS)
    scopes = selectors.report_scopes(actor=actor)
    data = request.GET if bound else (request.GET or None)
    form = ReportForm(data, scopes=scopes, today=timezone.localdate(), filterable=kind.filterable)
    if request.GET.get("scope") and request.GET["scope"] not in form.scopes:
        return forbidden(request, NOT_YOURS)
    return form


def _records_links(
    request: AuthenticatedRequest, kind: ReportKind, report: Report | None
) -> dict[tuple[str, str], str]:
    """Where the data quality report's counts of the actor's own organisation's records are
    listed to fix, by (figure or breakdown key, row value; "" for a figure). A partnership's
    report links only its row for the actor's own organisation: no list names anyone else's."""
    actor = request.actor
    staff = policy.acting_staff(actor)
    if kind != DATA_QUALITY or report is None or staff is None:
        return {}
    if not policy.can_view_records_to_fix(actor):
        return {}
    own = str(staff.organisation_id)
    query = f"?{urlencode(period_query(report.period))}"

    def url(name: str) -> str:
        return reverse(f"reports:{name}") + query

    links = {("score_by_organisation", own): url("data_quality_records")}
    if report.scope.kind == ORGANISATION and report.scope.id == own:
        for problem in PROBLEMS:
            row = "" if problem.key in {f.key for f in report.figures} else INCOMPLETE
            links[(problem.key, row)] = url(problem.url_name)
    elif report.scope.kind == PARTNERSHIP:
        for key in ("contacts_entered_late", "cases_without_recent_contact"):
            links[(f"{key}_by_organisation", own)] = url(BY_KEY[key].url_name)
    return links


def _shown(
    report: Report | None, links: dict[tuple[str, str], str]
) -> dict[str, list[tuple[Any, ...]]]:
    """The report's figures and breakdown rows, each with where its records are listed (None
    for a count with nothing to list, or no list)."""
    if report is None:
        return {"figure_rows": [], "breakdown_rows": []}

    def link(key: str, value: str, cell: Cell) -> str | None:
        return links.get((key, value)) if cell.count != 0 else None

    return {
        "figure_rows": [(f, link(f.key, "", f.cell)) for f in report.figures],
        "breakdown_rows": [
            (b, [(row, percent, link(b.key, row.value, row.cell)) for row, percent in b.bars])
            for b in report.breakdowns
        ],
    }


def _page(request: AuthenticatedRequest, kind: ReportKind, form: ReportForm, report, status: int):
    return render(
        request,
        "reports/report.html",
        {
            "kind": kind,
            "form": form,
            "report": report,
            "formats": list(FORMATS),
            "diagram": kind.diagram(report) if kind.diagram and report else None,
            "filters_apply": FILTERS_APPLY,
            "records_to_fix": (
                kind == DATA_QUALITY and policy.can_view_records_to_fix(request.actor)
            ),
            **_shown(report, _records_links(request, kind, report)),
        },
        status=status,
    )


@login_required
@require_GET
def report_index_view(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_view_reports(request.actor):
        return forbidden(request, NO_REPORTS)
    return render(
        request,
        "reports/index.html",
        {
            "kinds": REPORT_KINDS,
            "shows_break_glass": policy.can_view_break_glass_report(request.actor),
        },
    )


def report_view(kind: ReportKind) -> View:
    @login_required
    @require_GET
    def view(request: AuthenticatedRequest) -> HttpResponse:
        form = _form(request, kind)
        if isinstance(form, HttpResponse):
            return form
        parameters = form.parameters()
        if parameters is None:
            return _page(request, kind, form, None, 400)
        scope, period = parameters
        report = selectors.report_for(actor=request.actor, kind=kind, scope=scope, period=period)
        return _page(request, kind, form, report, 200)

    view.__doc__ = f"The {kind.title.lower()} as a page."
    return view


def report_download_view(kind: ReportKind) -> View:
    @login_required
    @require_GET
    def view(request: AuthenticatedRequest) -> HttpResponse:
        """The report as a file: `format` is csv (the default), xlsx or ods, with the page's
        parameters."""
        form = _form(request, kind, bound=True)
        if isinstance(form, HttpResponse):
            return form
        parameters = form.parameters()
        file_format = request.GET.get("format") or "csv"
        if file_format not in FORMATS:
            form.add_error(None, BAD_FORMAT)
            parameters = None
        if parameters is None:
            return _page(request, kind, form, None, 400)
        scope, period = parameters
        report = selectors.report_for(actor=request.actor, kind=kind, scope=scope, period=period)
        content = services.report_download(
            actor=request.actor, report=report, file_format=file_format, request=request
        )
        response = HttpResponse(content, content_type=FORMATS[file_format])
        disposition = f'attachment; filename="{file_name(report, file_format)}"'
        response["Content-Disposition"] = disposition
        return response

    return view


# Reports built in the background ----------------------------------------------------------------

BUILDS = Table(per_page=25)
# While a build is under way its page reloads itself, with or without JavaScript.
REFRESH_SECONDS = 2


def report_build_view(kind: ReportKind) -> View:
    @login_required
    @require_POST
    def view(request: AuthenticatedRequest) -> HttpResponse:
        """Ask for the report, with the page's parameters, to be built in the background."""
        actor = request.actor
        if not policy.can_view_reports(actor):
            return forbidden(request, NO_REPORTS)
        assert actor is not None
        scopes = selectors.report_scopes(actor=actor)
        form = ReportForm(request.POST, scopes=scopes, today=timezone.localdate())
        if request.POST.get("scope") and request.POST["scope"] not in form.scopes:
            return forbidden(request, NOT_YOURS)
        parameters = form.parameters()
        if parameters is None:
            return _page(request, kind, form, None, 400)
        scope, period = parameters
        try:
            build = services.report_build_request(
                actor=actor, kind=kind, scope=scope, period=period
            )
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        return redirect("reports:build_detail", pk=build.pk)

    return view


@login_required
@require_GET
def build_list_view(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_view_reports(request.actor):
        return forbidden(request, NO_REPORTS)
    builds = policy.builds_visible_to(request.actor).select_related("requested_by__user")
    page = BUILDS.page(request, builds)
    rows = [(build, services.KIND_TITLES.get(build.kind, build.kind)) for build in page]
    return render(request, "reports/build_list.html", {"page_obj": page, "rows": rows})


def _build_page(
    request: AuthenticatedRequest, build: ReportBuild, *, error: str = "", status: int = 200
) -> HttpResponse:
    kind = services.kind_named(build.kind)
    report = report_from_json(build.result) if build.result is not None else None
    response = render(
        request,
        "reports/build_detail.html",
        {
            "build": build,
            "kind": kind,
            "title": services.KIND_TITLES.get(build.kind, build.kind),
            "report": report,
            "formats": list(FORMATS),
            "diagram": kind.diagram(report) if kind and kind.diagram and report else None,
            "error": error,
            **_shown(report, {}),
        },
        status=status,
    )
    if not build.finished:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
@require_GET
def build_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    build = policy.get_build_for_actor(request.actor, pk)
    return _build_page(request, build)


@login_required
@require_GET
def build_download_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The built report as a file: `format` is csv (the default), xlsx or ods."""
    actor = request.actor
    build = policy.get_build_for_actor(actor, pk)
    assert actor is not None
    if build.state != BuildState.DONE or build.result is None:
        return redirect("reports:build_detail", pk=build.pk)
    file_format = request.GET.get("format") or "csv"
    if file_format not in FORMATS:
        return _build_page(request, build, error=BAD_FORMAT, status=400)
    report = report_from_json(build.result)
    content = services.report_download(
        actor=actor, report=report, file_format=file_format, request=request
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name(report, file_format)}"'
    return response


@login_required
@require_POST
def build_retry_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    build = policy.get_build_for_actor(actor, pk)
    assert actor is not None
    try:
        build = services.report_build_retry(actor=actor, build=build)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    return redirect("reports:build_detail", pk=build.pk)


# The records behind the data quality report -----------------------------------------------------

NO_RECORDS_TO_FIX = (
    "Lists of records to fix are for the caseworkers, referrers and delivery coordinators who "
    "fix them, and for those who read your organisation's data quality report. A peer mentor "
    "fixes their mentees' records from each mentee's own pages."
)


def _sort(request: AuthenticatedRequest, problem: Problem) -> str:
    asked = request.GET.get("sort", "")
    offered = {key for column in problem.table.columns for key in column.orderings()}
    return asked if asked in offered else problem.default_sort


@login_required
@require_GET
def records_to_fix_index_view(request: AuthenticatedRequest) -> HttpResponse:
    """Every list of records to fix, for the period asked (this quarter by default)."""
    actor = request.actor
    if not policy.can_view_records_to_fix(actor):
        return forbidden(request, NO_RECORDS_TO_FIX)
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    period = form.period()
    scope = selectors.own_scope(actor=actor)
    return render(
        request,
        "reports/records_to_fix.html",
        {
            "form": form,
            "period": period,
            "scope": scope,
            "problems": PROBLEMS,
            "query": urlencode(period_query(period)) if period else "",
            "names_records": policy.can_view_case_records(actor),
        },
        status=200 if period else 400,
    )


def records_to_fix_view(problem: Problem) -> View:
    @login_required
    @require_GET
    def view(request: AuthenticatedRequest) -> HttpResponse:
        actor = request.actor
        if not policy.can_view_records_to_fix(actor):
            return forbidden(request, NO_RECORDS_TO_FIX)
        form = PeriodForm(request.GET or None, today=timezone.localdate())
        period = form.period()
        context = {
            "problem": problem,
            "form": form,
            "period": period,
            "scope": selectors.own_scope(actor=actor),
            "names_records": policy.can_view_case_records(actor),
        }
        if period is None:
            return render(request, "reports/records.html", context, status=400)
        if not context["names_records"]:
            count = selectors.records_to_fix_count(actor=actor, problem=problem, period=period)
            return render(request, "reports/records.html", context | {"count": count})
        sort = _sort(request, problem)
        records = selectors.records_to_fix(actor=actor, problem=problem, period=period, sort=sort)
        table = problem.table.context(request, records, ordering=sort)
        rows = list(table["page_obj"].object_list)
        alike = (
            selectors.look_alikes(actor=actor, period=period, people=rows)
            if problem.lists == PAIRS
            else {}
        )
        people = [getattr(row, "person_id", row.pk) for row in rows]
        people += [other.pk for others in alike.values() for other in others]
        selectors.audit_records_read(
            actor=actor, problem=problem, person_ids=people, request=request
        )
        return render(
            request,
            "reports/records.html",
            context
            | table
            | {"rows": [(row, alike.get(row.pk, [])) for row in rows], "sort": sort},
        )

    view.__doc__ = f"{problem.title}: the records behind the data quality report's count."
    return view
