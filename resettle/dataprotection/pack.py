"""Building a subject access pack: every section's records for one person in the requesting
organisation's scope (resettle/access/rules/dataprotection.py), the audit trail of who read or
changed the record, and the zip that holds them as `person.json` and a printable `index.html`."""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from django.apps import apps
from django.db import models
from django.db.models import BooleanField, Case, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from resettle.access.categories import Category
from resettle.access.registry import ACCESS_RECORD, BY_SCHEME, NOT_PERSONAL, REGISTRY, STAFF
from resettle.access.rules.dataprotection import SubjectAccessScope
from resettle.accounts.models import User
from resettle.audit.models import AuditEvent
from resettle.dataprotection.sections import (
    ACCESS,
    ACCESS_LOG,
    GROUPS,
    NOT_IN_PACK,
    NOT_SHOWN,
    SECTIONS,
    WITHHELD,
    Section,
)
from resettle.people.models import Person

NOT_RECORDED = "Not recorded"
WITHHELD_TEXT = "Recorded, withheld: it names other people to keep them safe"
# Shown with any record that is shown: about the record, not a category of anyone's data.
ALWAYS_SHOWN = frozenset({NOT_PERSONAL, ACCESS_RECORD, BY_SCHEME})

JsonValue = str | int | bool | list | dict | None


@dataclass
class ShownField:
    name: str
    label: str
    value: JsonValue
    text: str


@dataclass
class Record:
    id: str
    own: bool
    held_by: str
    fields: list[ShownField]


@dataclass
class SectionPart:
    key: str
    title: str
    records: list[Record]


@dataclass
class Group:
    key: str
    label: str
    # Whether other organisations' records of this category are in the pack (a data category
    # the organisation may see under the agreements and consent).
    includes_others: bool
    sections: list[SectionPart] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(section.records) for section in self.sections)


@dataclass
class LogEntry:
    at: str
    who: str
    role: str
    organisation: str
    action: str
    record: str
    category: str
    reason: str
    changes: list[dict[str, str | None]]


@dataclass
class Pack:
    person_id: str
    person_name: str
    organisation: str
    requested_by: str
    generated_at: str
    scope: str
    groups: list[Group]
    access_log: list[LogEntry]
    withheld: str
    not_in_pack: dict[str, str]


def scope_statement(organisation: str) -> str:
    """What a pack holds, said on the request page and in the pack itself."""
    return (
        f"This pack holds what {organisation} is answerable for as a data controller: every "
        f"record {organisation} made, whatever it is about, and what {organisation} may see "
        "today of other organisations' records under the partnership's information-sharing "
        "agreements and the person's consent. Other organisations in the partnership hold "
        "their own records and answer for them: the person can ask each of them."
    )


# Fields ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    """A field of a section's model, or of a model it points to (`household__notes`)."""

    path: str
    label: str
    classification: str
    field: models.Field
    relations: tuple[str, ...]


def _concrete(model: type[models.Model], name: str) -> models.Field:
    """A stored field of the model (every field the registry names is one)."""
    return cast(models.Field, model._meta.get_field(name))


def _resolve(model: type[models.Model], path: str) -> _Path:
    parts = path.split("__")
    current = model
    relations: list[str] = []
    for part in parts[:-1]:
        relations.append(part)
        current = cast(type[models.Model], _concrete(current, part).related_model)
    final = _concrete(current, parts[-1])
    label = str(final.verbose_name)
    if relations:
        label = f"{_concrete(model, relations[0]).verbose_name} {label}"
    return _Path(
        path=path,
        label=capfirst(label),
        classification=str(REGISTRY[current._meta.label][parts[-1]]),
        field=final,
        relations=tuple(relations),
    )


def section_fields(section: Section) -> list[_Path]:
    """The fields a section shows: those it names, or every field the registry lists for its
    model but the staff's own details, bookkeeping and the link to the person."""
    model = apps.get_model(section.label)
    if section.fields is not None:
        names = list(section.fields)
    else:
        names = [
            name
            for name, placed in REGISTRY[section.label].items()
            if placed != STAFF and name not in NOT_SHOWN and name != "person"
        ]
        # When it was recorded reads best after what was recorded.
        names.sort(key=lambda name: name == "created_at")
    return [_resolve(model, name) for name in names]


def _user_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _related_text(related: models.Model) -> str:
    if isinstance(related, User):
        return _user_name(related)
    if type(related).__str__ is models.Model.__str__:
        return str(related.pk)
    return str(related)


def _value(record: models.Model, path: _Path) -> tuple[JsonValue, str]:
    owner: Any = record
    for relation in path.relations:
        owner = getattr(owner, relation)
        if owner is None:
            return None, NOT_RECORDED
    name = path.field.name
    if path.field.is_relation:
        related = getattr(owner, name)
        if related is None:
            return None, NOT_RECORDED
        text = _related_text(related)
        return text, text
    raw = getattr(owner, path.field.attname)
    if path.field.choices and raw not in (None, ""):
        text = str(getattr(owner, f"get_{name}_display")())
        return text, text
    return _as_json(raw), _as_text(raw)


def _as_json(raw: Any) -> JsonValue:
    if isinstance(raw, datetime):
        return timezone.localtime(raw).isoformat() if timezone.is_aware(raw) else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, Decimal | UUID):
        return str(raw)
    if isinstance(raw, bytes | memoryview):
        return None
    return raw


def _as_text(raw: Any) -> str:
    if raw is None or raw == "" or raw == [] or raw == {}:
        return NOT_RECORDED
    if isinstance(raw, bool):
        return "Yes" if raw else "No"
    if isinstance(raw, datetime):
        return f"{timezone.localtime(raw) if timezone.is_aware(raw) else raw:%-d %B %Y, %H:%M}"
    if isinstance(raw, date):
        return f"{raw:%-d %B %Y}"
    if isinstance(raw, list):
        return ", ".join(str(item) for item in raw)
    if isinstance(raw, dict):
        return json.dumps(raw, ensure_ascii=False, sort_keys=True)
    return str(raw)


# Records -----------------------------------------------------------------------------------------


def section_records(section: Section, scope: SubjectAccessScope, person: Person) -> list[Record]:
    """The person's records of this section that the organisation answers for: its own whole,
    other organisations' it may see with only the fields of categories it may see."""
    model = apps.get_model(section.label)
    own = section.own(scope.organisation_id)
    shared = section.shared(scope, person)
    in_scope = own if shared is None else own | shared
    paths = section_fields(section)
    related = {p.relations[0] if p.relations else p.field.name for p in paths}
    related = {name for name in related if model._meta.get_field(name).many_to_one}
    rows = (
        model._default_manager.filter(section.about(person))
        .filter(in_scope)
        .annotate(
            sar_own=Case(
                When(own, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .select_related(*related)
        .order_by(*section.order, "pk")
        .distinct()
    )
    holder_path = f"{section.holder}__name" if section.holder else ""
    if holder_path:
        rows = rows.annotate(sar_holder=models.F(holder_path))
    withheld = WITHHELD.get(section.label, frozenset())
    shown_others = set(scope.categories) | ALWAYS_SHOWN
    records = []
    for row in rows:
        own_row = bool(getattr(row, "sar_own"))  # noqa: B009 (an annotation)
        fields = []
        for path in paths:
            if not own_row and path.classification not in shown_others:
                continue
            value, text = _value(row, path)
            if path.field.name in withheld and not path.relations and value:
                value, text = WITHHELD_TEXT, WITHHELD_TEXT
            fields.append(ShownField(path.path, path.label, value, text))
        records.append(
            Record(
                id=str(row.pk),
                own=own_row,
                held_by=getattr(row, "sar_holder", "") or "",
                fields=fields,
            )
        )
    return records


def access_log(scope: SubjectAccessScope, person: Person) -> list[LogEntry]:
    """Who read or changed the record, from the audit trail, oldest first: everything the
    organisation's own staff did, and, while it works with the person, what other organisations'
    staff did (as its caseworkers see on the person's access log), their changes only in
    categories it may see."""
    events = AuditEvent.objects.filter(person_id=person.pk)
    if not scope.working:
        events = events.filter(organisation_id=scope.organisation_id)
    entries = []
    for event in events.order_by("at", "id"):
        own = event.organisation_id == scope.organisation_id
        changes = []
        if event.changes and (own or event.category in scope.categories):
            changes = [
                {"field": name, "from": values[0], "to": values[1]}
                for name, values in sorted(event.changes.items())
            ]
        entries.append(
            LogEntry(
                at=timezone.localtime(event.at).isoformat(),
                who=event.user_name or event.username or "Unknown",
                role=event.role_label,
                organisation=event.organisation_name,
                action=event.get_action_display(),
                record=event.object_type.replace("_", " "),
                category=event.category_label,
                reason=event.reason,
                changes=changes,
            )
        )
    return entries


def build(
    *,
    scope: SubjectAccessScope,
    person: Person,
    requested_by: str,
    progress: Callable[[int], None] = lambda percent: None,
) -> Pack:
    """Everything the organisation answers for about the person; `progress` is told the per
    cent done as each section is read."""
    groups = {
        key: Group(
            key=key,
            label=label,
            includes_others=key in scope.categories or key in (ACCESS, ACCESS_LOG),
        )
        for key, label in GROUPS
    }
    for done, section in enumerate(SECTIONS, start=1):
        records = section_records(section, scope, person)
        groups[section.group].sections.append(SectionPart(section.key, section.title, records))
        progress(done * 90 // len(SECTIONS))
    return Pack(
        person_id=str(person.pk),
        person_name=person.full_name,
        organisation=scope.organisation_name,
        requested_by=requested_by,
        generated_at=timezone.localtime().isoformat(),
        scope=scope_statement(scope.organisation_name),
        groups=list(groups.values()),
        access_log=access_log(scope, person),
        withheld=(
            "Where a record names other people so as to keep them safe (people the person must "
            "avoid), the pack says such names are recorded but not who they are."
        ),
        not_in_pack=dict(NOT_IN_PACK),
    )


# Files -------------------------------------------------------------------------------------------


def as_json(pack: Pack) -> dict[str, Any]:
    """`person.json`: every group by key (every data category, then who holds the record and
    the access log), each section's records with their fields by name."""
    return {
        "person": {"id": pack.person_id, "name": pack.person_name},
        "organisation": pack.organisation,
        "requested_by": pack.requested_by,
        "generated_at": pack.generated_at,
        "scope": pack.scope,
        "withheld": pack.withheld,
        "not_in_pack": pack.not_in_pack,
        "categories": {
            group.key: {
                "label": group.label,
                "includes_other_organisations_records": group.includes_others,
                "sections": {
                    section.key: {
                        "title": section.title,
                        "records": [
                            {
                                "id": record.id,
                                "held_by": record.held_by,
                                "ours": record.own,
                                "fields": {f.name: f.value for f in record.fields},
                            }
                            for record in section.records
                        ],
                    }
                    for section in group.sections
                },
            }
            for group in pack.groups
            if group.key != ACCESS_LOG
        }
        | {
            ACCESS_LOG: {
                "label": dict(GROUPS)[ACCESS_LOG],
                "entries": [asdict(entry) for entry in pack.access_log],
            }
        },
    }


def as_html(pack: Pack) -> str:
    return render_to_string(
        "dataprotection/pack.html",
        {"pack": pack, "category_labels": dict(Category.choices), "access_log_key": ACCESS_LOG},
    )


def archive(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "person.json", json.dumps(as_json(pack), ensure_ascii=False, indent=2, default=str)
        )
        zipped.writestr("index.html", as_html(pack))
    return buffer.getvalue()
