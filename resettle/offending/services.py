"""Every write to a person's offence and risk record. Each checks the rules, validates everything
before saving anything, records the audit trail under the offence category and runs in one
transaction.

Nothing is lost: a sentence and a licence condition are added, a risk assessment supersedes
the current one, and the two changes made in place, ending a licence condition and correcting a
sentence recorded wrongly, keep what it was in the audit trail's `changes` and are refused if the
record changed since the actor read it (`StaleRecord`: the API's 409)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.superseding import save_superseding
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.people.models import Person

SENTENCE = "sentence"
RISK_ASSESSMENT = "risk_assessment"
LICENCE_CONDITION = "licence_condition"
CANNOT_RECORD = (
    "Offence and risk are recorded by probation and the prison resettlement team, by someone "
    "working with the person who can see their offence record."
)

SENTENCE_FIELDS = frozenset(
    {
        "index_offence_category",
        "sentence_type",
        "length_months",
        "length_days",
        "sentenced_on",
        "court",
        "notes",
    }
)
RISK_FIELDS = frozenset({"assessed_on", "rosh_level", "mappa_category", "mappa_level", "notes"})
CONDITION_FIELDS = frozenset({"kind", "wording", "starts_on", "ends_on"})
FREE_TEXT = frozenset({"notes", "wording"})
CORRECTION_REASON_LENGTH = 500
# Set by the service, never by the data given: left out of the model's own checks.
RECORDED = ["person", "organisation", "recorded_by", "supersedes"]


class StaleRecord(ApplicationError):
    """Someone changed the record after the actor read it. `record` is as it is now."""

    def __init__(self, record: Sentence | LicenceCondition, what: str):
        super().__init__(
            f"Someone else changed this {what} while you were looking at it. Check it, then try "
            "again if you still need to."
        )
        self.record = record


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _check_recorder(actor: Membership, person: Person) -> None:
    if not policy.can_record_offending(actor, person):
        raise PermissionDenied(CANNOT_RECORD)


def _check_fields(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _errors(record: models.Model) -> dict[str, list[str]]:
    try:
        record.full_clean(exclude=RECORDED)
    except ValidationError as exc:
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {}


def _audited(record: models.Model, fields: frozenset[str]) -> dict[str, Any]:
    """The values the audit trail holds; free text only said to be there, never quoted: it
    stays in the record, where the rules on who may read it apply."""
    return {
        name: ("recorded" if getattr(record, name) else None)
        if name in FREE_TEXT
        else getattr(record, name)
        for name in sorted(fields)
    }


def _created(
    record: models.Model, person: Person, object_type: str, fields: frozenset[str]
) -> EventData:
    """The audit event of a new record, with the values it was given."""
    return EventData(
        action=AuditAction.CREATE,
        object_type=object_type,
        object_id=str(record.pk),
        person_id=person.pk,
        category=Category.OFFENCE,
        changes=diff({}, _audited(record, fields)),
    )


@transaction.atomic
def sentence_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Sentence:
    """Record a sentence. The latest by date of sentence is the current one; earlier ones stay
    as the person's history."""
    _check_recorder(actor, person)
    _check_fields(data, SENTENCE_FIELDS)
    sentence = Sentence(
        person=person, organisation=actor.organisation, recorded_by=actor.user, **data
    )
    errors = _errors(sentence)
    if errors:
        raise ValidationError(errors)
    sentence.save()
    record_events(
        actor=actor, events=[_created(sentence, person, SENTENCE, SENTENCE_FIELDS)], request=request
    )
    return sentence


@transaction.atomic
def sentence_correct(
    *,
    actor: Membership,
    sentence: Sentence,
    data: dict[str, Any],
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Sentence:
    """Put right a sentence recorded wrongly (a mistyped length, the wrong date). A new
    sentence is recorded as a new record instead; here the audit trail keeps what the record
    said before, and why it was corrected. `expected_version`, when given, is the one read."""
    _check_recorder(actor, sentence.person)
    _check_fields(data, SENTENCE_FIELDS)
    current = (
        Sentence.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=sentence.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleRecord(current, "sentence")
    before = {name: getattr(current, name) for name in SENTENCE_FIELDS}
    for name, value in data.items():
        setattr(current, name, value)
    errors = _errors(current)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the sentence is being corrected"]
    elif len(reason) > CORRECTION_REASON_LENGTH:
        errors["reason"] = [f"The reason must be {CORRECTION_REASON_LENGTH} characters or fewer"]
    if errors:
        raise ValidationError(errors)
    after = {name: getattr(current, name) for name in SENTENCE_FIELDS}
    changes = diff(
        {k: v for k, v in before.items() if k not in FREE_TEXT},
        {k: v for k, v in after.items() if k not in FREE_TEXT},
    )
    for name in FREE_TEXT & SENTENCE_FIELDS:
        if before[name] != after[name]:
            # Said to have changed (or been added or removed), never quoted.
            changes[name] = [
                "recorded" if before[name] else None,
                "changed" if after[name] else None,
            ]
    if not changes:
        return current
    changes["version"] = [str(current.version), str(current.version + 1)]
    current.version += 1
    current.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=SENTENCE,
                object_id=str(current.pk),
                person_id=current.person_id,
                category=Category.OFFENCE,
                reason=reason,
                changes=changes,
            )
        ],
    )
    return current


def _current_risk_assessment(person: Person) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(person=person, superseded_by__isnull=True).first()


@transaction.atomic
def risk_assessment_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Record RoSH and MAPPA as assessed now. It supersedes the current assessment, which is
    kept, unchanged, as history."""
    _check_recorder(actor, person)
    _check_fields(data, RISK_FIELDS)
    # One person's assessments are recorded one at a time, so two never supersede the same one
    # (the database refuses that too: `supersedes` is unique).
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = _current_risk_assessment(person)
    assessment = RiskAssessment(
        person=person,
        supersedes=current,
        organisation=actor.organisation,
        recorded_by=actor.user,
        **data,
    )
    save_superseding(assessment, current, what="a risk assessment", exclude=RECORDED)
    events = [_created(assessment, person, RISK_ASSESSMENT, RISK_FIELDS)]
    if current is not None:
        events.append(
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=RISK_ASSESSMENT,
                object_id=str(current.pk),
                person_id=person.pk,
                category=Category.OFFENCE,
                changes={"superseded_by": [None, str(assessment.pk)]},
            )
        )
    record_events(actor=actor, events=events, request=request)
    return assessment


@transaction.atomic
def licence_condition_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> LicenceCondition:
    """Record a licence condition from its start date (a release still to come, often), with
    an end date if one is already set."""
    _check_recorder(actor, person)
    _check_fields(data, CONDITION_FIELDS)
    condition = LicenceCondition(
        person=person, organisation=actor.organisation, recorded_by=actor.user, **data
    )
    errors = _errors(condition)
    if errors:
        raise ValidationError(errors)
    condition.save()
    record_events(
        actor=actor,
        events=[_created(condition, person, LICENCE_CONDITION, CONDITION_FIELDS)],
        request=request,
    )
    return condition


@transaction.atomic
def licence_condition_end(
    *,
    actor: Membership,
    condition: LicenceCondition,
    ends_on: date | None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> LicenceCondition:
    """End a licence condition on `ends_on`: it stays on the record, with its end date, as
    history. `expected_version`, when given, is the version the actor read."""
    person = condition.person
    _check_recorder(actor, person)
    current = (
        LicenceCondition.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=condition.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleRecord(current, "licence condition")
    if current.ends_on is not None:
        raise ApplicationError(
            f"This licence condition already has an end date, {_day(current.ends_on)}."
        )
    if ends_on is None:
        raise ValidationError({"ends_on": "Enter the date the condition ends"})
    if ends_on < current.starts_on:
        raise ValidationError(
            {"ends_on": f"The end date must be on or after the start, {_day(current.starts_on)}"}
        )
    before = {"ends_on": current.ends_on, "version": current.version}
    current.ends_on = ends_on
    current.version += 1
    current.full_clean(exclude=RECORDED)
    current.save(update_fields=["ends_on", "version", "updated_at"])
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=LICENCE_CONDITION,
                object_id=str(current.pk),
                person_id=person.pk,
                category=Category.OFFENCE,
                reason="Licence condition ended",
                changes=diff(before, {"ends_on": ends_on, "version": current.version}),
            )
        ],
    )
    return current
