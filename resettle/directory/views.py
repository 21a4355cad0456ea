"""Service directory pages.

Signed in (`services/`): every service of the partnership's organisations (referral-only ones
too), with capacity, caseload and waiting list; search, filters, and "eligible for" a person the
actor may see. Organisation admins and delivery coordinators manage their own organisation's
services, locations and schedules. Public (`directory/`): active services open to all, with no
figures about people at all.
"""

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Organisation
from resettle.audit.models import AuditEvent
from resettle.audit.services import record_read
from resettle.core.http import AuthenticatedRequest, ResettleRequest
from resettle.core.pathways import Pathway
from resettle.directory import eligibility, selectors, services
from resettle.directory.forms import (
    LocationForm,
    PublicFilterForm,
    ScheduleEndForm,
    ScheduleForm,
    ServiceDeactivateForm,
    ServiceFilterForm,
    ServiceForm,
    ServiceReactivateForm,
    service_initial,
)
from resettle.directory.models import Schedule, Service
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import Column, Table, page_of

PAGE_SIZE = 20
NOT_A_MANAGER = (
    "Only organisation admins and delivery coordinators manage their organisation's services."
)
NOT_THE_OWNER = "Only admins and delivery coordinators of {owner} can change this service."
# The categories the eligibility rules read beyond identity (custody, address, family).
ELIGIBILITY_CATEGORIES = (Category.CUSTODY, Category.CONTACT, Category.FAMILY_CHILDREN)
PATHWAY_LABELS = dict(Pathway.choices)


SERVICES_TABLE = Table(
    Column("name", "Service"), Column("organisation", "Organisation"), per_page=PAGE_SIZE
)


def _decorate(service_list: list[Service]) -> None:
    for service in service_list:
        service.pathway_labels = [PATHWAY_LABELS.get(p, p) for p in service.pathways]
        service.full = selectors.is_full(service)
        service.places_left = selectors.places_left(service)


def _eligibility_person(request: AuthenticatedRequest):
    """The person chosen with ?person=, or None; a person the actor may not see is a 404."""
    raw = request.GET.get("person")
    if not raw:
        return None
    return policy.get_person_for_actor(request.actor, raw)


@require_GET
def service_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    organisations = policy.organisations_visible_to(actor).order_by("name")
    form = ServiceFilterForm(request.GET or None, organisations=organisations)
    person = _eligibility_person(request)
    filters = form.filters()
    service_qs: QuerySet[Service] | list[Service] = selectors.service_list(
        actor=actor, filters=filters
    )
    eligible_only = bool(person and request.GET.get("eligible") == "yes")
    answers: dict = {}
    if person is not None:
        visible = policy.categories_visible(actor, person)
        if eligible_only:
            everything = list(service_qs)
            answers = eligibility.eligibility_for(everything, person, categories=visible)
            service_qs = [s for s in everything if answers[s.pk].eligible]
    page = SERVICES_TABLE.page(request, service_qs)
    service_list = list(page.object_list)
    if person is not None:
        if not eligible_only:
            answers = eligibility.eligibility_for(service_list, person, categories=visible)
        read = [c for c in ELIGIBILITY_CATEGORIES if c in visible]
        if read:
            record_read(actor=actor, person=person, categories=read, request=request)
        for service in service_list:
            service.eligibility = answers[service.pk]
    _decorate(service_list)
    context = {
        "form": form,
        "page_obj": page,
        "services": service_list,
        "person": person,
        "eligible_only": eligible_only,
        "filters": filters,
        "is_filtered": any(
            [filters.query, filters.pathway, filters.access, filters.organisation, filters.district]
        ),
        "sort_headers": SERVICES_TABLE.headers(filters.ordering),
        "can_manage": policy.can_manage_services(actor),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, "directory/_results.html" if partial else "directory/list.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _history(service: Service) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(object_type=services.SERVICE, object_id=str(service.pk))
    return [
        {
            "event": event,
            "changes": [
                {"label": name.replace("_", " ").capitalize(), "before": old, "after": new}
                for name, (old, new) in sorted((event.changes or {}).items())
            ],
        }
        for event in events.order_by("-id")[:20]
    ]


def _schedules_with_next(service: Service) -> list[Schedule]:
    today = date.today()
    schedules = selectors.service_schedules(service)
    for schedule in schedules:
        schedule.words = selectors.describe_rule(schedule.rrule)
        schedule.upcoming = selectors.next_sessions(schedule, after=today)
        schedule.ended = schedule.valid_to is not None and schedule.valid_to < today
    return schedules


@require_GET
def service_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    service = selectors.get_service_detail(actor, pk)
    _decorate([service])
    can_edit = policy.can_edit_service(actor, service)
    return render(
        request,
        "directory/detail.html",
        {
            "service": service,
            "locations": selectors.service_locations(service),
            "schedules": _schedules_with_next(service),
            "terms": list(service.taxonomy_terms.select_related("taxonomy")),
            "can_edit": can_edit,
            "history": _history(service) if can_edit else [],
        },
    )


def _service_form(
    request: AuthenticatedRequest, organisation: Organisation, **kwargs: Any
) -> ServiceForm:
    return ServiceForm(
        bound_data(request),
        locations=list(selectors.organisation_locations(organisation.pk)),
        terms=services.extra_terms(),
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def service_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_services(actor):
        return forbidden(request, NOT_A_MANAGER)
    assert actor is not None  # may manage services, so a current member
    form = _service_form(request, actor.organisation)
    if response := run_form(
        request,
        form,
        lambda data: services.service_create(
            actor=actor,
            data=form.data_for_service(),
            location_ids=form.location_ids(),
            term_ids=form.term_ids(),
            request=request,
        ),
        success_url=lambda service: reverse("directory:service_detail", args=[service.pk]),
        message=lambda service: f"{service.name} has been added to the directory",
    ):
        return response
    return render_form(
        request,
        "directory/service_form.html",
        {
            "form": form,
            "heading": "Add a service",
            "caption": actor.organisation.name,
            "cancel_url": reverse("directory:service_list"),
        },
    )


def _editable(
    request: AuthenticatedRequest, pk: UUID
) -> tuple[Service | None, HttpResponse | None]:
    """The service if the actor may change it; otherwise the refusal (404 if not visible)."""
    service = policy.get_service_for_actor(request.actor, pk)
    if not policy.can_edit_service(request.actor, service):
        return None, forbidden(request, NOT_THE_OWNER.format(owner=service.organisation.name))
    return service, None


@require_http_methods(["GET", "POST"])
def service_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    service, refusal = _editable(request, pk)
    if refusal is not None:
        return refusal
    assert service is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may edit the service, so a current member
    form = _service_form(request, service.organisation, initial=service_initial(service))
    detail_url = reverse("directory:service_detail", args=[service.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.service_update(
            actor=actor,
            service=service,
            data=form.data_for_service(),
            location_ids=form.location_ids() if "locations" in form.fields else None,
            term_ids=form.term_ids() if "taxonomy_terms" in form.fields else None,
            request=request,
        ),
        success_url=detail_url,
        message="The service has been saved",
    ):
        return response
    return render_form(
        request,
        "directory/service_form.html",
        {
            "form": form,
            "service": service,
            "heading": "Change the service",
            "caption": service.name,
            "cancel_url": detail_url,
        },
    )


def _status_view(request: AuthenticatedRequest, pk: UUID, *, deactivate: bool) -> HttpResponse:
    service, refusal = _editable(request, pk)
    if refusal is not None:
        return refusal
    assert service is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may edit the service, so a current member
    form = (ServiceDeactivateForm if deactivate else ServiceReactivateForm)(bound_data(request))
    change = services.service_deactivate if deactivate else services.service_reactivate
    now = "inactive and out of" if deactivate else "active and back in"
    detail_url = reverse("directory:service_detail", args=[service.pk])
    if response := run_form(
        request,
        form,
        lambda data: change(actor=actor, service=service, request=request),
        success_url=detail_url,
        message=f"{service.name} is {now} the directory",
    ):
        return response
    return render_form(
        request,
        "directory/service_status.html",
        {
            "form": form,
            "service": service,
            "deactivate": deactivate,
            "caseload": selectors.service_caseload(service),
            "waiting": selectors.waiting_list_count(service),
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def service_deactivate_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _status_view(request, pk, deactivate=True)


@require_http_methods(["GET", "POST"])
def service_reactivate_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _status_view(request, pk, deactivate=False)


@require_http_methods(["GET", "POST"])
def schedule_add_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    service, refusal = _editable(request, pk)
    if refusal is not None:
        return refusal
    assert service is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may edit the service, so a current member
    locations = list(selectors.organisation_locations(service.organisation_id))
    form = ScheduleForm(bound_data(request), locations=locations)
    detail_url = reverse("directory:service_detail", args=[service.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.schedule_add(
            actor=actor, service=service, data=form.data_for_service(), request=request
        ),
        success_url=detail_url,
        message="The sessions have been added",
    ):
        return response
    return render_form(
        request,
        "directory/schedule_form.html",
        {"form": form, "service": service, "cancel_url": detail_url},
    )


@require_http_methods(["GET", "POST"])
def schedule_end_view(request: AuthenticatedRequest, pk: UUID, schedule_id: UUID) -> HttpResponse:
    service, refusal = _editable(request, pk)
    if refusal is not None:
        return refusal
    assert service is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may edit the service, so a current member
    schedule = selectors.get_schedule(service, schedule_id)
    form = ScheduleEndForm(bound_data(request))
    detail_url = reverse("directory:service_detail", args=[service.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.schedule_end(
            actor=actor, schedule=schedule, last_date=data["last_date"], request=request
        ),
        success_url=detail_url,
        message="The sessions will stop after that date",
    ):
        return response
    return render_form(
        request,
        "directory/schedule_end.html",
        {
            "form": form,
            "service": service,
            "schedule": schedule,
            "words": selectors.describe_rule(schedule.rrule),
            "cancel_url": detail_url,
        },
    )


# Locations --------------------------------------------------------------------------------------


@require_GET
def location_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_services(actor):
        return forbidden(request, NOT_A_MANAGER)
    assert actor is not None  # may manage services, so a current member
    locations = selectors.organisation_locations(actor.organisation_id).prefetch_related("services")
    page = page_of(request, locations, PAGE_SIZE)
    return render(request, "directory/location_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def location_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_services(actor):
        return forbidden(request, NOT_A_MANAGER)
    assert actor is not None  # may manage services, so a current member
    form = LocationForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.location_create(actor=actor, data=data, request=request),
        success_url=reverse("directory:location_list"),
        message=lambda location: f"{location.name} has been added",
    ):
        return response
    return render_form(
        request,
        "directory/location_form.html",
        {
            "form": form,
            "heading": "Add a location",
            "cancel_url": reverse("directory:location_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def location_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    location = policy.get_location_for_actor(actor, pk)
    if not policy.can_edit_location(actor, location):
        return forbidden(
            request,
            f"Only admins and delivery coordinators of {location.organisation} can "
            "change this location.",
        )
    assert actor is not None  # may edit the location, so a current member
    form = LocationForm(bound_data(request), initial=_location_initial(location))
    if response := run_form(
        request,
        form,
        lambda data: services.location_update(
            actor=actor, location=location, data=data, request=request
        ),
        success_url=reverse("directory:location_list"),
        message="The location has been saved",
    ):
        return response
    return render_form(
        request,
        "directory/location_form.html",
        {
            "form": form,
            "location": location,
            "heading": "Change the location",
            "cancel_url": reverse("directory:location_list"),
        },
    )


def _location_initial(location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in LocationForm.Meta.fields}


# The public directory ---------------------------------------------------------------------------


@login_not_required
@require_GET
def public_list_view(request: ResettleRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(
        pk__in=policy.public_services().values("organisation_id")
    ).order_by("name")
    form = PublicFilterForm(request.GET or None, organisations=organisations)
    filters = form.filters()
    page = page_of(request, selectors.public_service_list(filters=filters), PAGE_SIZE)
    service_list = list(page.object_list)
    for service in service_list:
        service.pathway_labels = [PATHWAY_LABELS.get(p, p) for p in service.pathways]
    return render(
        request,
        "directory/public_list.html",
        {
            "form": form,
            "page_obj": page,
            "services": service_list,
            "is_filtered": any(
                [filters.query, filters.pathway, filters.organisation, filters.district]
            ),
        },
    )


@login_not_required
@require_GET
def public_detail_view(request: ResettleRequest, pk: UUID) -> HttpResponse:
    service = selectors.get_public_service(pk)
    service.pathway_labels = [PATHWAY_LABELS.get(p, p) for p in service.pathways]
    return render(
        request,
        "directory/public_detail.html",
        {
            "service": service,
            "locations": selectors.service_locations(service),
            "schedules": [s for s in _schedules_with_next(service) if not s.ended],
        },
    )
