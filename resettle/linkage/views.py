"""Linkage pages: runs (start one, follow its progress), the review queue and one pair's
decision, and the partnership's cases in common with its CSV for the case meeting. Thin: the
rules live in access/rules/linkage.py, the reads in selectors and the writes in services."""

import csv
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access.rules import linkage as rules
from resettle.access.rules import merging as merging_rules
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import ApplicationError
from resettle.core.http import AuthenticatedRequest
from resettle.lib.spreadsheet import spreadsheet_text
from resettle.linkage import selectors, services
from resettle.linkage.forms import DecisionForm, PeriodForm
from resettle.linkage.matching import DEFAULT_LOWER, DEFAULT_UPPER
from resettle.partnerships.models import Partnership
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden

PAGE_SIZE = 20
NO_LINKAGE = (
    "Record linkage is run and reviewed by organisation admins and data-protection leads. "
    "Ask your organisation admin."
)
NO_CASES_IN_COMMON = (
    "Cases in common are for caseworkers, referrers, delivery coordinators, partnership "
    "managers and organisation admins."
)


def _partnership(request: AuthenticatedRequest, allowed) -> Partnership | None:
    """The partnership asked for (?partnership=), or the actor's first."""
    wanted = request.GET.get("partnership") or request.POST.get("partnership")
    if wanted:
        try:
            return allowed.filter(pk=UUID(str(wanted))).first()
        except ValueError:
            return None
    return allowed.first()


@require_GET
def run_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not rules.can_manage_linkage(actor):
        return forbidden(request, NO_LINKAGE)
    page = Paginator(selectors.runs_for(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    partnerships = rules.linkage_partnerships(actor)
    return render(
        request,
        "linkage/runs.html",
        {
            "page_obj": page,
            "runs": page.object_list,
            # Each partnership with its latest finished run: a new run builds on it by default.
            "starts": [(p, selectors.latest_run(p)) for p in partnerships],
            "default_upper": DEFAULT_UPPER,
            "default_lower": DEFAULT_LOWER,
        },
    )


def _threshold(request: AuthenticatedRequest, which: str) -> float | None:
    """A threshold the form asks for; blank keeps the last run's (or the default)."""
    text = request.POST.get(f"{which}_threshold", "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ApplicationError(
            f"Enter the {which} threshold as a match weight, like 1.0 or -0.5."
        ) from None


@require_POST
def run_start_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not rules.can_manage_linkage(actor):
        return forbidden(request, NO_LINKAGE)
    assert actor is not None
    partnership = _partnership(request, rules.linkage_partnerships(actor))
    if partnership is None:
        return forbidden(request, services.NOT_YOUR_PARTNERSHIP)
    try:
        run = services.linkage_run_request(
            actor=actor,
            partnership=partnership,
            full=request.POST.get("full") == "1",
            upper_threshold=_threshold(request, "upper"),
            lower_threshold=_threshold(request, "lower"),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("linkage:runs")
    messages.success(request, "Linking has started. This page shows its progress.")
    return redirect("linkage:run_detail", pk=run.pk)


@require_GET
def run_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not rules.can_manage_linkage(actor):
        return forbidden(request, NO_LINKAGE)
    run = rules.get_run_for_actor(actor, pk)
    return render(request, "linkage/run_detail.html", {"run": run})


@require_GET
def review_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not rules.can_manage_linkage(actor):
        return forbidden(request, NO_LINKAGE)
    page = Paginator(
        selectors.review_queue(actor=actor).select_related("left", "right"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    comparisons = [selectors.compare(actor=actor, pair=pair) for pair in page.object_list]
    if comparisons:
        record_event(
            actor=actor,
            action=AuditAction.READ,
            object_type="linkage_review",
            changes={"pairs": [None, str(len(comparisons))]},
            request=request,
        )
    return render(
        request,
        "linkage/review.html",
        {"page_obj": page, "comparisons": comparisons, "not_shared": selectors.NOT_SHARED},
    )


@require_http_methods(["GET", "POST"])
def pair_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not rules.can_manage_linkage(actor):
        return forbidden(request, NO_LINKAGE)
    assert actor is not None
    pair = rules.get_pair_for_actor(actor, pk)
    form = DecisionForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.pair_decide(actor=actor, pair=pair, decision=data["decision"]),
        success_url=reverse("linkage:review"),
        message="Decision saved. The next linkage run will follow it.",
    ):
        return response
    comparison = selectors.compare(actor=actor, pair=pair)
    record_event(
        actor=actor,
        action=AuditAction.READ,
        object_type="link_pair",
        object_id=pair.pk,
        request=request,
    )
    return render_form(
        request,
        "linkage/pair.html",
        {
            "form": form,
            "comparison": comparison,
            "cancel_url": reverse("linkage:review"),
            # Records only the reviewer's organisation holds can be merged once accepted.
            "can_merge": merging_rules.can_merge_pair(actor, pair),
            "merge": merging_rules.merge_of_pair(actor, pair),
        },
    )


def _cases_in_common(request: AuthenticatedRequest):
    actor = request.actor
    partnership = _partnership(request, rules.cases_in_common_partnerships(actor))
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if partnership is None:
        return form, None, start, end, None
    found = selectors.cases_in_common(actor=actor, partnership=partnership, start=start, end=end)
    return form, found, start, end, partnership


@require_GET
def cases_in_common_view(request: AuthenticatedRequest) -> HttpResponse:
    if not rules.can_view_cases_in_common(request.actor):
        return forbidden(request, NO_CASES_IN_COMMON)
    form, found, start, end, partnership = _cases_in_common(request)
    rows = found.named if found else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = selectors.with_details(actor=request.actor, rows=list(page.object_list))
    if shown:
        record_event(
            actor=request.actor,
            action=AuditAction.READ,
            object_type="cases_in_common",
            object_id=partnership.pk if partnership else "",
            changes={"named": [None, str(len(page.object_list))]},
            request=request,
        )
    return render(
        request,
        "linkage/cases_in_common.html",
        {
            "form": form,
            "found": found,
            "page_obj": page,
            "rows": shown,
            "start": start,
            "end": end,
            "partnership": partnership,
        },
    )


def _work(work: selectors.WorkInCommon) -> str:
    text = f"{work.organisation}: {work.state}"
    if work.next_appointment:
        text += f", next appointment {timezone.localtime(work.next_appointment):%-d %b %Y %H:%M}"
    return text


@require_GET
def cases_in_common_csv_view(request: AuthenticatedRequest) -> HttpResponse:
    if not rules.can_view_cases_in_common(request.actor):
        return forbidden(request, NO_CASES_IN_COMMON)
    _form, found, start, end, partnership = _cases_in_common(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"cases-in-common-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        ["Person", "Date of birth", "Organisations, case state and next appointment", "Others"]
    )
    named = selectors.with_details(actor=request.actor, rows=found.named if found else [])
    for row in named:
        assert row.person is not None
        writer.writerow(
            [
                spreadsheet_text(row.person.full_name),
                row.person.date_of_birth.isoformat() if row.person.date_of_birth else "",
                spreadsheet_text("; ".join(_work(work) for work in row.organisations)),
                row.others,
            ]
        )
    if found and found.counted:
        writer.writerow([f"{found.counted} more not shared with you", "", "", ""])
    record_event(
        actor=request.actor,
        action=AuditAction.EXPORT,
        object_type="cases_in_common",
        object_id=partnership.pk if partnership else "",
        changes={
            "rows": [None, str(len(named))],
            "period": [None, f"{start}/{end}"],
        },
        request=request,
    )
    return response
