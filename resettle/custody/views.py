"""Custody pages: a person's custody periods, recording a period, a release and a recall, the
pre-release checklist, the person's timeline and the release-planning worklist. Thin: rules in
`policy`, reads in `selectors`, writes in `services`. A person or period the actor may not see
is the same 404 as one that does not exist."""

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.core.http import AuthenticatedRequest
from resettle.core.pathways import Pathway
from resettle.custody import selectors, services
from resettle.custody.forms import (
    ChecklistItemForm,
    CustodyPeriodForm,
    RecallForm,
    ReleaseForm,
    WorklistFilterForm,
)
from resettle.custody.models import ChecklistItem, CustodyPeriod
from resettle.web.form_runner import bound_data, form_status, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import Column, Table, page_of

PAGE_SIZE = 25
NOT_SHARED = (
    "This person's custody record is not shared with your organisation. Whether it is shared "
    "depends on your partnership's information-sharing agreement and the person's consent."
)
NO_CASE_ACCESS = (
    "Your role sees aggregate data only, not individual people's records. Release planning is "
    "for staff working with people."
)


def _period_for(request: AuthenticatedRequest, pk: UUID, period_id: UUID) -> CustodyPeriod:
    person = policy.get_person_for_actor(request.actor, pk)
    period = policy.get_period_for_actor(request.actor, period_id)
    if period.person_id != person.pk:
        raise Http404("No such custody period")
    return period


@require_GET
def person_custody_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    context: dict = {"person": person, "active_section": "custody"}
    if not policy.can_view_custody(actor, person):
        return render(request, "custody/person.html", context | {"shared": False})
    shown = selectors.shown_for(actor, person)
    periods = selectors.periods_for_person(person)
    selectors.record_custody_read(
        actor=actor, person=person, shown=shown, periods=periods, request=request
    )
    return render(
        request,
        "custody/person.html",
        context
        | {
            "shared": True,
            "periods": periods,
            "shown": shown,
            "can_record": policy.can_record_custody(actor, person),
            "can_update_checklist": policy.can_update_release_checklist(actor, person),
            "today": date.today(),
        },
    )


@require_http_methods(["GET", "POST"])
def period_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_record_custody(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record custody, so a current member
    form = CustodyPeriodForm(
        bound_data(request),
        with_licence_conditions=policy.can_view_licence_conditions(actor, person),
    )
    if response := run_form(
        request,
        form,
        lambda data: services.custody_period_record(
            actor=actor, person=person, data=form.period_data(), request=request
        ),
        success_url=reverse("custody:person", args=[person.pk]),
        message="The custody period has been recorded",
    ):
        return response
    return render_form(
        request,
        "custody/period_form.html",
        {"form": form, "person": person, "cancel_url": reverse("custody:person", args=[pk])},
    )


@require_http_methods(["GET", "POST"])
def release_view(request: AuthenticatedRequest, pk: UUID, period_id: UUID) -> HttpResponse:
    actor = request.actor
    period = _period_for(request, pk, period_id)
    person = period.person
    if not policy.can_record_custody(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record custody, so a current member
    cancel_url = reverse("custody:person", args=[pk])
    if not period.in_custody:
        messages.info(
            request,
            f"{person.full_name} is not in custody in this period. Record a recall or a new "
            "period first.",
        )
        return redirect(cancel_url)
    form = ReleaseForm(
        bound_data(request),
        period=period,
        with_licence_conditions=policy.can_view_licence_conditions(actor, person),
    )
    if response := run_form(
        request,
        form,
        lambda data: services.custody_release(
            actor=actor, period=period, request=request, **form.release_data()
        ),
        success_url=cancel_url,
        message="The release has been recorded. Live cases have resumed and each has a "
        "gate-meeting task.",
    ):
        return response
    return render_form(
        request,
        "custody/release_form.html",
        {"form": form, "person": person, "period": period, "cancel_url": cancel_url},
    )


@require_http_methods(["GET", "POST"])
def recall_view(request: AuthenticatedRequest, pk: UUID, period_id: UUID) -> HttpResponse:
    actor = request.actor
    period = _period_for(request, pk, period_id)
    person = period.person
    if not policy.can_record_custody(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record custody, so a current member
    cancel_url = reverse("custody:person", args=[pk])
    if period.in_custody:
        messages.info(
            request,
            f"{person.full_name} has not been released in this period, so cannot be recalled.",
        )
        return redirect(cancel_url)
    form = RecallForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.custody_recall(
            actor=actor,
            period=period,
            recalled_on=data["recalled_on"],
            recall_reason=data["recall_reason"],
            request=request,
        ),
        success_url=cancel_url,
        message="The recall has been recorded. Open cases are paused, not closed, and their "
        "workers have been told.",
    ):
        return response
    return render_form(
        request,
        "custody/recall_form.html",
        {"form": form, "person": person, "period": period, "cancel_url": cancel_url},
    )


@require_http_methods(["GET", "POST"])
def checklist_view(request: AuthenticatedRequest, pk: UUID, period_id: UUID) -> HttpResponse:
    """The pre-release checklist by pathway; each item is its own small form."""
    actor = request.actor
    period = _period_for(request, pk, period_id)
    person = period.person
    can_update = policy.can_update_release_checklist(actor, person)
    items = list(
        ChecklistItem.objects.filter(period=period)
        .select_related("updated_by")
        .prefetch_related("updates__by", "updates__organisation")
    )
    bound: dict = {}
    if request.method == "POST":
        if not can_update:
            return forbidden(
                request,
                "Only those recording custody, or working this person's case, can update the "
                "pre-release checklist.",
            )
        assert actor is not None  # may update the checklist, so a current member
        chosen = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        if chosen is None:
            messages.error(request, "Choose an item of this checklist to update")
            return redirect("custody:checklist", pk=pk, period_id=period.pk)
        form = ChecklistItemForm(request.POST, prefix=str(chosen.pk))
        if response := run_form(
            request,
            form,
            lambda data: services.checklist_item_update(
                actor=actor, item=chosen, status=data["status"], note=data["note"], request=request
            ),
            success_url=f"{request.path}#item-{chosen.pk}",
            message=f"{chosen.get_kind_display()} has been updated",
        ):
            return response
        bound[chosen.pk] = form
    pathways = dict(Pathway.choices)
    groups: dict[str, list] = {}
    for item in items:
        form = bound.get(item.pk) or ChecklistItemForm(
            prefix=str(item.pk), initial={"status": item.status, "note": item.note}
        )
        groups.setdefault(pathways[item.pathway], []).append((item, form))
    error_form = next(iter(bound.values()), None)
    return render(
        request,
        "custody/checklist.html",
        {
            "person": person,
            "period": period,
            "groups": groups,
            "can_update": can_update,
            "error_form": error_form,
            "done": sum(1 for i in items if not i.outstanding),
            "total": len(items),
            "active_section": "custody",
        },
        status=form_status(*bound.values()),
    )


@require_GET
def timeline_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    chosen = {k for k in request.GET.getlist("show") if k in selectors.TIMELINE_KINDS}
    entries = selectors.person_timeline(
        actor=actor, person=person, kinds=chosen or None, request=request
    )
    page = page_of(request, entries, 50)
    return render(
        request,
        "custody/timeline.html",
        {
            "person": person,
            "active_section": "timeline",
            "page_obj": page,
            "entries": page.object_list,
            "kinds": selectors.TIMELINE_KINDS,
            "chosen": chosen,
            "custody_shared": policy.can_view_custody(actor, person),
        },
    )


WORKLIST_TABLE = Table(
    Column("name", "Name"), Column("release", "Expected release"), per_page=PAGE_SIZE
)


@require_GET
def release_worklist_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NO_CASE_ACCESS)
    assert actor is not None  # works with people's records, so a current member
    establishments = selectors.worklist_establishments(actor)
    form = WorklistFilterForm(request.GET or None, establishments=list(establishments))
    filters = form.filters()
    periods = selectors.release_worklist(actor=actor, **filters)
    count = None
    if not any(filters[k] for k in ("due_from", "due_to", "pathway")):
        # Counted already, by establishment: the whole worklist or the one establishment chosen.
        chosen = filters["establishment"].casefold()
        count = sum(
            n for name, n in establishments.items() if not chosen or name.casefold() == chosen
        )
    table = WORKLIST_TABLE.context(request, periods, ordering=filters["ordering"], count=count)
    page = table["page_obj"]
    rows = selectors.worklist_rows(actor, list(page.object_list))
    is_filtered = any(filters[k] for k in ("establishment", "due_from", "due_to", "pathway"))
    return render(
        request,
        "custody/releases.html",
        table
        | {
            "form": form,
            "rows": rows,
            "is_filtered": is_filtered,
            "today": date.today(),
        },
    )
