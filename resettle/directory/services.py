"""Every write to the service directory. Only an organisation's admins and delivery coordinators
change its services, locations and schedules; each change is validated whole, saved in one
transaction and recorded in the audit trail with what changed. Services are never deleted:
deactivating one takes it out of the directory and keeps its referrals and history."""

from collections.abc import Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.pathways import Pathway
from resettle.directory.models import (
    CustodyEligibility,
    Location,
    Schedule,
    Service,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

SERVICE = "service"
LOCATION = "location"
SCHEDULE = "schedule"

PATHWAY_TAXONOMY = "Resettle pathways"
PATHWAY_TAXONOMY_DESCRIPTION = (
    "The seven resettlement pathways, with sport and physical activity and mentoring as service "
    "types (Resettle's own vocabulary)."
)

# What a service's `data` may hold, in the order the service form asks for them.
SERVICE_FIELDS = (
    "name",
    "description",
    "who_it_is_for",
    "access",
    "pathways",
    "minimum_age",
    "maximum_age",
    "eligible_gender",
    "postcode_districts",
    "custody_status",
    "release_window_weeks",
    "cost",
    "capacity",
    "has_waiting_list",
    "contact_name",
    "email",
    "phone",
    "url",
)
# What a location's `data` may hold, in the order the location form asks for them.
LOCATION_FIELDS = (
    "name",
    "address_line_1",
    "town",
    "county",
    "postcode",
    "accessibility",
    "transport",
)
SCHEDULE_FIELDS = frozenset(
    {"location", "valid_from", "valid_to", "opens_at", "closes_at", "rrule", "description"}
)


def _check_fields(data: dict[str, Any], allowed: Collection[str]) -> None:
    unknown = sorted(set(data).difference(allowed))
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _record(
    actor: Membership,
    action: str,
    object_type: str,
    object_id,
    changes: dict[str, list[str | None]],
    request: HttpRequest | None,
) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        request=request,
    )


# Taxonomy ---------------------------------------------------------------------------------------


def pathway_taxonomy() -> Taxonomy:
    """Resettle's pathway vocabulary, with one term per pathway (made the first time it is
    needed, so a fresh database and the ORUK feed always have it)."""
    taxonomy, _ = Taxonomy.objects.get_or_create(
        name=PATHWAY_TAXONOMY, defaults={"description": PATHWAY_TAXONOMY_DESCRIPTION}
    )
    existing = set(taxonomy.terms.values_list("code", flat=True))
    missing = [
        TaxonomyTerm(taxonomy=taxonomy, code=value, name=label)
        for value, label in Pathway.choices
        if value not in existing
    ]
    if missing:
        TaxonomyTerm.objects.bulk_create(missing)
    return taxonomy


def _sync_pathway_terms(service: Service) -> None:
    """Tag the service with the pathway terms of its pathways, and only those."""
    taxonomy = pathway_taxonomy()
    terms = TaxonomyTerm.objects.filter(taxonomy=taxonomy)
    wanted = [t for t in terms if t.code in set(service.pathways)]
    service.taxonomy_terms.remove(*[t for t in terms if t not in wanted])
    service.taxonomy_terms.add(*wanted)


def extra_terms() -> list[TaxonomyTerm]:
    """Terms of vocabularies other than the pathways (imported ones), to tag services with."""
    return list(
        TaxonomyTerm.objects.exclude(taxonomy__name=PATHWAY_TAXONOMY).select_related("taxonomy")
    )


# Services ---------------------------------------------------------------------------------------


def _service_snapshot(service: Service) -> dict[str, Any]:
    snapshot = {name: getattr(service, name) for name in sorted(SERVICE_FIELDS)}
    snapshot["pathways"] = ", ".join(service.pathways or [])
    snapshot["postcode_districts"] = ", ".join(service.postcode_districts or [])
    snapshot["status"] = service.status
    return snapshot


def _relations_snapshot(service: Service) -> dict[str, Any]:
    return {
        "locations": ", ".join(sorted(location.name for location in service.locations.all())),
        "taxonomy_terms": ", ".join(
            sorted(t.name for t in service.taxonomy_terms.exclude(taxonomy__name=PATHWAY_TAXONOMY))
        ),
    }


def _apply_service(service: Service, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if isinstance(value, str) and name != "description":
            value = value.strip()
        if name == "pathways":
            chosen = set(value or [])
            # Stored in the order of the pathway list, so the same choice is audited the same.
            value = [p for p in Pathway.values if p in chosen] + sorted(
                str(v) for v in chosen - set(Pathway.values)
            )
        setattr(service, name, value)
    if service.custody_status != CustodyEligibility.PRE_RELEASE:
        # A release window means nothing for other services: not kept, so never misread.
        service.release_window_weeks = None


def _validate_service(service: Service, location_ids: list, term_ids: list) -> tuple[list, list]:
    errors: dict[str, list[str]] = {}
    try:
        service.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not service.pathways:
        errors["pathways"] = ["Choose at least one pathway the service supports"]
    duplicate = Service.objects.filter(
        organisation_id=service.organisation_id, name__iexact=service.name
    ).exclude(pk=service.pk)
    if service.name and duplicate.exists():
        errors.setdefault("name", []).append(
            "Your organisation already has a service with this name"
        )
    locations = list(
        Location.objects.filter(pk__in=location_ids, organisation_id=service.organisation_id)
    )
    if len(locations) != len(set(location_ids)):
        errors.setdefault("locations", []).append("Choose locations of your organisation")
    terms = list(
        TaxonomyTerm.objects.filter(pk__in=term_ids).exclude(taxonomy__name=PATHWAY_TAXONOMY)
    )
    if len(terms) != len(set(term_ids)):
        errors.setdefault("taxonomy_terms", []).append("Choose terms from the list")
    if errors:
        raise ValidationError(errors)
    return locations, terms


def _set_relations(service: Service, locations: list | None, terms: list | None) -> None:
    if locations is not None:
        service.locations.set(locations)
    if terms is not None:
        pathway_terms = list(service.taxonomy_terms.filter(taxonomy__name=PATHWAY_TAXONOMY))
        service.taxonomy_terms.set([*pathway_terms, *terms])
    _sync_pathway_terms(service)


@transaction.atomic
def service_create(
    *,
    actor: Membership,
    data: dict[str, Any],
    location_ids: Iterable = (),
    term_ids: Iterable = (),
    request: HttpRequest | None = None,
) -> Service:
    """A new service of the actor's own organisation."""
    if not policy.can_manage_services(actor):
        raise PermissionDenied("Only organisation admins and delivery coordinators add services")
    _check_fields(data, SERVICE_FIELDS)
    service = Service(organisation=actor.organisation)
    _apply_service(service, data)
    locations, terms = _validate_service(service, list(location_ids), list(term_ids))
    service.save()
    _set_relations(service, locations, terms)
    changes = diff({}, _service_snapshot(service) | _relations_snapshot(service))
    _record(actor, AuditAction.CREATE, SERVICE, service.pk, changes, request)
    return service


@transaction.atomic
def service_update(
    *,
    actor: Membership,
    service: Service,
    data: dict[str, Any],
    location_ids: Iterable | None = None,
    term_ids: Iterable | None = None,
    request: HttpRequest | None = None,
) -> Service:
    """Change some of a service's details; `location_ids` / `term_ids`, when given, replace its
    locations / extra taxonomy terms. The organisation never changes."""
    if not policy.can_edit_service(actor, service):
        raise PermissionDenied("Only the service's own organisation can change it")
    _check_fields(data, SERVICE_FIELDS)
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = _service_snapshot(service) | _relations_snapshot(service)
    _apply_service(service, data)
    if location_ids is None:
        location_ids = list(service.locations.values_list("pk", flat=True))
    if term_ids is None:
        term_ids = list(
            service.taxonomy_terms.exclude(taxonomy__name=PATHWAY_TAXONOMY).values_list(
                "pk", flat=True
            )
        )
    locations, terms = _validate_service(service, list(location_ids), list(term_ids))
    service.save()
    _set_relations(service, locations, terms)
    changes = diff(before, _service_snapshot(service) | _relations_snapshot(service))
    if changes:
        _record(actor, AuditAction.UPDATE, SERVICE, service.pk, changes, request)
    return service


def _set_status(
    actor: Membership, service: Service, status: str, request: HttpRequest | None
) -> Service:
    if not policy.can_edit_service(actor, service):
        raise PermissionDenied("Only the service's own organisation can change it")
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status == status:
        label = "inactive" if status == ServiceStatus.INACTIVE else "active"
        raise ApplicationError(f"This service is already {label}")
    before = service.status
    service.status = status
    service.save(update_fields=["status", "updated_at"])
    _record(
        actor, AuditAction.STATE_CHANGE, SERVICE, service.pk, {"status": [before, status]}, request
    )
    return service


@transaction.atomic
def service_deactivate(
    *, actor: Membership, service: Service, request: HttpRequest | None = None
) -> Service:
    """Take the service out of the directory: no new referrals, not on the public pages. Its
    referrals, schedules and history stay."""
    return _set_status(actor, service, ServiceStatus.INACTIVE, request)


@transaction.atomic
def service_reactivate(
    *, actor: Membership, service: Service, request: HttpRequest | None = None
) -> Service:
    return _set_status(actor, service, ServiceStatus.ACTIVE, request)


# Locations --------------------------------------------------------------------------------------


def _location_snapshot(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in sorted(LOCATION_FIELDS)}


def _apply_location(location: Location, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(location, name, value.strip() if isinstance(value, str) else value)


def _validate_location(location: Location) -> None:
    location.full_clean(exclude=["services"])
    duplicate = Location.objects.filter(
        organisation_id=location.organisation_id, name__iexact=location.name
    ).exclude(pk=location.pk)
    if duplicate.exists():
        raise ValidationError({"name": "Your organisation already has a location with this name"})


@transaction.atomic
def location_create(
    *, actor: Membership, data: dict[str, Any], request: HttpRequest | None = None
) -> Location:
    if not policy.can_manage_services(actor):
        raise PermissionDenied("Only organisation admins and delivery coordinators add locations")
    _check_fields(data, LOCATION_FIELDS)
    location = Location(organisation=actor.organisation)
    _apply_location(location, data)
    _validate_location(location)
    location.save()
    changes = diff({}, _location_snapshot(location))
    _record(actor, AuditAction.CREATE, LOCATION, location.pk, changes, request)
    return location


@transaction.atomic
def location_update(
    *,
    actor: Membership,
    location: Location,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Location:
    if not policy.can_edit_location(actor, location):
        raise PermissionDenied("Only the location's own organisation can change it")
    _check_fields(data, LOCATION_FIELDS)
    location = Location.objects.select_for_update().get(pk=location.pk)
    before = _location_snapshot(location)
    _apply_location(location, data)
    _validate_location(location)
    changes = diff(before, _location_snapshot(location))
    if changes:
        location.save()
        _record(actor, AuditAction.UPDATE, LOCATION, location.pk, changes, request)
    return location


# Schedules --------------------------------------------------------------------------------------


def _schedule_snapshot(schedule: Schedule) -> dict[str, Any]:
    return {
        "service": schedule.service.name,
        "location": schedule.location.name if schedule.location else None,
        "valid_from": schedule.valid_from,
        "valid_to": schedule.valid_to,
        "opens_at": schedule.opens_at,
        "closes_at": schedule.closes_at,
        "rrule": schedule.rrule,
        "description": schedule.description,
    }


@transaction.atomic
def schedule_add(
    *,
    actor: Membership,
    service: Service,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Schedule:
    """A regular session of the service (an RFC 5545 rule: every Tuesday, every other Friday)."""
    if not policy.can_edit_service(actor, service):
        raise PermissionDenied("Only the service's own organisation can change its schedule")
    _check_fields(data, SCHEDULE_FIELDS)
    schedule = Schedule(service=service)
    for name, value in data.items():
        setattr(schedule, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    try:
        schedule.full_clean(exclude=["service"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        schedule.location is not None
        and schedule.location.organisation_id != service.organisation_id
    ):
        errors.setdefault("location", []).append("Choose one of your organisation's locations")
    if errors:
        raise ValidationError(errors)
    schedule.save()
    if schedule.location is not None:
        # Where a session runs is where the service is delivered.
        service.locations.add(schedule.location)
    changes = diff({}, _schedule_snapshot(schedule))
    _record(actor, AuditAction.CREATE, SCHEDULE, schedule.pk, changes, request)
    return schedule


@transaction.atomic
def schedule_end(
    *,
    actor: Membership,
    schedule: Schedule,
    last_date,
    request: HttpRequest | None = None,
) -> Schedule:
    """Stop a regular session after `last_date`; it is kept, so past sessions still show."""
    if not policy.can_edit_service(actor, schedule.service):
        raise PermissionDenied("Only the service's own organisation can change its schedule")
    schedule = (
        Schedule.objects.select_for_update(of=("self",))
        .select_related("service", "location")
        .get(pk=schedule.pk)
    )
    if schedule.valid_to is not None and schedule.valid_to <= last_date:
        raise ValidationError({"last_date": "These sessions already end on or before that date"})
    if last_date < schedule.valid_from:
        raise ValidationError(
            {"last_date": "The last date must be the same as or after the first session date"}
        )
    before = _schedule_snapshot(schedule)
    schedule.valid_to = last_date
    schedule.save(update_fields=["valid_to", "updated_at"])
    _record(
        actor,
        AuditAction.UPDATE,
        SCHEDULE,
        schedule.pk,
        diff(before, _schedule_snapshot(schedule)),
        request,
    )
    return schedule
