"""Merging two records of one person within one organisation, and undoing it.

A merge moves every row that refers to the merged record (found from the models, see
`references`) to the survivor, and lists each one it moved under the `PersonMerge`, with the
merged record's own fields as they were. Where the survivor already holds the like of a row that
a person may hold only once (an open working relationship with the same organisation, current
membership of the same household, a relationship with the same person or with the survivor
itself), the merged record's row is removed and kept whole in the list, so undoing puts it back
exactly. Only rows nothing else refers to are removed that way (removing one takes nothing with
it); any other such clash (two live cases with one organisation, two different PNC IDs) refuses
the merge with what to put right first.

Undoing a merge moves back exactly the listed rows, puts back the removed ones and the merged
record's fields. What was recorded on the survivor after the merge stays there, and is listed;
rows listed but since deleted cannot be put back, and are listed too (the rest is restored)."""

import hashlib
import json
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import CheckConstraint, Q, UniqueConstraint
from django.http import HttpRequest
from django.utils import timezone

from resettle.access.rules import merging as rules
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.people.models import MergedRow, MergedRowAction, Person, PersonMerge
from resettle.people.references import person_references

NOT_ALLOWED = (
    "Records are merged by organisation admins and data-protection leads. Ask your "
    "organisation admin."
)
NO_REASON = "Say why these records are being merged"
NO_UNMERGE_REASON = "Say why this merge is being undone"
STALE = (
    "Something about these records changed since you opened this page. Check what will move "
    "again, then merge."
)
STALE_UNMERGE = "This merge changed since you opened this page. Check it again."
ALREADY_UNDONE = "This merge has already been undone."
SURVIVOR_MERGED = (
    "The record that stayed has since been merged into another record. Undo that merge first."
)
UNMERGE_FAILED = (
    "This merge cannot be undone as things stand: a row going back to the merged record "
    "clashes with one recorded since. Nothing was changed."
)
# Rows a person may hold once, whose duplicate on the merged record is removed (and kept to be
# put back). Each must be a row nothing refers to (see test_merging).
REMOVE_DUPLICATE = frozenset(
    {
        "people.WorkingRelationship",
        "people.HouseholdMember",
        "people.Relationship",
        "mentoring.MenteePreferences",
    }
)
# What to put right before merging, by the constraint a move would break.
CLASHES = {
    "case_one_live_per_organisation": (
        "Both records have a live case with the same organisation. Close one of the cases first."
    ),
    "custody_one_in_custody_per_person": (
        "Both records have someone in custody now. Correct the custody history first."
    ),
    "identifier_one_per_scheme": (
        "The records have different {value}: they may be different people. Correct the wrong "
        "one first."
    ),
    "suitability_one_first_assessment": (
        "Both records have suitability assessments, and a person has one line of them. Ask "
        "the assessor to record the assessment on one record only."
    ),
    "offending_one_first_risk_assessment": (
        "Both records have risk assessments, and a person has one line of them. Record them "
        "on one record only first."
    ),
    "enrolment_one_live_per_service": (
        "Both records are enrolled on the same service. Withdraw one enrolment first."
    ),
    "attendance_one_per_person": (
        "Both records are on the register of the same session. Correct the register first."
    ),
}
GENERIC_CLASH = "Both records have {kind} that a person can hold only one of. Correct one first."


class StaleMerge(ApplicationError):
    """The records, or the merge, changed since the actor looked (the API's 409)."""


# Describing rows --------------------------------------------------------------------------------


def _text(model_field: models.Field, instance: models.Model) -> Any:
    value = model_field.value_from_object(instance)
    return None if value is None else model_field.value_to_string(instance)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Every field of the row, each as its field's own text, so it can be put back exactly
    (a datetime keeps its microseconds, which JSON dates would not)."""
    return {f.attname: _text(f, instance) for f in instance._meta.concrete_fields}


def _values(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    return {
        f.attname: None if data[f.attname] is None else f.to_python(data[f.attname])
        for f in model._meta.concrete_fields
        if f.attname in data
    }


def _restore(model: type[models.Model], data: dict[str, Any]) -> None:
    # A raw save, as loading a fixture does: no field sets itself (created and updated times
    # stay as they were) and no save() of the model's own runs.
    model(**_values(model, data)).save_base(raw=True, force_insert=True)


def kind_of(label: str, count: int) -> str:
    meta = apps.get_model(label)._meta
    return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


def _kinds(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items()))


# The plan ---------------------------------------------------------------------------------------


def _mentions(condition: Any, names: set[str]) -> bool:
    if isinstance(condition, Q):
        return any(_mentions(child, names) for child in condition.children)
    if isinstance(condition, tuple):
        lookup, value = condition
        return lookup.split("__")[0] in names or _mentions(value, names)
    if isinstance(condition, models.F):
        return condition.name.split("__")[0] in names
    return False


def _constraints_on(reference: models.ForeignKey) -> list[UniqueConstraint | CheckConstraint]:
    """The constraints moving a row by `reference` could break."""
    names = {reference.name, reference.attname}
    found: list[UniqueConstraint | CheckConstraint] = []
    for constraint in reference.model._meta.constraints:
        unique = isinstance(constraint, UniqueConstraint) and names & set(constraint.fields)
        checked = isinstance(constraint, CheckConstraint) and _mentions(constraint.condition, names)
        if unique or checked:
            found.append(cast(UniqueConstraint | CheckConstraint, constraint))
    return found


@dataclass
class Clash:
    reference: models.ForeignKey
    row: models.Model
    constraint: str

    @property
    def label(self) -> str:
        return self.reference.model._meta.label

    def message(self) -> str:
        text = CLASHES.get(self.constraint, GENERIC_CLASH)
        value = ""
        if hasattr(self.row, "get_scheme_display"):
            value = f"{self.row.get_scheme_display()}s"
        meta = self.reference.model._meta
        return text.format(kind=f"a {meta.verbose_name}", value=value)


@dataclass
class MergePlan:
    """What merging `merged` into `survivor` would do."""

    survivor: Person
    merged: Person
    moves: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    removals: list[Clash] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)

    def moved(self) -> dict[str, int]:
        """How many rows of each kind move, by model label."""
        counts: Counter = Counter()
        for (label, _name), pks in self.moves.items():
            counts[label] += len(pks)
        return _kinds(counts)

    def removed(self) -> dict[str, int]:
        return _kinds(Counter(clash.label for clash in self.removals))

    def refusals(self) -> list[str]:
        return list(dict.fromkeys(clash.message() for clash in self.clashes))


def merge_plan(*, survivor: Person, merged: Person) -> MergePlan:
    """Every row referring to `merged`, and for each whether it moves, is removed as a
    duplicate of the survivor's, or clashes so the merge cannot go ahead."""
    plan = MergePlan(survivor=survivor, merged=merged)
    removing: set[tuple[str, Any]] = set()
    for reference in person_references():
        model = reference.model
        constraints = _constraints_on(reference)
        rows = model._base_manager.filter(**{reference.name: merged.pk}).order_by("pk")
        if not constraints:
            pks = list(rows.values_list("pk", flat=True))
            if pks:
                plan.moves[(model._meta.label, reference.name)] = pks
            continue
        for row in rows:
            setattr(row, reference.attname, survivor.pk)
            broken = None
            for constraint in constraints:
                try:
                    # Django's own check before a save (django-stubs do not declare it).
                    constraint.validate(model, row)  # type: ignore[union-attr]
                except ValidationError:
                    broken = constraint.name
                    break
            if broken is None:
                plan.moves.setdefault((model._meta.label, reference.name), []).append(row.pk)
            elif model._meta.label in REMOVE_DUPLICATE:
                if (model._meta.label, row.pk) not in removing:
                    removing.add((model._meta.label, row.pk))
                    setattr(row, reference.attname, merged.pk)
                    plan.removals.append(Clash(reference, row, broken))
            else:
                plan.clashes.append(Clash(reference, row, broken))
    return plan


def fingerprint(one: Person, other: Person) -> str:
    """Names what the actor was shown about two records, whichever is to survive: the records
    as they were and every row referring to either, so a form sent after any of it changed is
    refused."""
    people = sorted((one, other), key=lambda person: str(person.pk))
    ids = [person.pk for person in people]
    seen: list[Any] = [[str(p.pk), p.updated_at.isoformat()] for p in people]
    for reference in person_references():
        rows = reference.model._base_manager.filter(**{f"{reference.name}__in": ids})
        pks = sorted(str(pk) for pk in rows.values_list("pk", flat=True))
        if pks:
            seen.append([reference.model._meta.label, reference.name, pks])
    return hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:32]


# Merging ---------------------------------------------------------------------------------------


def _locked(*people: Person) -> dict[Any, Person]:
    # In id order, so two merges of the same records wait for each other rather than deadlock.
    ids = sorted({person.pk for person in people}, key=str)
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _audit(
    actor: Membership,
    merge: PersonMerge,
    what: str,
    reason: str,
    request: HttpRequest | None,
    extra: dict[str, Any],
) -> None:
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type="person_merge",
                object_id=str(merge.pk),
                person_id=person_id,
                reason=reason,
                changes={
                    what: [None, str(other)],
                    **{key: [None, str(value)] for key, value in extra.items()},
                },
            )
            for person_id, other in (
                (merge.survivor_id, merge.merged_id),
                (merge.merged_id, merge.survivor_id),
            )
        ],
    )


@transaction.atomic
def person_merge(
    *,
    actor: Membership,
    survivor: Person,
    merged: Person,
    reason: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> PersonMerge:
    """Merge `merged` into `survivor`: `merged`'s rows move, `merged` stays, empty, marked by
    the merge. `seen` is the `fingerprint` of what the actor confirmed (a page's form sends it)."""
    if not rules.can_merge(actor):
        raise PermissionDenied(NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": NO_REASON})
    if survivor.pk == merged.pk:
        raise ApplicationError(rules.SAME_RECORD)
    locked = _locked(survivor, merged)
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    refusal = rules.merge_refusal(actor, survivor=survivor, merged=merged)
    if refusal is not None:
        raise ApplicationError(refusal)
    plan = merge_plan(survivor=survivor, merged=merged)
    if plan.clashes:
        raise ApplicationError(" ".join(plan.refusals()))
    if seen is not None and seen != fingerprint(survivor, merged):
        raise StaleMerge(STALE)
    merge = PersonMerge(
        organisation_id=actor.organisation_id,
        survivor=survivor,
        merged=merged,
        merged_by=actor.user,
        reason=reason,
        person_fields=snapshot(merged),
    )
    merge.full_clean()
    merge.save()
    listed = [
        MergedRow(
            merge=merge,
            model_label=clash.label,
            object_id=str(clash.row.pk),
            field_name=clash.reference.name,
            action=MergedRowAction.REMOVED,
            snapshot=snapshot(clash.row),
        )
        for clash in plan.removals
    ]
    for clash in plan.removals:
        clash.reference.model._base_manager.filter(pk=clash.row.pk).delete()
    for (label, name), pks in plan.moves.items():
        apps.get_model(label)._base_manager.filter(pk__in=pks).update(**{name: survivor.pk})
        listed.extend(
            MergedRow(
                merge=merge,
                model_label=label,
                object_id=str(pk),
                field_name=name,
                action=MergedRowAction.MOVED,
            )
            for pk in pks
        )
    MergedRow.objects.bulk_create(listed, batch_size=1000)
    _audit(actor, merge, "merged_with", reason, request, {"rows_moved": len(listed)})
    return merge


def merged_rows(merge: PersonMerge) -> dict[str, dict[str, int]]:
    """How many rows of each kind the merge moved and removed: action -> model label -> count."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for action, label, count in (
        merge.rows.values_list("action", "model_label")
        .annotate(count=models.Count("pk"))
        .order_by("action", "model_label")
    ):
        counts[action][label] = count
    return {action: _kinds(counter) for action, counter in counts.items()}


# Undoing ---------------------------------------------------------------------------------------


@dataclass
class UnmergeReport:
    """What undoing a merge would do beyond putting the listed rows back, by model label:
    rows recorded on the survivor since the merge (they stay), and those of them that belong
    to a row going back (a contact in a case the merge moved: it stays, its case goes back, so
    someone should look at it); listed rows changed since (they go back with their changes)
    and listed rows since deleted (they cannot go back)."""

    kept: dict[str, int]
    attached: dict[str, int]
    changed: dict[str, int]
    missing: dict[str, int]


def _moved_rows(merge: PersonMerge) -> dict[tuple[str, str], list[str]]:
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label, name, object_id in merge.rows.filter(action=MergedRowAction.MOVED).values_list(
        "model_label", "field_name", "object_id"
    ):
        grouped[(label, name)].append(object_id)
    return grouped


def _has(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _attached(later: models.QuerySet, moved: dict[tuple[str, str], list[str]]) -> int:
    """How many of `later` belong to a row going back (a contact in a case that moved)."""
    going_back: dict[str, list[str]] = defaultdict(list)
    for (label, _name), pks in moved.items():
        going_back[label].extend(pks)
    conditions = []
    for model_field in later.model._meta.concrete_fields:
        target = model_field.related_model
        if isinstance(target, type) and issubclass(target, models.Model):
            ids = going_back.get(target._meta.label)
            if ids:
                conditions.append(Q(**{f"{model_field.attname}__in": ids}))
    if not conditions:
        return 0
    return later.filter(reduce(operator.or_, conditions)).count()


def unmerge_report(merge: PersonMerge) -> UnmergeReport:
    moved = _moved_rows(merge)
    kept: Counter = Counter()
    attached: Counter = Counter()
    changed: Counter = Counter()
    missing: Counter = Counter()
    for reference in person_references():
        model = reference.model
        label = model._meta.label
        pks = moved.get((label, reference.name), [])
        on_survivor = model._base_manager.filter(**{reference.name: merge.survivor_id})
        back = on_survivor.filter(pk__in=pks)
        if pks:
            there = back.count()
            missing[label] += len(pks) - there
            if _has(model, "updated_at"):
                changed[label] += back.filter(updated_at__gt=merge.created_at).count()
        if _has(model, "created_at"):
            later = on_survivor.filter(created_at__gt=merge.created_at).exclude(pk__in=pks)
            kept[label] += later.count()
            attached[label] += _attached(later, moved)
    return UnmergeReport(
        kept=_kinds(+kept),
        attached=_kinds(+attached),
        changed=_kinds(+changed),
        missing=_kinds(+missing),
    )


@transaction.atomic
def person_unmerge(
    *,
    actor: Membership,
    merge: PersonMerge,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PersonMerge:
    """Undo a merge: the listed rows go back to the merged record, the removed duplicates are
    put back and the merged record's fields restored; rows recorded on the survivor since stay
    there (`kept_on_survivor`), listed rows since deleted are counted in `not_restored`."""
    if not rules.can_merge(actor):
        raise PermissionDenied(NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": NO_UNMERGE_REASON})
    current = rules.merges_visible_to(actor).select_for_update().filter(pk=merge.pk).first()
    if current is None:
        raise PermissionDenied(NOT_ALLOWED)
    merge = current
    if expected_version is not None and merge.version != expected_version:
        raise StaleMerge(STALE_UNMERGE)
    if merge.undone:
        raise ApplicationError(ALREADY_UNDONE)
    locked = _locked(merge.survivor, merge.merged)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if PersonMerge.objects.filter(merged=survivor, unmerged_at__isnull=True).exists():
        raise ApplicationError(SURVIVOR_MERGED)
    report = unmerge_report(merge)
    try:
        with transaction.atomic():
            for (label, name), pks in _moved_rows(merge).items():
                apps.get_model(label)._base_manager.filter(
                    pk__in=pks, **{name: survivor.pk}
                ).update(**{name: merged.pk})
            for row in merge.rows.filter(action=MergedRowAction.REMOVED):
                model = apps.get_model(row.model_label)
                if row.snapshot and not model._base_manager.filter(pk=row.object_id).exists():
                    _restore(model, row.snapshot)
            fields = _values(Person, merge.person_fields)
            fields.pop("id", None)
            Person._base_manager.filter(pk=merged.pk).update(**fields)
    except IntegrityError as exc:
        raise ApplicationError(UNMERGE_FAILED) from exc
    merge.unmerged_at = timezone.now()
    merge.unmerged_by = actor.user
    merge.unmerge_reason = reason
    merge.kept_on_survivor = report.kept
    merge.not_restored = report.missing
    merge.version += 1
    merge.full_clean()
    merge.save()
    _audit(
        actor,
        merge,
        "unmerged_from",
        reason,
        request,
        {"kept_on_survivor": sum(report.kept.values())},
    )
    return merge
