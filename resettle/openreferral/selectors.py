"""Reads for the Open Referral UK feed (public: no actor) and for the import pages (an
organisation admin's own imports)."""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.directory.models import Location, Service
from resettle.openreferral.feed import Taxonomies
from resettle.openreferral.models import FeedImport

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
SEARCH_LENGTH = 200


class BadQuery(Exception):
    """A query parameter the feed cannot use; the message says which and why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total_items: int
    page_number: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total_items / self.per_page))

    def envelope(self, contents: list[dict[str, Any]]) -> dict[str, Any]:
        """The profile's paging object around `contents`."""
        return {
            "total_items": self.total_items,
            "total_pages": self.total_pages,
            "page_number": self.page_number,
            "size": len(contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= self.total_pages,
            "empty": not contents,
            "contents": contents,
        }


def _positive_int(params, name: str, default: int, maximum: int | None = None) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery(name, f"{name} must be a whole number, like 1") from exc
    if value < 1:
        raise BadQuery(name, f"{name} must be 1 or more")
    if maximum is not None and value > maximum:
        raise BadQuery(name, f"{name} must be {maximum} or fewer")
    return value


class Sliceable(Protocol):
    """What `paginate` reads: a queryset, or a list in memory made to look like one."""

    def count(self) -> int: ...

    def __getitem__(self, index: slice, /) -> Iterable[Any]: ...


def paginate(items: Sliceable, params) -> Page:
    """One page of `items`, sliced in the database. A page past the end is empty, not an error,
    so a harvester that walks pages stops on `empty`."""
    page_number = _positive_int(params, "page", 1)
    per_page = _positive_int(params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    total = items.count()
    start = (page_number - 1) * per_page
    sliced = list(items[start : start + per_page]) if start < total else []
    return Page(sliced, total, page_number, per_page)


def _uuid(params, name: str) -> uuid.UUID | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise BadQuery(
            name, f"{name} must be an id, like 3f7b145d-84af-42d7-8fae-eaca714b02b2"
        ) from exc


def _datetime(params, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    # A "+" in a query string arrives as a space.
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise BadQuery(name, f"{name} must be a date and time, like 2025-03-15T10:30:00Z")
        value = datetime(day.year, day.month, day.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def feed_services(params, taxonomies: Taxonomies) -> QuerySet[Service]:
    """The public services, filtered by the ORUK query parameters `text` (or `search`),
    `taxonomy_term_id`, `taxonomy_id`, `organization_id`, `modified_after`, `minimum_age`,
    `maximum_age`."""
    services = policy.public_services()
    text = (params.get("text") or params.get("search") or "").strip()
    if len(text) > SEARCH_LENGTH:
        raise BadQuery("text", f"text must be {SEARCH_LENGTH} characters or fewer")
    if text:
        services = services.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(who_it_is_for__icontains=text)
            | Q(organisation__name__icontains=text)
        )
    term_id = _uuid(params, "taxonomy_term_id")
    if term_id is not None:
        services = services.filter(_tagged_with(taxonomies, [term_id]))
    taxonomy_id = _uuid(params, "taxonomy_id")
    if taxonomy_id is not None:
        term_ids = [term.id for term in taxonomies.terms if term.taxonomy_id == taxonomy_id]
        services = services.filter(_tagged_with(taxonomies, term_ids))
    organisation_id = _uuid(params, "organization_id")
    if organisation_id is not None:
        services = services.filter(organisation_id=organisation_id)
    modified_after = _datetime(params, "modified_after")
    if modified_after is not None:
        services = services.filter(updated_at__gte=modified_after)
    # ORUK: a minimum_age of at least, a maximum_age at or below, the value given.
    minimum_age = _age(params, "minimum_age")
    if minimum_age is not None:
        services = services.filter(minimum_age__gte=minimum_age)
    maximum_age = _age(params, "maximum_age")
    if maximum_age is not None:
        services = services.filter(maximum_age__lte=maximum_age)
    return services.order_by("name", "organisation__name", "pk")


def _age(params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery(name, f"{name} must be a whole number of years, like 18") from exc
    if not 0 <= value <= 120:
        raise BadQuery(name, f"{name} must be between 0 and 120")
    return value


def _tagged_with(taxonomies: Taxonomies, term_ids: list[uuid.UUID]) -> Q:
    """Services tagged with any of these terms, stored or (for pathway terms) by pathway. No
    known term matches nothing."""
    condition = Q(pk__in=[])
    for term_id in term_ids:
        found = taxonomies.services_with_term(term_id)
        if found is None:
            continue
        condition |= Q(taxonomy_terms__pk=found["term"])
        if found["pathway"]:
            # JSON containment is not portable to SQLite; the quoted value is exact enough.
            condition |= Q(pathways__icontains=f'"{found["pathway"]}"')
    return condition


def get_feed_service(service_id: uuid.UUID) -> Service:
    """A public service, or the same 404 as for one that does not exist."""
    try:
        return policy.public_services().get(pk=service_id)
    except (Service.DoesNotExist, ValidationError) as exc:
        raise Http404("No such service") from exc


def feed_services_at_locations(params, taxonomies: Taxonomies) -> QuerySet:
    """Each public service at each of its locations, with the /services filters."""
    services = feed_services(params, taxonomies)
    links = Location.services.through.objects.filter(service__in=services.values("pk"))
    return links.select_related("service__organisation", "location").order_by(
        "service__name", "location__name", "pk"
    )


# Imports ---------------------------------------------------------------------------------------


def imports_for(actor: Membership) -> QuerySet[FeedImport]:
    """The actor's organisation's imports (only organisation admins see any)."""
    return policy.imports_visible_to(actor).select_related("uploaded_by")
