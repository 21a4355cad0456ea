"""Reading the audit trail, already narrowed to what the actor may see."""

from uuid import UUID

from django.db.models import Max, QuerySet

from resettle.access.policy import can_view_access_log, can_view_organisation_audit
from resettle.accounts.models import Membership
from resettle.audit.models import AuditEvent
from resettle.people.models import Person


def person_access_log(
    *, actor: Membership | None, person: Person, organisation_id: UUID | None = None
) -> QuerySet[AuditEvent]:
    """Every event about `person`, by anyone in any organisation, newest first."""
    if not can_view_access_log(actor, person):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(person_id=person.pk)
    if organisation_id is not None:
        events = events.filter(organisation_id=organisation_id)
    return events.order_by("-at", "-id")


def person_access_log_organisations(
    *, actor: Membership | None, person: Person
) -> list[tuple[UUID, str]]:
    """(id, name) of each organisation that appears in the person's log, by name. An
    organisation renamed since is listed under its latest name."""
    if not can_view_access_log(actor, person):
        return []
    names: dict[UUID, str] = {}
    rows = (
        AuditEvent.objects.filter(person_id=person.pk, organisation_id__isnull=False)
        .values("organisation_id", "organisation_name")
        .annotate(latest=Max("id"))
        .order_by("latest")
    )
    for row in rows:
        names[row["organisation_id"]] = row["organisation_name"]
    return sorted(names.items(), key=lambda item: item[1].casefold())


def organisation_audit_events(*, actor: Membership | None) -> QuerySet[AuditEvent]:
    """Everything done by staff acting for the actor's organisation, newest first."""
    if actor is None or not can_view_organisation_audit(actor):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(organisation_id=actor.organisation_id).order_by("-at", "-id")
