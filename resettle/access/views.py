"""Break-glass pages: opening and closing a break-glass on a person, and the partnership's
break-glass report with its CSV download. Thin: the rules live in policy, selectors and
services."""

import csv
from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access import policy, selectors, services
from resettle.access.forms import BreakGlassForm, BreakGlassReportFilterForm
from resettle.access.models import BreakGlassAccess
from resettle.access.policy import can_view_break_glass_report
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.lib.spreadsheet import spreadsheet_text
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import Column, Table

if TYPE_CHECKING:
    from resettle.access.selectors import ReportRow

PAGE_SIZE = 25
NOT_SHARED = "a person not shared with your organisation"
NOT_A_LEAD = (
    "Only a designated safeguarding lead working with this person can break glass. "
    "If you have a safeguarding concern, tell your organisation's safeguarding lead."
)
NO_REPORT = (
    "The break-glass report is for organisation admins, partnership managers and "
    "designated safeguarding leads."
)


@require_http_methods(["GET", "POST"])
def break_glass_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not selectors.can_break_glass_for_person(actor=actor, person=person):
        return forbidden(request, NOT_A_LEAD)
    assert actor is not None  # may break glass, so a current member
    categories = selectors.break_glass_categories(actor=actor, person=person)
    # With nothing left to open, the form cannot be valid: the page says so instead.
    form = BreakGlassForm(bound_data(request), categories=categories)
    if response := run_form(
        request,
        form,
        lambda data: services.break_glass_open(
            actor=actor,
            person=person,
            category=data["category"],
            reason=data["reason"],
            hours=data["hours"],
            request=request,
        ),
        success_url=reverse("people:detail", args=[person.pk]),
        message=lambda access: (
            f"You can see {access.get_category_display().lower()} until "
            f"{services.format_time(access.expires_at)}"
        ),
    ):
        return response
    return render_form(
        request,
        "access/break_glass.html",
        {
            "person": person,
            "form": form,
            "categories": categories,
            "open_accesses": selectors.open_break_glass(actor=actor, person=person),
            "cancel_url": reverse("people:detail", args=[person.pk]),
        },
    )


@require_POST
def break_glass_close_view(
    request: AuthenticatedRequest, pk: UUID, access_pk: UUID
) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    access = selectors.get_open_break_glass_for_actor(
        actor=actor, person=person, access_id=access_pk
    )
    assert actor is not None  # found: someone in no organisation has no open access
    try:
        services.break_glass_close(actor=actor, access=access, request=request)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    messages.success(request, f"Your access to {access.get_category_display().lower()} has ended")
    return redirect("people:detail", pk=person.pk)


# Dates sort newest first on the first click; names and categories A to Z.
REPORT_TABLE = Table(
    Column("who", "Who"),
    Column("organisation", "Organisation"),
    Column("category", "Category"),
    Column("opened", "Opened", newest_first=True),
    Column("expires", "Expires", newest_first=True),
    per_page=PAGE_SIZE,
)


def _report_rows(
    request: AuthenticatedRequest,
) -> tuple[BreakGlassReportFilterForm, "QuerySet[ReportRow]"]:
    actor = request.actor
    organisations = list(selectors.report_organisations(actor=actor))
    form = BreakGlassReportFilterForm(request.GET or None, organisations=organisations)
    filters = form.filters()
    rows = selectors.break_glass_report(actor=actor, **filters)
    return form, rows


@require_GET
def break_glass_report_view(request: AuthenticatedRequest) -> HttpResponse:
    if not can_view_break_glass_report(request.actor):
        return forbidden(request, NO_REPORT)
    form, rows = _report_rows(request)
    table = REPORT_TABLE.context(request, rows, ordering=form.filters()["ordering"])
    return render(
        request,
        "access/break_glass_report.html",
        table
        | {
            "form": form,
            "rows": table["page_obj"].object_list,
            "now": timezone.now(),
            "not_shared": NOT_SHARED,
        },
    )


def _status(row: BreakGlassAccess, now) -> str:
    if row.closed_at is not None:
        return "Closed early"
    return "Open" if row.is_open(now) else "Expired"


@require_GET
def break_glass_report_csv_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not can_view_break_glass_report(actor):
        return forbidden(request, NO_REPORT)
    form, rows = _report_rows(request)
    now = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"break-glass-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Who",
            "Organisation",
            "Person",
            "Category",
            "Reason",
            "Opened",
            "Expires",
            "Closed",
            "Status",
        ]
    )
    count = 0
    for row in rows.iterator(chunk_size=500):
        count += 1
        writer.writerow(
            [
                spreadsheet_text(row.user.get_full_name() or row.user.username),
                spreadsheet_text(row.organisation.name),
                spreadsheet_text(row.person.full_name if row.person_visible else NOT_SHARED),
                row.get_category_display(),
                spreadsheet_text(row.reason),
                timezone.localtime(row.opened_at).isoformat(timespec="minutes"),
                timezone.localtime(row.expires_at).isoformat(timespec="minutes"),
                timezone.localtime(row.closed_at).isoformat(timespec="minutes")
                if row.closed_at
                else "",
                _status(row, now),
            ]
        )
    filters = {name: str(value) for name, value in form.filters().items() if value}
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="break_glass_report",
        changes={"rows": [None, str(count)]} | {k: [None, v] for k, v in filters.items()},
        request=request,
    )
    return response


@require_POST
def break_glass_end_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """A safeguarding lead ends one of their organisation's open break-glass accesses, from
    their home page. Anyone else, or a closed or unknown one: the same 404."""
    actor = request.actor
    now = timezone.now()
    access = policy.get_or_404(
        policy.break_glass_of_organisation(actor).filter(
            closed_at__isnull=True, opened_at__lte=now, expires_at__gt=now
        ),
        pk,
        "break-glass access",
    )
    assert actor is not None  # found one of their organisation's
    try:
        services.break_glass_end(actor=actor, access=access, request=request)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    messages.success(request, f"Access to {access.get_category_display().lower()} has ended")
    return redirect("web:home")
