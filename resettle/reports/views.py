"""The reports area: an index of the reports the actor may read, and each report as a page and
as files. Thin: the figures come from selectors, the parameters from the form; every report kind
shares these views."""

from collections.abc import Callable
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from resettle.access import policy
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.reports import selectors, services
from resettle.reports.figures import FILTERS_APPLY, report_from_json
from resettle.reports.files import FORMATS, file_name
from resettle.reports.forms import ReportForm
from resettle.reports.kinds import REPORT_KINDS, ReportKind
from resettle.reports.models import BuildState, ReportBuild
from resettle.reports.parameters import NOT_YOURS
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
