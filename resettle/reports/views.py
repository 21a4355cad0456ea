"""The reports area: an index of the reports the actor may read, the quarterly return as a page
and as files. Thin: the figures come from selectors, the parameters from the form."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from resettle.access import policy
from resettle.core.http import AuthenticatedRequest
from resettle.reports import selectors, services
from resettle.reports.files import FORMATS, file_name
from resettle.reports.forms import ReportForm
from resettle.reports.parameters import NOT_YOURS
from resettle.web.pages import forbidden

BAD_FORMAT = "Choose a file format: CSV, XLSX or ODS"
NO_REPORTS = (
    "Reports are for partnership managers, analysts and organisation admins. Ask your "
    "organisation admin if you need the figures."
)


def _form(request: AuthenticatedRequest, *, bound: bool = False) -> ReportForm | HttpResponse:
    actor = request.actor
    if not policy.can_view_reports(actor):
        return forbidden(request, NO_REPORTS)
    scopes = selectors.report_scopes(actor=actor)
    data = request.GET if bound else (request.GET or None)
    form = ReportForm(data, scopes=scopes, today=timezone.localdate())
    if request.GET.get("scope") and request.GET["scope"] not in form.scopes:
        return forbidden(request, NOT_YOURS)
    return form


@login_required
@require_GET
def report_index_view(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_view_reports(request.actor):
        return forbidden(request, NO_REPORTS)
    return render(
        request,
        "reports/index.html",
        {"shows_break_glass": policy.can_view_break_glass_report(request.actor)},
    )


@login_required
@require_GET
def quarterly_return_view(request: AuthenticatedRequest) -> HttpResponse:
    form = _form(request)
    if isinstance(form, HttpResponse):
        return form
    parameters = form.parameters()
    report = None
    if parameters is not None:
        scope, period = parameters
        report = selectors.quarterly_return(actor=request.actor, scope=scope, period=period)
    return render(
        request,
        "reports/quarterly_return.html",
        {"form": form, "report": report, "formats": list(FORMATS)},
        status=200 if parameters is not None else 400,
    )


@login_required
@require_GET
def quarterly_return_download_view(request: AuthenticatedRequest) -> HttpResponse:
    """The report as a file: `format` is csv (the default), xlsx or ods, with the page's
    parameters."""
    form = _form(request, bound=True)
    if isinstance(form, HttpResponse):
        return form
    parameters = form.parameters()
    file_format = request.GET.get("format") or "csv"
    if file_format not in FORMATS:
        form.add_error(None, BAD_FORMAT)
        parameters = None
    if parameters is None:
        return render(
            request,
            "reports/quarterly_return.html",
            {"form": form, "report": None, "formats": list(FORMATS)},
            status=400,
        )
    scope, period = parameters
    report = selectors.quarterly_return(actor=request.actor, scope=scope, period=period)
    content = services.report_download(
        actor=request.actor, report=report, file_format=file_format, request=request
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name(report, file_format)}"'
    return response
