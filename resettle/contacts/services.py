"""Every write to contacts. A contact is recorded against a live case of the actor's own
organisation; the rules are checked and everything validated before anything is saved."""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import Contact, ContactOutcome
from resettle.core.exceptions import ApplicationError, PermissionDenied

CONTACT_FIELDS = frozenset(
    {
        "kind",
        "happened_at",
        "outcome",
        "cancelled_by",
        "duration_minutes",
        "pathways",
        "note",
        "sensitive",
    }
)
# What the audit trail keeps of a contact: the facts, never the note's words.
AUDITED_FIELDS = (
    "case",
    "kind",
    "happened_at",
    "outcome",
    "cancelled_by",
    "duration_minutes",
    "pathways",
    "sensitive",
)
# A contact a few minutes "in the future" is a phone's clock, not a mistake.
CLOCK_SLACK = timedelta(minutes=5)
CASE_CLOSED = "This case is closed. Reopen it before recording a contact on it."
NOT_YOURS = "You can record contacts only on a case of your organisation that you work on."


def _rule_errors(case: Case, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    happened_at: datetime | None = data.get("happened_at")
    if happened_at is not None:
        if happened_at > timezone.now() + CLOCK_SLACK:
            errors["happened_at"] = ["The date of the contact must be today or in the past"]
        elif timezone.localdate(happened_at) < case.opened_on:
            errors["happened_at"] = [
                "The date of the contact must be on or after the case opened, "
                f"{case.opened_on:%-d %B %Y}"
            ]
    outcome = data.get("outcome")
    cancelled_by = data.get("cancelled_by") or ""
    if outcome == ContactOutcome.CANCELLED and not cancelled_by:
        errors["cancelled_by"] = ["Select who cancelled the contact"]
    if outcome != ContactOutcome.CANCELLED and cancelled_by:
        errors["cancelled_by"] = ["Say who cancelled only when the contact was cancelled"]
    if outcome != ContactOutcome.ATTENDED and data.get("duration_minutes"):
        errors["duration_minutes"] = ["Give a duration only for a contact that took place"]
    return errors


@transaction.atomic
def contact_record(
    *,
    actor: Membership,
    case: Case,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Contact:
    """Record one contact on the case. A closed case must be reopened first (422)."""
    if not policy.can_record_contact(actor, case):
        raise PermissionDenied(NOT_YOURS)
    unknown = sorted(set(data) - CONTACT_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})
    # Lock the case so it cannot be closed while the contact is being saved.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state == CaseState.CLOSED:
        raise ApplicationError(CASE_CLOSED)
    data = {**data, "cancelled_by": data.get("cancelled_by") or ""}
    contact = Contact(
        person_id=case.person_id,
        case=case,
        organisation_id=actor.organisation_id,
        recorded_by=actor.user,
        **data,
    )
    errors: dict[str, list[str]] = {}
    try:
        contact.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    for field, messages in _rule_errors(case, data).items():
        errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)
    contact.save()
    values = {name: getattr(contact, name) for name in AUDITED_FIELDS if name != "case"}
    values["case"] = case.pk
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.CREATE,
                object_type="contact",
                object_id=str(contact.pk),
                person_id=case.person_id,
                category=Category.CASE_NOTES,
                changes=diff({}, values),
            )
        ],
    )
    return contact


def recordable_cases(actor: Membership | None, person) -> list[Case]:
    """The person's live cases the actor may record contacts on (their organisation's)."""
    cases = policy.cases_for_person(actor, person).exclude(state=CaseState.CLOSED)
    return [
        case for case in cases.select_related("person") if policy.can_record_contact(actor, case)
    ]
