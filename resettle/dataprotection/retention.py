"""The retention schedule carried out: what each partnership's rules make due, and doing it.

A record is governed by every partnership of every organisation that held it, and the longest
of their rules wins: nobody's record goes sooner than any of its holders agreed. A person under
a legal hold is skipped, with their cases. Each person or case is handled in its own
transaction, counted in the erasure log in that same transaction, so a run stopped half-way
leaves nothing half-done and is simply run again: what was done is no longer due.

The erasure log says when, under which rule and how many; never who."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from resettle.cases.models import Case, CaseEvent, CaseState
from resettle.contacts.models import Contact
from resettle.dataprotection.models import (
    Anonymisation,
    ErasureLogEntry,
    LegalHold,
    RecordType,
    RetentionAction,
    RetentionRule,
)
from resettle.linkage.models import SourceRecord
from resettle.people.models import (
    Address,
    Identifier,
    Person,
    PersonMerge,
    PersonName,
    WorkingRelationship,
)
from resettle.referrals.models import LIVE_STATES, Referral

ANONYMISED_GIVEN_NAME = "Anonymised"
ANONYMISED_FAMILY_NAME = "Person"


def years_before(on: date, years: int) -> date:
    """`on`, `years` earlier (29 February falls back to the 28th)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _held() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(person_id=OuterRef("person_id"), lifted_at__isnull=True)


def _governing(rules: Iterable[RetentionRule]) -> RetentionRule | None:
    """The longest of the rules (the earliest made, between equals): the one a record waits for."""
    return max(rules, key=lambda rule: (rule.years, -rule.created_at.timestamp()), default=None)


class _Rules:
    """Every rule of one record type, by the organisations they govern."""

    def __init__(self, record_type: str) -> None:
        self.by_organisation: dict[UUID, list[RetentionRule]] = {}
        rules = RetentionRule.objects.filter(record_type=record_type).prefetch_related(
            "partnership__organisations"
        )
        for rule in rules:
            for organisation in rule.partnership.organisations.all():
                self.by_organisation.setdefault(organisation.pk, []).append(rule)

    def organisations(self) -> list[UUID]:
        return list(self.by_organisation)

    def governing(self, organisation_ids: Iterable[UUID]) -> RetentionRule | None:
        return _governing(
            rule for pk in set(organisation_ids) for rule in self.by_organisation.get(pk, [])
        )


# Closed cases ------------------------------------------------------------------------------------


def _cases_with_notes() -> QuerySet[Case]:
    notes = Q(Exists(Contact.objects.filter(case_id=OuterRef("pk")).exclude(note=""))) | Q(
        Exists(CaseEvent.objects.filter(case_id=OuterRef("pk")).exclude(note=""))
    )
    return Case.objects.filter(notes, state=CaseState.CLOSED, closed_on__isnull=False)


def due_cases(today: date) -> Iterator[tuple[RetentionRule, UUID]]:
    """Each closed case whose notes are due for deletion (by id), with the rule that makes it
    due."""
    rules = _Rules(RecordType.CLOSED_CASES)
    candidates = (
        _cases_with_notes()
        .filter(organisation_id__in=rules.organisations())
        .exclude(Exists(_held()))
        .values_list("pk", "organisation_id", "closed_on")
        .order_by("closed_on", "pk")
    )
    for pk, organisation_id, closed_on in list(candidates):
        rule = rules.governing([organisation_id])
        if (
            rule is not None
            and closed_on is not None
            and closed_on <= years_before(today, rule.years)
        ):
            yield rule, pk


def _delete_case_notes(case_id: UUID) -> bool:
    """Blank the notes of the case and of its contacts, if it is still closed and not held."""
    case = (
        Case.objects.select_for_update()
        .filter(pk=case_id, state=CaseState.CLOSED)
        .exclude(Exists(_held()))
        .first()
    )
    if case is None:
        return False
    now = timezone.now()
    contacts = (
        Contact.objects.filter(case_id=case.pk).exclude(note="").update(note="", updated_at=now)
    )
    events = (
        CaseEvent.objects.filter(case_id=case.pk).exclude(note="").update(note="", updated_at=now)
    )
    return bool(contacts or events)


# People no longer supported ----------------------------------------------------------------------


@dataclass
class _Support:
    organisations: set[UUID] = field(default_factory=set)
    last_ended: date | None = None
    open: bool = False

    def ended(self, on: date | None) -> None:
        if on is None:
            self.open = True
        elif self.last_ended is None or on > self.last_ended:
            self.last_ended = on


def _support(person_ids: list[UUID], today: date) -> dict[UUID, _Support]:
    """Who supported each person, whether any support is still open, and when the last ended."""
    support: dict[UUID, _Support] = {pk: _Support() for pk in person_ids}
    for person_id, organisation_id, ended_on in WorkingRelationship.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "organisation_id", "ended_on"):
        support[person_id].organisations.add(organisation_id)
        support[person_id].ended(ended_on if ended_on is None or ended_on <= today else None)
    for person_id, organisation_id, state, closed_on in Case.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "organisation_id", "state", "closed_on"):
        support[person_id].organisations.add(organisation_id)
        support[person_id].ended(closed_on if state == CaseState.CLOSED else None)
    for person_id, referring, receiving, state, ended_at, updated_at in Referral.objects.filter(
        person_id__in=person_ids
    ).values_list(
        "person_id",
        "referring_organisation_id",
        "service__organisation_id",
        "state",
        "ended_at",
        "updated_at",
    ):
        support[person_id].organisations.update({referring, receiving})
        if state in LIVE_STATES:
            support[person_id].open = True
        else:
            support[person_id].ended(_day(ended_at or updated_at))
    return support


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _people_candidates(organisation_ids: list[UUID]) -> QuerySet[Person]:
    held_here = Q(
        Exists(
            WorkingRelationship.objects.filter(
                person_id=OuterRef("pk"), organisation_id__in=organisation_ids
            )
        )
    ) | Q(
        Exists(Case.objects.filter(person_id=OuterRef("pk"), organisation_id__in=organisation_ids))
    )
    return (
        Person.objects.filter(held_here)
        .exclude(Exists(Anonymisation.objects.filter(person_id=OuterRef("pk"))))
        .exclude(Exists(LegalHold.objects.filter(person_id=OuterRef("pk"), lifted_at__isnull=True)))
        .exclude(
            Exists(
                WorkingRelationship.objects.filter(person_id=OuterRef("pk")).filter(
                    Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate())
                )
            )
        )
        .exclude(
            Exists(Case.objects.filter(person_id=OuterRef("pk")).exclude(state=CaseState.CLOSED))
        )
        .exclude(Exists(Referral.objects.filter(person_id=OuterRef("pk"), state__in=LIVE_STATES)))
    )


BATCH = 500


def due_people(today: date) -> Iterator[tuple[RetentionRule, UUID]]:
    """Each person due to be anonymised (by id), with the rule that makes them due."""
    rules = _Rules(RecordType.PEOPLE_NO_LONGER_SUPPORTED)
    ids = list(
        _people_candidates(rules.organisations()).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        for pk, support in _support(batch, today).items():
            if support.open or support.last_ended is None:
                continue
            rule = rules.governing(support.organisations)
            if rule is not None and support.last_ended <= years_before(today, rule.years):
                yield rule, pk


def _anonymise(person_id: UUID, today: date) -> bool:
    """Anonymise the person, if they are still due: names, other names, contact details,
    addresses, identifiers and the ids imports knew them by go; the year of birth and everything
    counted stays."""
    person = _people_candidates_any().select_for_update().filter(pk=person_id).first()
    if person is None or _support([person.pk], today)[person.pk].open:
        return False
    _anonymise_fields(person)
    person.save()
    PersonName.objects.filter(person_id=person.pk).delete()
    Identifier.objects.filter(person_id=person.pk).delete()
    Address.objects.filter(person_id=person.pk).delete()
    # An organisation's id for them in its own system would name them again, and an import of
    # that id would fill the record in again.
    SourceRecord.objects.filter(person_id=person.pk).delete()
    # A record merged into theirs keeps its own fields, and its merge a copy of them, to be put
    # back by an undo: both name the person too.
    for merge in PersonMerge.objects.filter(survivor_id=person.pk).select_related("merged"):
        _anonymise_fields(merge.merged)
        merge.merged.save()
        merge.person_fields = _anonymised_snapshot(merge.person_fields)
        merge.save(update_fields=["person_fields", "updated_at"])
    Anonymisation.objects.create(person_id=person.pk, anonymised_at=timezone.now())
    return True


BLANKED = (
    "middle_names",
    "preferred_name",
    "phone",
    "email",
    "gender_identity_description",
    "pronouns_description",
)


def _anonymise_fields(person: Person) -> None:
    person.given_name = ANONYMISED_GIVEN_NAME
    person.family_name = ANONYMISED_FAMILY_NAME
    for name in BLANKED:
        setattr(person, name, "")
    if person.date_of_birth is not None:
        person.date_of_birth = date(person.date_of_birth.year, 1, 1)


def _anonymised_snapshot(fields: dict) -> dict:
    """A merged record's saved fields (values as JSON), anonymised as the record is."""
    fields = {**fields, "given_name": ANONYMISED_GIVEN_NAME, "family_name": ANONYMISED_FAMILY_NAME}
    fields.update({name: "" for name in BLANKED if name in fields})
    born = fields.get("date_of_birth")
    if born:
        fields["date_of_birth"] = f"{str(born)[:4]}-01-01"
    return fields


def _people_candidates_any() -> QuerySet[Person]:
    """Not anonymised, not held, no open support: checked again inside the transaction."""
    return Person.objects.exclude(
        Exists(Anonymisation.objects.filter(person_id=OuterRef("pk")))
    ).exclude(Exists(LegalHold.objects.filter(person_id=OuterRef("pk"), lifted_at__isnull=True)))


# The run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleCount:
    rule: RetentionRule
    count: int


def preview(today: date | None = None) -> dict[UUID, int]:
    """How many records each rule (by id) would anonymise or delete today: a dry run."""
    today = today or timezone.localdate()
    counts: dict[UUID, int] = {}
    for rule, _pk in [*due_cases(today), *due_people(today)]:
        counts[rule.pk] = counts.get(rule.pk, 0) + 1
    return counts


def _count(entries: dict[UUID, ErasureLogEntry], rule: RetentionRule, ran_at: datetime) -> None:
    """Count one more record in the run's log entry for the rule (inside the record's
    transaction, so the log never says more or less than was done)."""
    entry = entries.get(rule.pk)
    if entry is None:
        entry = ErasureLogEntry.objects.create(
            ran_at=ran_at,
            partnership_id=rule.partnership_id,
            rule=rule,
            record_type=rule.record_type,
            action=rule.action,
            years=rule.years,
            count=1,
        )
        entries[rule.pk] = entry
    else:
        ErasureLogEntry.objects.filter(pk=entry.pk).update(count=F("count") + 1)


def apply_retention(today: date | None = None) -> dict[UUID, int]:
    """Anonymise or delete everything due today, each record in its own transaction, logging
    how many per rule. Returns the counts by rule id. Running it again does nothing more."""
    today = today or timezone.localdate()
    ran_at = timezone.now()
    entries: dict[UUID, ErasureLogEntry] = {}
    counts: dict[UUID, int] = {}
    for rule, pk in due_cases(today):
        with transaction.atomic():
            if rule.action == RetentionAction.DELETE_NOTES and _delete_case_notes(pk):
                _count(entries, rule, ran_at)
                counts[rule.pk] = counts.get(rule.pk, 0) + 1
    for rule, pk in due_people(today):
        with transaction.atomic():
            if rule.action == RetentionAction.ANONYMISE and _anonymise(pk, today):
                _count(entries, rule, ran_at)
                counts[rule.pk] = counts.get(rule.pk, 0) + 1
    return counts


def last_run() -> datetime | None:
    return ErasureLogEntry.objects.aggregate(last=Max("ran_at"))["last"]
