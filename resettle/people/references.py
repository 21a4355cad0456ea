"""Everything that refers to a person record, found from the models themselves, so a model added
later is covered without anyone remembering to list it: what a merge moves, and which
organisations hold something about a person.

A reference is a foreign key (or one-to-one) to `people.Person` on another model. Rows of the
models in `STAYS` belong to the record they were made about and never move."""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import models

from resettle.accounts.models import Organisation
from resettle.people.models import Person

STAYS: dict[str, str] = {
    "people.PersonMerge": "the record of a merge names both records as they were",
    "linkage.LinkPair": "what a linkage run scored is its record of the records it read",
    "linkage.PersonLink": "the cluster a linkage run gave a record is its record of that run",
    "linkage.PairDecision": "a reviewer's answer is about the two records they compared",
    "dataprotection.Anonymisation": "an anonymised record is never merged",
}
# Models reached through on the way to an organisation never say who holds a person's record:
# a person is anyone, a user or membership is whoever typed, and a venue's owner only lends it.
_NOT_HOLDERS = frozenset(
    {"people.Person", "accounts.User", "accounts.Membership", "directory.Location"}
)
# How far from a row to look for the organisation holding it (a register's attendance: its
# session, that session's service, the service's organisation).
_DEPTH = 2


@cache
def person_references() -> tuple[models.ForeignKey, ...]:
    """Every foreign key to a person record on a model whose rows move with the person."""
    found: list[models.ForeignKey] = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel):
            continue
        field = relation.field
        if not isinstance(field, models.ForeignKey) or field.model._meta.label in STAYS:
            continue
        found.append(field)
    return tuple(sorted(found, key=lambda f: (f.model._meta.label, f.name)))


def _paths(model: type[models.Model], depth: int) -> list[str]:
    paths = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey):
            continue
        target = field.related_model
        if not isinstance(target, type):  # "self": the row's own kind, already looked at
            continue
        if target is Organisation:
            paths.append(field.name)
        elif depth > 0 and target._meta.label not in _NOT_HOLDERS and target is not model:
            paths.extend(f"{field.name}__{path}" for path in _paths(target, depth - 1))
    return paths


@cache
def organisation_paths(model: type[models.Model]) -> tuple[str, ...]:
    """Lookups from a row of `model` to an organisation holding it: its own organisation fields,
    and those of the records it belongs to (a contact's case, a referral's service)."""
    return tuple(_paths(model, _DEPTH))


def holders(person_ids: Iterable[Any]) -> dict[Any, set[Any]]:
    """The organisations holding anything about each of these records: every organisation a
    referring row names or belongs to. One query per reference and path."""
    ids = list(person_ids)
    held: dict[Any, set[Any]] = defaultdict(set)
    for field in person_references():
        manager = field.model._base_manager
        for path in organisation_paths(field.model):
            rows = (
                manager.filter(**{f"{field.name}__in": ids, f"{path}__isnull": False})
                .values_list(field.attname, path)
                .distinct()
            )
            for person_id, organisation_id in rows:
                held[person_id].add(organisation_id)
    return held
