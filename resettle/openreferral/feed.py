"""Directory records as Open Referral UK (HSDS 3 UK profile) objects.

Only what a public directory lists goes out: services open to all (see `selectors`), their
organisation's public name and contact details, where and when they run, and their taxonomy
terms. Never anything about a person: the directory models hold none, and nothing here follows
a relation to referrals or people.

Empty optional values are left out rather than sent as "" or null: the schema types `url` and
`email` as formatted strings and ages as numbers, so an empty value would not be valid."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from resettle.accounts.models import Organisation
from resettle.core.pathways import Pathway
from resettle.directory.models import Location, Schedule, Service, Taxonomy, TaxonomyTerm

ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://github.com/openreferral/uk-profile"
PATHWAYS_TAXONOMY = "Resettle pathways"
PATHWAYS_DESCRIPTION = "The resettlement pathways Resettle organises support around."
# Ids of pathway terms when no "Resettle pathways" taxonomy is stored: stable across requests
# and installations, so a consumer can filter on them.
PATHWAY_NAMESPACE = uuid.UUID("6f1f8e4a-3c1d-5b0e-9a52-0d6c2b7f4e11")

UrlFor = Callable[[Service], str]
# What the profile's address schema requires, beyond the id, country and type always sent.
ADDRESS_REQUIRED = ("address_1", "city", "state_province", "postal_code")


def _timestamp(value: datetime) -> str:
    """ISO 8601 with millisecond accuracy, as the profile asks of `last_modified`."""
    return value.isoformat(timespec="milliseconds")


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "")}


# Taxonomies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    id: uuid.UUID
    code: str
    name: str
    description: str
    taxonomy_id: uuid.UUID
    taxonomy_name: str
    parent_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Vocabulary:
    id: uuid.UUID
    name: str
    description: str
    uri: str = ""
    version: str = ""


def _derived_pathway_taxonomy() -> tuple[Vocabulary, list[Term]]:
    vocabulary = Vocabulary(
        id=uuid.uuid5(PATHWAY_NAMESPACE, "taxonomy"),
        name=PATHWAYS_TAXONOMY,
        description=PATHWAYS_DESCRIPTION,
    )
    terms = [
        Term(
            id=uuid.uuid5(PATHWAY_NAMESPACE, pathway.value),
            code=pathway.value,
            name=str(pathway.label),
            description="",
            taxonomy_id=vocabulary.id,
            taxonomy_name=vocabulary.name,
        )
        for pathway in Pathway
    ]
    return vocabulary, terms


def _stored_term(term: TaxonomyTerm) -> Term:
    return Term(
        id=term.pk,
        code=term.code,
        name=term.name,
        description=term.description,
        taxonomy_id=term.taxonomy_id,
        taxonomy_name=term.taxonomy.name,
        parent_id=term.parent_id,
    )


class Taxonomies:
    """Every taxonomy the feed offers: the stored ones, plus the pathways derived from
    `Pathway` when no "Resettle pathways" taxonomy is stored. Loaded once per request."""

    def __init__(self) -> None:
        stored = list(Taxonomy.objects.order_by("name"))
        self.vocabularies = [
            Vocabulary(t.pk, t.name, t.description, t.uri, t.version) for t in stored
        ]
        self.terms = [
            _stored_term(term)
            for term in TaxonomyTerm.objects.select_related("taxonomy").order_by(
                "taxonomy__name", "name"
            )
        ]
        if not any(t.name == PATHWAYS_TAXONOMY for t in stored):
            vocabulary, terms = _derived_pathway_taxonomy()
            self.vocabularies.append(vocabulary)
            self.vocabularies.sort(key=lambda v: v.name)
            self.terms += terms
        self.by_id = {term.id: term for term in self.terms}
        self.pathway_terms = {
            term.code: term for term in self.terms if term.taxonomy_name == PATHWAYS_TAXONOMY
        }

    def terms_of(self, service: Service) -> list[Term]:
        """The service's stored terms, and a pathway term for each of its pathways."""
        terms = {term.pk: self.by_id[term.pk] for term in service.taxonomy_terms.all()}
        for pathway in service.pathways:
            term = self.pathway_terms.get(pathway)
            if term is not None:
                terms.setdefault(term.id, term)
        return sorted(terms.values(), key=lambda t: (t.taxonomy_name, t.name))

    def services_with_term(self, term_id: uuid.UUID) -> dict[str, Any] | None:
        """A filter for services tagged with the term (stored, or by pathway), or None when no
        such term exists."""
        term = self.by_id.get(term_id)
        if term is None:
            return None
        if term.taxonomy_name == PATHWAYS_TAXONOMY and term.code in Pathway.values:
            return {"pathway": term.code, "term": term.id}
        return {"pathway": None, "term": term.id}


def taxonomy(vocabulary: Vocabulary) -> dict[str, Any]:
    return _compact(
        {
            "id": str(vocabulary.id),
            "name": vocabulary.name,
            "description": vocabulary.description,
            "uri": vocabulary.uri,
            "version": vocabulary.version,
        }
    ) | {"description": vocabulary.description}


def taxonomy_term(term: Term) -> dict[str, Any]:
    """A term with both the profile's field names (`term`, `taxonomy`) and HSDS 3's (`code`,
    `name`, `description`), which the two schemas in use name differently."""
    return _compact(
        {
            "id": str(term.id),
            "code": term.code,
            "name": term.name,
            "term": term.name,
            "description": term.description,
            "parent_id": str(term.parent_id) if term.parent_id else None,
            "taxonomy": term.taxonomy_name,
            "taxonomy_id": str(term.taxonomy_id),
        }
    ) | {"description": term.description}


# Services --------------------------------------------------------------------------------------


def with_related(services: QuerySet[Service]) -> QuerySet[Service]:
    """Everything a full service shows, in a fixed number of queries whatever the page size."""
    return services.select_related("organisation").prefetch_related(
        "taxonomy_terms",
        Prefetch("locations", queryset=Location.objects.order_by("name")),
        Prefetch("schedules", queryset=Schedule.objects.select_related("location")),
    )


def organization(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": str(organisation.pk),
        "name": organisation.name,
        "description": organisation.description,
    } | _compact({"email": organisation.email})


def service_summary(service: Service, url_for: UrlFor) -> dict[str, Any]:
    """The one-to-one fields of a service (the profile's `service_list` object)."""
    fields = {
        "id": str(service.pk),
        "organization_id": str(service.organisation_id),
        "name": service.name,
        "description": service.description,
        # Required by the profile: the service's own website, or else its record here.
        "url": service.url or url_for(service),
        "email": service.email,
        "status": service.status,
        "fees_description": service.cost or "Free",
        "eligibility_description": service.who_it_is_for,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "last_modified": _timestamp(service.updated_at),
    }
    return _compact(fields) | {"organization": organization(service.organisation)}


def location(place: Location) -> dict[str, Any]:
    address = _compact(
        {
            "id": str(uuid.uuid5(place.pk, "address")),
            "location_id": str(place.pk),
            "address_1": place.address_line_1,
            "city": place.town,
            "state_province": place.county,
            "postal_code": place.postcode,
            "country": "GB",
            "address_type": "physical",
        }
    )
    fields = _compact(
        {
            "id": str(place.pk),
            "location_type": "physical",
            "name": place.name,
            "transportation": place.transport,
        }
    )
    # The profile requires every part of an address: a partial one would make the whole service
    # invalid, so it is left out until the location's record is complete.
    if all(address.get(part) for part in ADDRESS_REQUIRED):
        fields["addresses"] = [address]
    if place.accessibility:
        fields["accessibility"] = [
            {
                "id": str(uuid.uuid5(place.pk, "accessibility")),
                "location_id": str(place.pk),
                "description": place.accessibility,
            }
        ]
    return fields


def service_at_location_id(service: Service, place: Location) -> uuid.UUID:
    """Resettle links services and locations without a row of their own: the link's id is
    derived from the pair, so it is the same on every request."""
    return uuid.uuid5(service.pk, str(place.pk))


def _rrule_parts(rrule: str) -> dict[str, str]:
    parts = {}
    for part in rrule.split(";"):
        key, _, value = part.partition("=")
        if key and value:
            parts[key.strip().upper()] = value.strip()
    return parts


def schedule(item: Schedule, service: Service) -> dict[str, Any]:
    parts = _rrule_parts(item.rrule)
    interval = parts.get("INTERVAL", "")
    fields = {
        "id": str(item.pk),
        "service_id": str(service.pk),
        "valid_from": item.valid_from.isoformat(),
        "valid_to": item.valid_to.isoformat() if item.valid_to else None,
        "dtstart": item.valid_from.isoformat(),
        "freq": parts.get("FREQ") if parts.get("FREQ") in ("WEEKLY", "MONTHLY") else None,
        "interval": int(interval) if interval.isdigit() else None,
        "byday": parts.get("BYDAY"),
        "bymonthday": parts.get("BYMONTHDAY"),
        "opens_at": item.opens_at.strftime("%H:%M"),
        "closes_at": item.closes_at.strftime("%H:%M"),
        "description": item.description,
        "timezone": "Europe/London",
    }
    if item.location is not None:
        fields["service_at_location_id"] = str(service_at_location_id(service, item.location))
    return _compact(fields)


def service_full(service: Service, url_for: UrlFor, taxonomies: Taxonomies) -> dict[str, Any]:
    """A fully nested service: where and when it runs, how to contact it, its terms."""
    fields = service_summary(service, url_for)
    if service.phone:
        fields["phones"] = [{"id": str(uuid.uuid5(service.pk, "phone")), "number": service.phone}]
    if service.contact_name:
        fields["contacts"] = [
            _compact(
                {
                    "id": str(uuid.uuid5(service.pk, "contact")),
                    "service_id": str(service.pk),
                    "name": service.contact_name,
                    "email": service.email,
                }
            )
        ]
    fields["schedules"] = [schedule(item, service) for item in service.schedules.all()]
    fields["service_at_locations"] = [
        {
            "id": str(service_at_location_id(service, place)),
            "service_id": str(service.pk),
            "location_id": str(place.pk),
            "location": location(place),
        }
        for place in service.locations.all()
    ]
    terms = taxonomies.terms_of(service)
    fields["taxonomy_terms"] = [taxonomy_term(term) for term in terms]
    # HSDS 3 links terms to a service through attributes.
    fields["attributes"] = [
        {
            "id": str(uuid.uuid5(service.pk, str(term.id))),
            "link_id": str(service.pk),
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": str(term.id),
            "taxonomy_term": taxonomy_term(term),
        }
        for term in terms
    ]
    if service.capacity is not None:
        fields["capacity"] = service.capacity
    fields["has_waiting_list"] = service.has_waiting_list
    fields["access"] = service.access
    return fields


def service_at_location(service: Service, place: Location, url_for: UrlFor) -> dict[str, Any]:
    """One service at one of its locations (the profile's `service_at_location_list` object)."""
    return {
        "id": str(service_at_location_id(service, place)),
        "service_id": str(service.pk),
        "location_id": str(place.pk),
        "location": location(place),
        "service": service_summary(service, url_for),
    }
