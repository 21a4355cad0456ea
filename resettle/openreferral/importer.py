"""Importing services from an Open Referral UK feed file into one organisation's directory entry.

A feed is JSON: a page of the ORUK API (`{"contents": [...]}`), a list of services, or one
service, each an HSDS 3 / ORUK service (fully nested or not). `plan_import` checks every row and
says what would be created or updated, with every problem found, changing nothing.
`import_feed` applies a plan with no problems, all in one transaction, and audits each change: a
feed with any bad row imports nothing.

Rows are matched to existing services by the ORUK id they were imported with before, then by
name within the organisation, so importing the same feed again updates rather than duplicates.

The rows are validated here, field by field, with messages an admin can act on (jsonschema is a
test-only dependency; the tests check our own feed against the published schema)."""

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date

from resettle.access import policy
from resettle.accounts.models import Membership, Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.pathways import Pathway
from resettle.directory.models import (
    Access,
    Location,
    Schedule,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)
from resettle.openreferral.feed import PATHWAYS_TAXONOMY
from resettle.openreferral.models import FeedImport, FeedImportState, ImportedService

MAX_ROWS = 2000
MAX_FILE_BYTES = 5 * 1024 * 1024

# ORUK service status -> Resettle's: anything not running is inactive (kept, not listed).
STATUSES = {
    "active": ServiceStatus.ACTIVE,
    "inactive": ServiceStatus.INACTIVE,
    "defunct": ServiceStatus.INACTIVE,
    "temporarily closed": ServiceStatus.INACTIVE,
}
FREE = {"free", "none", "no charge", "0", "£0"}
DAY = r"[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)"
BYDAY = re.compile(rf"^{DAY}(,{DAY})*$")
BYMONTHDAY = re.compile(r"^-?\d{1,2}(,-?\d{1,2})*$")
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
PATHWAY_BY_LABEL = {str(p.label).casefold(): p.value for p in Pathway}

# The service fields an import sets, compared for the preview and recorded in the audit trail.
IMPORTED_FIELDS = (
    "name",
    "description",
    "who_it_is_for",
    "status",
    "access",
    "pathways",
    "minimum_age",
    "maximum_age",
    "cost",
    "capacity",
    "has_waiting_list",
    "contact_name",
    "email",
    "phone",
    "url",
)


class FeedError(Exception):
    """The file as a whole cannot be read as a feed."""


@dataclass
class RowProblem:
    row: int
    name: str
    field: str
    message: str

    def __str__(self) -> str:
        label = f"Row {self.row}" + (f" ({self.name})" if self.name else "")
        where = f" [{self.field}]" if self.field else ""
        return f"{label}{where}: {self.message}"


@dataclass
class PlannedLocation:
    name: str
    address_line_1: str = ""
    town: str = ""
    county: str = ""
    postcode: str = ""
    accessibility: str = ""
    transport: str = ""


@dataclass
class PlannedSchedule:
    valid_from: date
    valid_to: date | None
    opens_at: time
    closes_at: time
    rrule: str
    description: str
    location_name: str = ""


@dataclass
class PlannedRow:
    row: int
    oruk_id: str
    values: dict[str, Any]
    service: Service | None = None  # the existing service it updates; None: a new one
    locations: list[PlannedLocation] | None = None  # None: leave the service's as they are
    schedules: list[PlannedSchedule] | None = None
    term_ids: list[Any] | None = None
    changes: dict[str, list[str | None]] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return "update" if self.service is not None else "create"

    @property
    def name(self) -> str:
        return self.values["name"]


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def creates(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == "create"]

    @property
    def updates(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == "update"]

    def problems_for(self, row: int) -> list[RowProblem]:
        return [problem for problem in self.problems if problem.row == row]


# Reading the file ------------------------------------------------------------------------------


def rows_of(payload: Any) -> list[Any]:
    """The service rows of a feed: a page's `contents`, a list, or a single service."""
    if isinstance(payload, dict) and "contents" in payload:
        rows = payload["contents"]
        if not isinstance(rows, list):
            raise FeedError("The file's contents must be a list of services")
    elif isinstance(payload, list):
        rows = payload
    elif isinstance(payload, dict) and "name" in payload:
        rows = [payload]
    else:
        raise FeedError(
            "The file must be an Open Referral UK feed: a list of services, or a page of "
            "services with a contents list"
        )
    if not rows:
        raise FeedError("The file has no services in it")
    if len(rows) > MAX_ROWS:
        raise FeedError(f"The file must have {MAX_ROWS} services or fewer; it has {len(rows)}")
    return rows


# Checking one row ------------------------------------------------------------------------------


class _Row:
    """Reads one row's fields, collecting a problem for each bad one."""

    def __init__(self, number: int, data: dict[str, Any], problems: list[RowProblem]) -> None:
        self.number = number
        self.data = data
        self.problems = problems
        name = data.get("name")
        self.name = name.strip()[:80] if isinstance(name, str) else ""

    def problem(self, field_name: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, self.name, field_name, message))

    def text(
        self,
        source: dict[str, Any],
        key: str,
        label: str,
        limit: int,
        *,
        required: bool = False,
        path: str = "",
    ) -> str:
        where = path or key
        value = source.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(where, f"Enter the {label}")
            return ""
        if not isinstance(value, str):
            self.problem(where, f"The {label} must be text")
            return ""
        value = value.strip()
        if len(value) > limit:
            self.problem(where, f"The {label} must be {limit} characters or fewer")
            return ""
        return value

    def age(self, key: str, label: str) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.problem(key, f"The {label} must be a whole number of years, like 18")
            return None
        if not 0 <= value <= 120:
            self.problem(key, f"The {label} must be between 0 and 120")
            return None
        return int(value)

    def items(self, key: str) -> list[Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(key, f"{key} must be a list")
            return None
        return value


def _check_url(row: _Row, value: str) -> str:
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        row.problem("url", "Enter the web address in the correct format, like https://example.org")
        return ""
    return value


def _check_email(row: _Row, value: str, where: str = "email") -> str:
    if not value:
        return ""
    try:
        EmailValidator()(value)
    except ValidationError:
        row.problem(where, "Enter an email address in the correct format, like name@example.org")
        return ""
    return value


def _first(items: list[Any] | None, key: str) -> Any:
    for item in items or []:
        if isinstance(item, dict) and item.get(key) not in (None, ""):
            return item
    return None


def _terms(row: _Row) -> list[dict[str, Any]] | None:
    """The row's taxonomy terms: from `taxonomy_terms` (ORUK 2 and our feed) and from
    `attributes[].taxonomy_term` (HSDS 3). None when the row names none at all."""
    direct = row.items("taxonomy_terms")
    attributes = row.items("attributes")
    if direct is None and attributes is None:
        return None
    terms = [term for term in direct or [] if isinstance(term, dict)]
    for attribute in attributes or []:
        if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
            terms.append(attribute["taxonomy_term"])
    return terms


def _pathway_of(term: dict[str, Any]) -> str | None:
    code = term.get("code")
    taxonomy = str(term.get("taxonomy") or "")
    in_pathways = not taxonomy or taxonomy == PATHWAYS_TAXONOMY
    if isinstance(code, str) and code in Pathway.values and in_pathways:
        return code
    for key in ("name", "term"):
        label = term.get(key)
        if isinstance(label, str) and label.strip().casefold() in PATHWAY_BY_LABEL:
            return PATHWAY_BY_LABEL[label.strip().casefold()]
    return None


def _locations(row: _Row) -> list[PlannedLocation] | None:
    links = row.items("service_at_locations")
    if links is None:
        return None
    planned, names = [], set()
    for index, link in enumerate(links, start=1):
        path = f"service_at_locations[{index}]"
        place = link.get("location") if isinstance(link, dict) else None
        if not isinstance(place, dict):
            row.problem(path, "Each service at location must have a location")
            continue
        name = row.text(place, "name", "location's name", 200, required=True, path=f"{path}.name")
        address = (
            _first(
                place.get("addresses") if isinstance(place.get("addresses"), list) else [],
                "address_1",
            )
            or {}
        )
        accessibility = [
            item["description"]
            for item in place.get("accessibility") or []
            if isinstance(item, dict) and isinstance(item.get("description"), str)
        ]
        accessible = "\n".join(text.strip() for text in accessibility if text.strip())
        if len(accessible) > 1000:
            row.problem(f"{path}.accessibility", "Accessibility must be 1000 characters or fewer")
            accessible = ""
        if name and name.casefold() in names:
            continue  # one service at the same place twice: once is enough
        names.add(name.casefold())
        if name:
            planned.append(
                PlannedLocation(
                    name=name,
                    address_line_1=row.text(
                        address,
                        "address_1",
                        "first line of the address",
                        200,
                        path=f"{path}.address_1",
                    ),
                    town=row.text(address, "city", "town or city", 100, path=f"{path}.city"),
                    county=row.text(
                        address,
                        "state_province",
                        "county",
                        100,
                        path=f"{path}.state_province",
                    ),
                    postcode=row.text(
                        address, "postal_code", "postcode", 10, path=f"{path}.postal_code"
                    ).upper(),
                    accessibility=accessible,
                    transport=row.text(
                        place,
                        "transportation",
                        "transport details",
                        1000,
                        path=f"{path}.transportation",
                    ),
                )
            )
    return planned


def _time(row: _Row, value: Any, where: str, label: str) -> time | None:
    match = TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        row.problem(where, f"Enter the time it {label} in the format HH:MM, like 09:30")
        return None
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        row.problem(where, f"Enter a real time it {label}, like 09:30")
        return None
    return time(hours, minutes, seconds)


def _schedules(row: _Row, today: date) -> list[PlannedSchedule] | None:
    items = row.items("schedules")
    if items is None:
        return None
    planned = []
    for index, item in enumerate(items, start=1):
        path = f"schedules[{index}]"
        if not isinstance(item, dict):
            row.problem(path, "Each schedule must be an object")
            continue
        before = len(row.problems)
        opens_at = _time(row, item.get("opens_at"), f"{path}.opens_at", "opens")
        closes_at = _time(row, item.get("closes_at"), f"{path}.closes_at", "closes")
        if opens_at and closes_at and closes_at <= opens_at:
            row.problem(f"{path}.closes_at", "The closing time must be after the opening time")
        dates: dict[str, date | None] = {}
        for key in ("valid_from", "valid_to", "dtstart"):
            raw = item.get(key)
            if raw in (None, ""):
                dates[key] = None
                continue
            parsed = parse_date(raw) if isinstance(raw, str) else None
            if parsed is None:
                row.problem(f"{path}.{key}", f"{key} must be a real date, like 2025-04-01")
            dates[key] = parsed
        valid_from = dates["valid_from"] or dates["dtstart"] or today
        if dates["valid_to"] and dates["valid_to"] < valid_from:
            row.problem(f"{path}.valid_to", "valid_to must be the same as or after valid_from")
        freq = str(item.get("freq") or "WEEKLY").upper()
        if freq not in ("WEEKLY", "MONTHLY"):
            row.problem(f"{path}.freq", "freq must be WEEKLY or MONTHLY")
        parts = [f"FREQ={freq}"]
        interval = item.get("interval")
        if interval not in (None, ""):
            if (
                isinstance(interval, bool)
                or not isinstance(interval, int | float)
                or interval != int(interval)
                or not 1 <= interval <= 52
            ):
                row.problem(f"{path}.interval", "interval must be a whole number from 1 to 52")
            else:
                parts.append(f"INTERVAL={int(interval)}")
        for key, pattern, example in (
            ("byday", BYDAY, "MO,WE"),
            ("bymonthday", BYMONTHDAY, "1,15"),
        ):
            value = item.get(key)
            if value in (None, ""):
                continue
            value = str(value).replace(" ", "").upper()
            if not pattern.match(value):
                row.problem(f"{path}.{key}", f"{key} must be like {example}")
            else:
                parts.append(f"{key.upper()}={value}")
        description = row.text(
            item, "description", "schedule's description", 300, path=f"{path}.description"
        )
        # The times are there when no problem was found (_time finds one when they are not).
        if len(row.problems) == before and opens_at is not None and closes_at is not None:
            planned.append(
                PlannedSchedule(
                    valid_from=valid_from,
                    valid_to=dates["valid_to"],
                    opens_at=opens_at,
                    closes_at=closes_at,
                    rrule=";".join(parts),
                    description=description,
                )
            )
    return planned


def _check_row(
    number: int, data: Any, problems: list[RowProblem], today: date
) -> PlannedRow | None:
    if not isinstance(data, dict):
        problems.append(RowProblem(number, "", "", "Each row must be a service object"))
        return None
    row = _Row(number, data, problems)
    before = len(problems)
    oruk_id = data.get("id")
    if isinstance(oruk_id, int) and not isinstance(oruk_id, bool):
        oruk_id = str(oruk_id)
    if not isinstance(oruk_id, str) or not oruk_id.strip():
        row.problem("id", "Enter the service's id")
        oruk_id = ""
    elif len(oruk_id.strip()) > 200:
        row.problem("id", "The id must be 200 characters or fewer")
    values: dict[str, Any] = {
        "name": row.text(data, "name", "service's name", 200, required=True),
        "description": row.text(data, "description", "description", 4000, required=True),
        "who_it_is_for": row.text(data, "eligibility_description", "eligibility description", 1000),
        "url": _check_url(row, row.text(data, "url", "web address", 200)),
        "email": _check_email(row, row.text(data, "email", "email address", 254)),
        "minimum_age": row.age("minimum_age", "minimum age"),
        "maximum_age": row.age("maximum_age", "maximum age"),
    }
    ages = (values["minimum_age"], values["maximum_age"])
    if None not in ages and ages[0] > ages[1]:
        row.problem(
            "maximum_age", "The maximum age must be the same as or more than the minimum age"
        )
    status = data.get("status", "active")
    if status not in STATUSES:
        row.problem("status", "The status must be active, inactive, defunct or temporarily closed")
    else:
        values["status"] = STATUSES[status]
    cost = row.text(data, "fees_description", "fees", 200) or row.text(data, "fees", "fees", 200)
    values["cost"] = "" if cost.casefold() in FREE else cost
    phone = _first(row.items("phones"), "number")
    values["phone"] = (
        row.text(phone, "number", "phone number", 30, path="phones[1].number") if phone else ""
    )
    contact = _first(row.items("contacts"), "name")
    values["contact_name"] = (
        row.text(contact, "name", "contact's name", 200, path="contacts[1].name") if contact else ""
    )
    # Resettle's own fields, which its feed also carries; other feeds leave them out.
    if "access" in data:
        if data["access"] not in Access.values:
            row.problem("access", "access must be open, referral_only or both")
        else:
            values["access"] = data["access"]
    if "capacity" in data and data["capacity"] is not None:
        capacity = data["capacity"]
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            row.problem("capacity", "capacity must be a whole number, 0 or more")
        else:
            values["capacity"] = capacity
    if "has_waiting_list" in data:
        if not isinstance(data["has_waiting_list"], bool):
            row.problem("has_waiting_list", "has_waiting_list must be true or false")
        else:
            values["has_waiting_list"] = data["has_waiting_list"]
    terms = _terms(row)
    term_ids = None
    if terms is not None:
        values["pathways"] = sorted({p for p in (_pathway_of(term) for term in terms) if p})
        term_ids = [term.get("id") for term in terms if isinstance(term.get("id"), str)]
    planned = PlannedRow(
        row=number,
        oruk_id=oruk_id.strip() if isinstance(oruk_id, str) else "",
        values=values,
        locations=_locations(row),
        schedules=_schedules(row, today),
        term_ids=term_ids,
    )
    return planned if len(problems) == before else None


# The plan --------------------------------------------------------------------------------------


def _snapshot(service: Service) -> dict[str, Any]:
    snapshot = {name: getattr(service, name) for name in IMPORTED_FIELDS}
    snapshot["pathways"] = ", ".join(service.pathways or [])
    return snapshot


def _apply_values(service: Service, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(service, name, value)


def plan_import(*, organisation: Organisation, payload: Any) -> Plan:
    """What importing `payload` into `organisation` would do, and every problem that stops it.
    Changes nothing."""
    plan = Plan()
    try:
        rows = rows_of(payload)
    except FeedError as error:
        plan.problems.append(RowProblem(0, "", "", str(error)))
        return plan
    today = timezone.localdate()
    existing = {s.name.casefold(): s for s in Service.objects.filter(organisation=organisation)}
    by_id = {
        link.oruk_id: link.service
        for link in ImportedService.objects.filter(organisation=organisation).select_related(
            "service"
        )
    }
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for number, data in enumerate(rows, start=1):
        planned = _check_row(number, data, plan.problems, today)
        if planned is None:
            continue
        problem = None
        if planned.oruk_id in seen_ids:
            problem = f"The id is also used by row {seen_ids[planned.oruk_id]}"
        elif planned.name.casefold() in seen_names:
            problem = f"The name is also used by row {seen_names[planned.name.casefold()]}"
        if problem:
            plan.problems.append(RowProblem(number, planned.name, "id", problem))
            continue
        seen_ids[planned.oruk_id] = number
        seen_names[planned.name.casefold()] = number
        planned.service = by_id.get(planned.oruk_id) or existing.get(planned.name.casefold())
        service = planned.service or Service(
            organisation=organisation, access=Access.OPEN, pathways=[]
        )
        before = _snapshot(service) if planned.service else {}
        _apply_values(service, planned.values)
        after = None
        try:
            service.full_clean()
            after = _snapshot(service)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    text = message
                    if "already exists" in message:
                        text = "Your organisation already has another service with this name"
                    elif name == "pathways" and not service.pathways:
                        text = (
                            "Add at least one Resettle pathway: a taxonomy term whose code or "
                            "name is a pathway, like accommodation"
                        )
                    plan.problems.append(
                        RowProblem(number, planned.name, "" if name == "__all__" else name, text)
                    )
        finally:
            # The preview changes nothing, not even the objects it compared.
            if planned.service is not None:
                planned.service.refresh_from_db()
        if after is None:
            continue
        planned.changes = diff(before, after)
        plan.rows.append(planned)
    return plan


# Uploading and importing -----------------------------------------------------------------------


def feed_import_upload(*, actor: Membership, file_name: str, payload: Any) -> FeedImport:
    """Keep an uploaded feed for its preview. Nothing in the directory changes."""
    if not policy.can_import_services(actor):
        raise PermissionDenied("Only your organisation's admins can import services")
    feed_import = FeedImport(
        organisation_id=actor.organisation_id,
        uploaded_by=actor.user,
        file_name=file_name[:200] or "feed.json",
        payload=payload,
    )
    feed_import.full_clean()
    feed_import.save()
    return feed_import


def _location_for(organisation: Organisation, planned: PlannedLocation, events: list) -> Location:
    place = Location.objects.filter(organisation=organisation, name=planned.name).first()
    values = {
        "address_line_1": planned.address_line_1,
        "town": planned.town,
        "county": planned.county,
        "postcode": planned.postcode,
        "accessibility": planned.accessibility,
        "transport": planned.transport,
    }
    if place is None:
        place = Location(organisation=organisation, name=planned.name, **values)
        place.full_clean()
        place.save()
        events.append(
            EventData(AuditAction.CREATE, "location", str(place.pk), changes=diff({}, values))
        )
        return place
    before = {name: getattr(place, name) for name in values}
    # Only what the feed says: an empty value in the feed leaves ours as it is.
    given = {name: value for name, value in values.items() if value}
    for name, value in given.items():
        setattr(place, name, value)
    changes = diff(before, {name: getattr(place, name) for name in values})
    if changes:
        place.full_clean()
        place.save()
        events.append(EventData(AuditAction.UPDATE, "location", str(place.pk), changes=changes))
    return place


def _apply_row(organisation: Organisation, planned: PlannedRow, events: list) -> Service:
    service = planned.service or Service(organisation=organisation, access=Access.OPEN, pathways=[])
    _apply_values(service, planned.values)
    service.full_clean()
    service.save()
    ImportedService.objects.update_or_create(
        service=service, defaults={"organisation": organisation, "oruk_id": planned.oruk_id}
    )
    action = AuditAction.UPDATE if planned.service else AuditAction.CREATE
    if planned.changes or action == AuditAction.CREATE:
        events.append(EventData(action, "service", str(service.pk), changes=planned.changes))
    if planned.locations is not None:
        places = [_location_for(organisation, place, events) for place in planned.locations]
        service.locations.set(places)
    if planned.schedules is not None:
        removed = service.schedules.count()
        service.schedules.all().delete()
        for item in planned.schedules:
            schedule = Schedule(
                service=service,
                valid_from=item.valid_from,
                valid_to=item.valid_to,
                opens_at=item.opens_at,
                closes_at=item.closes_at,
                rrule=item.rrule,
                description=item.description,
            )
            schedule.full_clean()
            schedule.save()
        if removed or planned.schedules:
            events.append(
                EventData(
                    AuditAction.UPDATE,
                    "service",
                    str(service.pk),
                    changes={"schedules": [str(removed), str(len(planned.schedules))]},
                )
            )
    if planned.term_ids is not None:
        _set_terms(service, planned)
    return service


def _set_terms(service: Service, planned: PlannedRow) -> None:
    """Tag the service with the stored terms the feed names by id, and the pathway terms of
    its pathways where the pathway taxonomy is stored."""
    ids = []
    for term_id in planned.term_ids or []:
        try:
            ids.append(TaxonomyTerm._meta.pk.to_python(term_id))
        except ValidationError:
            continue
    terms = list(TaxonomyTerm.objects.filter(pk__in=ids))
    terms += list(
        TaxonomyTerm.objects.filter(
            taxonomy__name=PATHWAYS_TAXONOMY, code__in=service.pathways or []
        )
    )
    service.taxonomy_terms.set(terms)


@transaction.atomic
def import_feed(
    *, actor: Membership, feed_import: FeedImport, request: HttpRequest | None = None
) -> Plan:
    """Import a previewed feed into the actor's organisation: every row or none."""
    if not policy.can_import_services(actor):
        raise PermissionDenied("Only your organisation's admins can import services")
    feed_import = FeedImport.objects.select_for_update().get(pk=feed_import.pk)
    if not policy.can_import_feed(actor, feed_import):
        raise PermissionDenied("You can only import into your own organisation")
    if feed_import.state != FeedImportState.PREVIEWED:
        raise ApplicationError("This feed has already been imported")
    organisation = actor.organisation
    # Checked again now: the directory may have changed since the preview.
    plan = plan_import(organisation=organisation, payload=feed_import.payload)
    if not plan.ok:
        raise ValidationError([str(problem) for problem in plan.problems])
    events: list[EventData] = []
    for planned in plan.rows:
        _apply_row(organisation, planned, events)
    feed_import.state = FeedImportState.IMPORTED
    feed_import.imported_at = timezone.now()
    feed_import.created_count = len(plan.creates)
    feed_import.updated_count = len(plan.updates)
    feed_import.save()
    events.append(
        EventData(
            AuditAction.STATE_CHANGE,
            "oruk_import",
            str(feed_import.pk),
            reason=(
                f"Imported {feed_import.file_name}: {feed_import.created_count} services "
                f"added, {feed_import.updated_count} updated"
            ),
            changes={"state": [FeedImportState.PREVIEWED, FeedImportState.IMPORTED]},
        )
    )
    record_events(actor=actor, events=events, request=request)
    return plan
