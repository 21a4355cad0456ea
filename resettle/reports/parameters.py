"""What every report is asked for: whose figures and which period, checked once for pages, files
and the API. A period or scope that is not well formed is a validation error naming the field; a
scope the actor may not report on is refused."""

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from resettle.access.core import Actor
from resettle.core.exceptions import PermissionDenied
from resettle.core.pathways import Pathway
from resettle.directory.models import Service
from resettle.registers.models import Programme
from resettle.reports import selectors
from resettle.reports.figures import Filters, Scope
from resettle.reports.periods import Period, quarter_of, quarter_period, range_period

NOT_YOURS = "You may not see reports for that organisation or partnership."


@dataclass(frozen=True)
class Parameters:
    scope: Scope
    period: Period


def scope_of(*, actor: Actor, kind: str, id: str | None) -> Scope:
    """The named scope, or the actor's first (their own organisation) when none is named."""
    if not id:
        scopes = selectors.report_scopes(actor=actor)
        if not scopes:
            raise PermissionDenied(NOT_YOURS)
        return scopes[0]
    scope = selectors.scope_named(actor=actor, kind=kind, id=id)
    if scope is None:
        raise PermissionDenied(NOT_YOURS)
    return scope


def period_of(*, quarter: str | None, start: date | None, end: date | None, today: date) -> Period:
    """A date range when one is given, else the quarter (this quarter, to date, by default)."""
    if start is not None or end is not None:
        if start is None or end is None:
            field = "start" if start is None else "end"
            raise ValidationError({field: f"Enter the {field} date, or neither for a quarter"})
        try:
            return range_period(start, end, today=today)
        except ValidationError as error:
            field = "start" if error.code == "early" else "end"
            raise ValidationError({field: error.messages}) from error
    try:
        return quarter_period(quarter or quarter_of(today), today=today)
    except ValidationError as error:
        raise ValidationError({"quarter": error.messages}) from error


NOT_FILTERABLE = "These figures cannot be narrowed to a service, programme or pathway"


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(str(text))
    except ValueError:
        return None


def filtered(
    *,
    scope: Scope,
    service: str | None,
    pathway: str | None,
    programme: str | None = None,
    filterable: bool = True,
) -> Scope:
    """The scope narrowed to one of its services, one of their programmes and/or a pathway,
    each checked."""
    if not service and not programme and not pathway:
        return scope
    if not filterable:
        raise ValidationError({NON_FIELD_ERRORS: NOT_FILTERABLE})
    filters = Filters()
    if service:
        service_id = _uuid(service)
        found = (
            Service.objects.filter(pk=service_id, organisation_id__in=scope.organisation_ids)
            .values_list("pk", "name")
            .first()
            if service_id is not None
            else None
        )
        if found is None:
            raise ValidationError({"service": f"Choose one of {scope.name}'s services"})
        filters = replace(filters, service_id=str(found[0]), service_name=found[1])
    if programme:
        filters = _with_programme(scope, filters, programme)
    if pathway:
        if pathway not in Pathway.values:
            raise ValidationError({"pathway": "Choose a pathway from the list"})
        filters = replace(filters, pathway=pathway, pathway_name=Pathway(pathway).label)
    return replace(scope, filters=filters)


def _with_programme(scope: Scope, filters: Filters, programme: str) -> Filters:
    """A programme of one of the scope's services (of the service chosen, when one is)."""
    programme_id = _uuid(programme)
    found = (
        Programme.objects.filter(
            pk=programme_id, service__organisation_id__in=scope.organisation_ids
        )
        .values_list("pk", "name", "service_id", "service__name")
        .first()
        if programme_id is not None
        else None
    )
    if found is None:
        raise ValidationError({"programme": f"Choose one of {scope.name}'s programmes"})
    pk, name, service_id, service_name = found
    if filters.service_id and filters.service_id != str(service_id):
        raise ValidationError(
            {"programme": f"Choose a programme of {filters.service_name}, or all services"}
        )
    return replace(filters, programme_id=str(pk), programme_name=f"{name} ({service_name})")
