"""Importing an organisation's person records from its own system (a CSV or XLSX file), so that
record linkage can match them with the partnership's: `manage.py import_people`.

Every row is checked before anything is written, and every problem is reported as "row N:
column: message" (N the spreadsheet's row number, the header being row 1); a file with any
problem imports nothing. The row's `source_id` (the record's id in the organisation's system) is
remembered as a `SourceRecord`, so importing the file again updates the record that row made
rather than adding another, and a row saying what the record already says changes nothing. A
new record is held by the organisation (an open working relationship from today), so its staff
can open it and linkage runs over its partnerships see it.

The import acts as the system principal started for imports, not as a member of staff, so the
people services (which act for staff under the sharing agreements) are not called; their rules
are kept: each field's own validators, each identifier scheme's format, an identifier belonging
to one person only, the postcode format, and addresses kept as dated history.

A blank cell clears that detail on a record imported before (a date of birth or sex becomes "not
recorded", an identifier is removed), except the postcode: a new postcode adds an address from
today and ends the current one, and a blank one leaves the addresses as they are."""

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from resettle.access import registry
from resettle.access.categories import Category
from resettle.access.core import Actor
from resettle.access.rules import linkage as rules
from resettle.accounts.models import Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.lib.identifiers import normalise_identifier
from resettle.lib.postcodes import normalise_postcode
from resettle.linkage.models import SOURCE_ID_MAX_LENGTH, SourceRecord
from resettle.people.choices import AddressKind, IdentifierScheme, Sex
from resettle.people.models import Address, Identifier, Person, WorkingRelationship

SCHEMES: tuple[str, ...] = tuple(IdentifierScheme.values)
COLUMNS: tuple[str, ...] = (
    "source_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "email",
    *SCHEMES,
)
# The person's own fields a row gives.
PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "email")
NAMES = ("given_name", "family_name")
# Rows written, and ids looked up, in batches of this many.
BATCH = 2_000

# The project's own sex values, by value or label in any case, and the usual one-letter codes.
SEXES: dict[str, str] = {
    **{value.casefold(): value for value in Sex.values},
    **{str(label).casefold(): value for value, label in Sex.choices},
    "f": Sex.FEMALE,
    "m": Sex.MALE,
}
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
IMPORTED_ADDRESS_KIND = AddressKind.OTHER

NOT_ALLOWED = "Person records are imported only from the command line."
REFUSED = "{count} problems found in {file}; nothing was imported."
RACED = (
    "Another change to these records was made while the file was being imported, so nothing was "
    "imported. Import the file again."
)


class UnreadableFile(ApplicationError):
    """The file as a whole cannot be read as a CSV file or an XLSX workbook."""


class ImportRefused(ApplicationError):
    """The file has problems, every one of them listed; nothing was imported."""

    def __init__(self, message: str, problems: list["Problem"]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass
class Sheet:
    """A file's rows as read: each with its spreadsheet row number (the header is row 1), its
    cells as text, or as dates where a workbook holds dates."""

    name: str
    rows: list[tuple[int, list[str | date]]]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# Reading the file ---------------------------------------------------------------------------------


def read_sheet(path: Path) -> Sheet:
    """The rows of a CSV file (UTF-8, comma-separated) or of an XLSX workbook's first sheet,
    told apart by content (a workbook is a zip archive) and by the file's name."""
    try:
        if zipfile.is_zipfile(path):
            rows = list(_workbook_rows(path))
        elif path.suffix.lower() in XLSX_SUFFIXES:
            raise UnreadableFile(f"{path.name} is not an XLSX workbook. Save it again from Excel.")
        else:
            rows = list(_csv_rows(path))
    except OSError as error:
        raise UnreadableFile(f"Cannot read {path}: {error.strerror}") from error
    return Sheet(name=path.name, rows=rows)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str | date]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            # Numbered by record, not by line: a quoted cell may hold line breaks, and a
            # spreadsheet shows such a record as one row.
            for number, cells in enumerate(reader, start=1):
                yield number, [cell.strip() for cell in cells]
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                f'{path.name} is not UTF-8 text. Save it as "CSV UTF-8" and import it again.'
            ) from error
        except csv.Error as error:
            raise UnreadableFile(
                f"{path.name} cannot be read as CSV (line {reader.line_num}: {error})."
            ) from error


def _workbook_rows(path: Path) -> Iterator[tuple[int, list[str | date]]]:
    # Opened here rather than by name: openpyxl judges a named file by its extension.
    with path.open("rb") as handle:
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
            raise UnreadableFile(
                f"{path.name} is not an XLSX workbook. Save it again from Excel."
            ) from error
        try:
            sheet = book.active
            if sheet is None:
                raise UnreadableFile(f"{path.name} has no sheet of rows.")
            # A read-only sheet gives every row, empty ones too, so the numbers are the sheet's.
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell(value) for value in values]
        finally:
            book.close()


def _cell(value: Any) -> str | date:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number
    return str(value).strip()


# Checking the rows --------------------------------------------------------------------------------


@dataclass
class _Row:
    """One row, checked: the values it gives, and what it does."""

    number: int
    source_id: str
    person: dict[str, Any]
    postcode: str
    identifiers: dict[str, str]
    # The record an earlier import of the row made, with its identifiers and current postcode.
    existing: Person | None = None
    existing_identifiers: dict[str, Identifier] = field(default_factory=dict)
    existing_postcode: str = ""
    changes: dict[str, list[str | None]] = field(default_factory=dict)


def _text(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


def _date_of_birth(value: str | date, today: date) -> date | None:
    """A date as a workbook holds it, or written YYYY-MM-DD or DD/MM/YYYY; ValueError else."""
    if isinstance(value, date):
        born = value
    elif not value:
        return None
    else:
        iso, uk = ISO_DATE.match(value), UK_DATE.match(value)
        try:
            if iso:
                born = date(int(iso[1]), int(iso[2]), int(iso[3]))
            elif uk:
                born = date(int(uk[3]), int(uk[2]), int(uk[1]))
            else:
                raise ValueError
        except ValueError:
            raise ValueError(
                "Enter a real date, written as YYYY-MM-DD or DD/MM/YYYY (like 1980-03-27 or "
                "27/03/1980)"
            ) from None
    if born > today:
        raise ValueError("The date of birth is in the future")
    return born


def _check_row(
    number: int, values: dict[str, str | date], today: date, problems: list[Problem]
) -> _Row | None:
    """The row's values, each checked by the rules of the field it fills; None with its
    problems added when any is wrong."""
    found: list[Problem] = []

    def problem(column: str, message: str) -> None:
        found.append(Problem(number, column, message))

    source_id = _text(values["source_id"])
    if not source_id:
        problem("source_id", "Enter the record's id in your own system")
    elif len(source_id) > SOURCE_ID_MAX_LENGTH:
        problem("source_id", f"The id must be {SOURCE_ID_MAX_LENGTH} characters or fewer")
    person: dict[str, Any] = {name: _text(values[name]) for name in (*NAMES, "email")}
    if not any(person[name] for name in NAMES):
        problem("given_name", "Enter a given name or a family name (or both)")
    person["date_of_birth"] = None
    try:
        person["date_of_birth"] = _date_of_birth(values["date_of_birth"], today)
    except ValueError as error:
        problem("date_of_birth", str(error))
    sex = _text(values["sex"])
    person["sex"] = SEXES.get(sex.casefold()) if sex else Sex.NOT_RECORDED
    if person["sex"] is None:
        problem("sex", "Enter female, male, not recorded or prefer not to say (or leave it blank)")
    postcode = _text(values["postcode"])
    if postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValueError as error:
            problem("postcode", str(error))
    identifiers: dict[str, str] = {}
    for scheme in SCHEMES:
        raw = _text(values[scheme])
        try:
            identifiers[scheme] = normalise_identifier(scheme, raw) if raw else ""
        except ValueError as error:
            problem(scheme, str(error))
    # The names, date of birth and email by the person's own field validators, on an unsaved
    # record so without a query: a person has no unique field but its key, and its constraints
    # are the choices `sex` was read from. One of the names may be blank.
    blank = [name for name in NAMES if not person[name]]
    try:
        Person(**{**person, "sex": person["sex"] or Sex.NOT_RECORDED}).full_clean(
            exclude=["created_by", *blank], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                problem(name, message.rstrip("."))
    if found:
        problems.extend(found)
        return None
    return _Row(number, source_id, person, postcode, identifiers)


def _check_header(sheet: Sheet, problems: list[Problem]) -> dict[str, int]:
    """Column -> its position; every column must be there, once, and no other."""
    if not sheet.rows:
        problems.append(Problem(1, "header", f"The file is empty. Name the columns: {_names()}"))
        return {}
    number, cells = sheet.rows[0]
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        header = _text(cell)
        name = header.lower()
        if not name:
            continue  # a column with no header may only be empty (checked with the rows)
        if name not in COLUMNS:
            problems.append(
                Problem(
                    number, header, f"This column is not recognised. The columns are: {_names()}"
                )
            )
        elif name in positions:
            problems.append(Problem(number, name, "This column is named twice"))
        else:
            positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            problems.append(Problem(number, name, "This column is missing"))
    return positions


def _names() -> str:
    return ", ".join(COLUMNS)


def _check_rows(sheet: Sheet, positions: dict[str, int], problems: list[Problem]) -> list[_Row]:
    today = date.today()
    known = set(positions.values())
    rows: list[_Row] = []
    first_row_of: dict[str, int] = {}
    first_holder_of: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows[1:]:
        if not any(cells):
            continue
        stray = [i for i, cell in enumerate(cells) if cell and i not in known]
        for index in stray:
            problems.append(
                Problem(
                    number, f"column {get_column_letter(index + 1)}", "This column has no header"
                )
            )
        values = {
            name: cells[index] if index < len(cells) else "" for name, index in positions.items()
        }
        row = _check_row(number, values, today, problems)
        source_id = _text(values["source_id"])
        earlier_row = first_row_of.setdefault(source_id, number) if source_id else number
        if earlier_row != number:
            problems.append(
                Problem(number, "source_id", f"The same source_id is on row {earlier_row}")
            )
        if row is None or stray or earlier_row != number:
            continue
        repeated = False
        for scheme, value in row.identifiers.items():
            if not value:
                continue
            earlier = first_holder_of.setdefault((scheme, value), number)
            if earlier != number:
                label = IdentifierScheme(scheme).label
                problems.append(Problem(number, scheme, f"The same {label} is on row {earlier}"))
                repeated = True
        if not repeated:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "source_id", "The file has no rows below the header"))
    return rows


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_earlier_imports(
    organisation: Organisation, rows: list[_Row], problems: list[Problem]
) -> None:
    """Find the record each row made on an earlier import, locked for the update, with what it
    holds now."""
    person_of: dict[str, UUID] = {}
    for chunk in _chunks([row.source_id for row in rows]):
        person_of.update(
            SourceRecord.objects.filter(organisation=organisation, source_id__in=chunk).values_list(
                "source_id", "person_id"
            )
        )
    ids = list(set(person_of.values()))
    people: dict[UUID, Person] = {}
    identifiers: dict[UUID, dict[str, Identifier]] = {}
    latest: dict[UUID, tuple[date, datetime, str]] = {}
    for chunk in _chunks(ids):
        people.update((p.pk, p) for p in Person.objects.select_for_update().filter(pk__in=chunk))
        for identifier in Identifier.objects.filter(person_id__in=chunk):
            identifiers.setdefault(identifier.person_id, {})[identifier.scheme] = identifier
        for person_id, postcode, from_date, created_at in Address.objects.filter(
            person_id__in=chunk
        ).values_list("person_id", "postcode", "from_date", "created_at"):
            # The current address: the latest to start, an undated one before any dated one.
            key = (from_date or date.min, created_at, postcode)
            if person_id not in latest or latest[person_id] < key:
                latest[person_id] = key
    first_row_of: dict[UUID, int] = {}
    for row in rows:
        made = person_of.get(row.source_id)
        if made is None:
            continue
        earlier = first_row_of.setdefault(made, row.number)
        if earlier != row.number:
            # Two of the organisation's records were merged into one since they were imported.
            problems.append(
                Problem(
                    row.number,
                    "source_id",
                    f"This record and row {earlier}'s are now one person in Resettle. Give "
                    "them as one row",
                )
            )
        row.existing = people[made]
        row.existing_identifiers = identifiers.get(made, {})
        row.existing_postcode = latest[made][2] if made in latest else ""


def _check_identifiers_free(rows: list[_Row], problems: list[Problem]) -> None:
    """An identifier belongs to one person: one another record holds is refused, unless this
    import takes it from that record (one of the organisation's, given a different value)."""
    wanted = {
        (scheme, value): row for row in rows for scheme, value in row.identifiers.items() if value
    }
    holders: dict[tuple[str, str], UUID] = {}
    for scheme in SCHEMES:
        values = [value for (s, value) in wanted if s == scheme]
        for chunk in _chunks(values):
            holders.update(
                ((scheme, value), person_id)
                for value, person_id in Identifier.objects.filter(
                    scheme=scheme, value__in=chunk
                ).values_list("value", "person_id")
            )
    given_up = {
        (scheme, identifier.value)
        for row in rows
        for scheme, identifier in row.existing_identifiers.items()
        if row.identifiers[scheme] != identifier.value
    }
    for key, row in wanted.items():
        holder = holders.get(key)
        if holder is None or key in given_up:
            continue
        if row.existing is not None and holder == row.existing.pk:
            continue
        scheme = key[0]
        label = IdentifierScheme(scheme).label
        problems.append(
            Problem(row.number, scheme, f"This {label} is already recorded for another person")
        )


def _plan(organisation: Organisation, sheet: Sheet) -> tuple[list[_Row], list[Problem]]:
    problems: list[Problem] = []
    positions = _check_header(sheet, problems)
    if problems:
        return [], problems
    rows = _check_rows(sheet, positions, problems)
    _match_earlier_imports(organisation, rows, problems)
    _check_identifiers_free(rows, problems)
    for row in rows:
        if row.existing is None:
            continue
        before = {name: getattr(row.existing, name) for name in PERSON_FIELDS}
        before |= {s: getattr(row.existing_identifiers.get(s), "value", "") for s in SCHEMES}
        before["postcode"] = row.existing_postcode
        after = {**row.person, **row.identifiers, "postcode": row.postcode or before["postcode"]}
        row.changes = diff(before, after)
    order = {name: index for index, name in enumerate(COLUMNS)}
    problems.sort(key=lambda problem: (problem.row, order.get(problem.column, len(order))))
    return rows, problems


# Importing ----------------------------------------------------------------------------------------


def _category(name: str) -> str:
    """The audit trail's category for a change to `name`: an identifier's is its scheme's."""
    if name in SCHEMES:
        return registry.identifier_category(name)
    return registry.category_of("people.Person", name)


@transaction.atomic
def people_import(*, principal: Actor, organisation: Organisation, sheet: Sheet) -> ImportResult:
    """Import the sheet's person records into the organisation: every row, or (with any problem
    in the file) none, raising ImportRefused with every problem."""
    if not rules.can_import_people(principal):
        raise PermissionDenied(NOT_ALLOWED)
    rows, problems = _plan(organisation, sheet)
    if problems:
        raise ImportRefused(REFUSED.format(count=len(problems), file=sheet.name), problems)
    reason = f"Imported for {organisation.name} from {sheet.name}"
    events: list[EventData] = []
    try:
        created = _create(
            organisation, [row for row in rows if row.existing is None], events, reason
        )
        updated = _update([row for row in rows if row.changes], events, reason)
    except IntegrityError as error:  # a record changed between the checks and the writes
        raise ApplicationError(RACED) from error
    result = ImportResult(created, updated, len(rows) - created - updated)
    events.append(
        EventData(
            AuditAction.CREATE,
            "people_import",
            str(organisation.pk),
            reason=reason,
            changes={
                "file": [None, sheet.name],
                "created": [None, str(result.created)],
                "updated": [None, str(result.updated)],
                "unchanged": [None, str(result.unchanged)],
            },
        )
    )
    record_events(actor=None, events=events)
    return result


def _new_address(person_id: UUID, postcode: str, today: date) -> Address:
    # Only the postcode is known, so the first line the address form asks for is left blank;
    # the postcode was normalised as Address.clean would.
    return Address(
        person_id=person_id, kind=IMPORTED_ADDRESS_KIND, postcode=postcode, from_date=today
    )


def _create(
    organisation: Organisation, rows: list[_Row], events: list[EventData], reason: str
) -> int:
    today = date.today()
    people = [Person(**row.person) for row in rows]
    for person in people:
        person.set_search_keys()  # bulk_create skips save(), which sets them
    Person.objects.bulk_create(people, batch_size=BATCH)
    identifiers: list[Identifier] = []
    addresses: list[Address] = []
    for row, person in zip(rows, people, strict=True):
        identifiers.extend(
            Identifier(person=person, scheme=scheme, value=value)
            for scheme, value in row.identifiers.items()
            if value
        )
        if row.postcode:
            addresses.append(_new_address(person.pk, row.postcode, today))
        events.append(
            EventData(
                AuditAction.CREATE, "person", str(person.pk), person.pk, Category.IDENTITY, reason
            )
        )
    Identifier.objects.bulk_create(identifiers, batch_size=BATCH)
    Address.objects.bulk_create(addresses, batch_size=BATCH)
    events.extend(
        EventData(AuditAction.CREATE, "address", str(a.pk), a.person_id, Category.CONTACT, reason)
        for a in addresses
    )
    WorkingRelationship.objects.bulk_create(
        (
            WorkingRelationship(person=person, organisation=organisation, started_on=today)
            for person in people
        ),
        batch_size=BATCH,
    )
    SourceRecord.objects.bulk_create(
        (
            SourceRecord(organisation=organisation, source_id=row.source_id, person=person)
            for row, person in zip(rows, people, strict=True)
        ),
        batch_size=BATCH,
    )
    return len(people)


def _update(rows: list[_Row], events: list[EventData], reason: str) -> int:
    today, now = date.today(), timezone.now()
    people: list[Person] = []
    gone: list[UUID] = []
    identifiers: list[Identifier] = []
    moved: list[UUID] = []
    addresses: list[Address] = []
    for row in rows:
        person = row.existing
        assert person is not None
        for name in PERSON_FIELDS:
            setattr(person, name, row.person[name])
        person.set_search_keys()  # bulk_update skips save(), which sets them and the time
        person.updated_at = now
        people.append(person)
        for scheme in SCHEMES:
            if scheme not in row.changes:
                continue
            if scheme in row.existing_identifiers:
                gone.append(row.existing_identifiers[scheme].pk)
            if row.identifiers[scheme]:
                identifiers.append(
                    Identifier(person=person, scheme=scheme, value=row.identifiers[scheme])
                )
        if "postcode" in row.changes:
            moved.append(person.pk)
            addresses.append(_new_address(person.pk, row.postcode, today))
        by_category: dict[str, dict[str, list[str | None]]] = {}
        for name, change in row.changes.items():
            if name != "postcode":  # an address added, audited as one
                by_category.setdefault(_category(name), {})[name] = change
        events.extend(
            EventData(
                AuditAction.UPDATE,
                "person",
                str(person.pk),
                person.pk,
                category,
                reason,
                changes=changes,
            )
            for category, changes in by_category.items()
        )
    Person.objects.bulk_update(
        people,
        [*PERSON_FIELDS, "given_key", "family_key", "family_letters", "updated_at"],
        batch_size=BATCH,
    )
    # Removed before any is added, so an identifier can pass between two records of the file.
    for chunk in _chunks(gone):
        Identifier.objects.filter(pk__in=chunk).delete()
    Identifier.objects.bulk_create(identifiers, batch_size=BATCH)
    # As for an address added on the person's page, the current one ends the day before; one
    # that started today (imported earlier today) ends today.
    earlier = Q(from_date__lt=today) | Q(from_date__isnull=True)
    for chunk in _chunks(moved):
        current = Address.objects.filter(person_id__in=chunk, to_date__isnull=True)
        current.filter(earlier).update(to_date=today - timedelta(days=1), updated_at=now)
        current.filter(from_date=today).update(to_date=today, updated_at=now)
    Address.objects.bulk_create(addresses, batch_size=BATCH)
    events.extend(
        EventData(AuditAction.CREATE, "address", str(a.pk), a.person_id, Category.CONTACT, reason)
        for a in addresses
    )
    return len(people)
