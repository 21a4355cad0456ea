"""Every read the data-protection pages and API show, filtered by the access policy."""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.db.models import Field, Q, QuerySet

from resettle.access import policy, registry
from resettle.access.core import Actor
from resettle.access.rules import dataprotection as rules
from resettle.audit.models import AuditAction, AuditEvent
from resettle.dataprotection import retention
from resettle.dataprotection.models import ErasureLogEntry, RetentionRule, SubjectAccessExport
from resettle.lib.identifiers import normalise_identifier
from resettle.people.categories import PERSON_FIELDS
from resettle.people.choices import IdentifierScheme
from resettle.people.forms import PersonForm
from resettle.people.models import Person

FIND_LIMIT = 25
BLANK = "(blank)"


# Subject access ----------------------------------------------------------------------------------


def person_exports(*, actor: Actor, person: Person) -> QuerySet[SubjectAccessExport]:
    """The person's packs made for the actor's organisation, newest first."""
    return (
        policy.subject_access_exports_visible_to(actor)
        .filter(person=person)
        .select_related("requested_by")
        .defer("content")
    )


def recent_exports(*, actor: Actor) -> QuerySet[SubjectAccessExport]:
    """The organisation's packs, newest first, for the data-protection page."""
    return (
        policy.subject_access_exports_visible_to(actor)
        .select_related("person", "requested_by")
        .defer("content")
    )


def _identifier_value(text: str) -> list[str]:
    """The text as each identifier scheme would store it, where it is one."""
    values = []
    for scheme in IdentifierScheme.values:
        try:
            values.append(normalise_identifier(scheme, text))
        except ValueError:
            continue
    return values


def find_people(*, actor: Actor, query: str) -> list[Person]:
    """People whose records the lead's organisation holds, by a name (every word a name starts
    with) or an identifier, at most FIND_LIMIT, by name."""
    words = query.split()
    if not words:
        return []
    by_name = Q()
    for word in words:
        by_name &= (
            Q(given_name__istartswith=word)
            | Q(family_name__istartswith=word)
            | Q(preferred_name__istartswith=word)
        )
    by_identifier = Q(identifiers__value__in=_identifier_value(query.strip()))
    found = (
        policy.people_held_by(actor)
        .filter(by_name | by_identifier)
        .distinct()
        .order_by("family_name", "given_name", "pk")
    )
    return list(found[:FIND_LIMIT])


# Corrections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    category: str


@dataclass(frozen=True)
class Correction:
    at: datetime
    who: str
    role: str
    organisation: str
    reason: str
    changes: list[FieldChange]


def _field_category(name: str) -> str | None:
    """The category of a changed person field or identifier; None for anything unknown, which
    is then not shown."""
    if name in PERSON_FIELDS:
        return PERSON_FIELDS[name]
    return registry.IDENTIFIER_SCHEMES.get(name)


def _person_field(name: str) -> Field:
    return cast(Field, Person._meta.get_field(name))


def _label(name: str) -> str:
    if name in IdentifierScheme.values:
        return str(IdentifierScheme(name).label)
    labels = PersonForm.Meta.labels
    if name in labels:
        return str(labels[name]).removesuffix(" (optional)")
    return str(_person_field(name).verbose_name).capitalize()


def _shown(name: str, value: str | None) -> str:
    if value in (None, ""):
        return BLANK
    if name in PERSON_FIELDS:
        choices = dict(_person_field(name).flatchoices)
        if value in choices:
            return str(choices[value])
    return str(value)


def correction_events(*, actor: Actor, person: Person) -> QuerySet[AuditEvent]:
    """The audit trail's changes to the person's details in categories the actor may see,
    newest first (each event is then narrowed to the fields they may see: `as_corrections`)."""
    if not policy.can_view_person(actor, person):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        person_id=person.pk,
        action=AuditAction.UPDATE,
        object_type="person",
        category__in=policy.categories_visible(actor, person),
    ).order_by("-at", "-id")


def as_corrections(*, actor: Actor, person: Person, events: list[AuditEvent]) -> list[Correction]:
    """Each change as old → new, who, when and why, with only the fields of categories the
    actor may see: a field's history must not show what the field itself would not."""
    visible = policy.categories_visible(actor, person)
    corrections = []
    for event in events:
        changes = [
            FieldChange(
                _label(name), _shown(name, values[0]), _shown(name, values[1]), str(category)
            )
            for name, values in sorted((event.changes or {}).items())
            if (category := _field_category(name)) in visible
        ]
        if not changes:
            continue
        corrections.append(
            Correction(
                at=event.at,
                who=event.user_name or event.username or "Unknown",
                role=event.role_label,
                organisation=event.organisation_name,
                reason=event.reason,
                changes=changes,
            )
        )
    return corrections


def categories_in(corrections: list[Correction]) -> set[str]:
    """The categories a page of corrections shows, to audit the read."""
    return {change.category for correction in corrections for change in correction.changes}


# Retention ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: RetentionRule
    due: int


def retention_rules_with_preview(*, actor: Actor) -> list[RuleRow]:
    """The actor's partnerships' rules, each with how many records it would anonymise or delete
    if retention ran now (a dry run)."""
    rows = list(rules.retention_rules_visible_to(actor).select_related("partnership", "set_by"))
    if not rows:
        return []
    due = retention.preview()
    return [RuleRow(rule, due.get(rule.pk, 0)) for rule in rows]


def erasure_log(*, actor: Actor) -> QuerySet[ErasureLogEntry]:
    """What retention runs did under the actor's partnerships' rules, newest first."""
    return rules.erasure_log_visible_to(actor).select_related("partnership")
