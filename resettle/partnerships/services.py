"""Every write to an information-sharing agreement. Only an admin of the organisation that owns
an agreement changes it; each change is validated whole, saved in one transaction and recorded
in the audit trail with what changed. Agreements are never deleted: ending one keeps its history.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import NEVER_SHARED_BEYOND, Category
from resettle.accounts.models import Membership, OrganisationKind, Role
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.services import notify
from resettle.partnerships.models import Partnership, PermittedExport, SharingAgreement
from resettle.partnerships.selectors import AUDIT_OBJECT_TYPE

# What an agreement's `data` may hold; the partnership and named recipients go separately.
AGREEMENT_FIELDS = (
    "title",
    "document_reference",
    "purpose",
    "lawful_basis",
    "categories",
    "recipient_kinds",
    "starts_on",
    "ends_on",
    "covers_children",
    "follow_up_days",
    "permitted_exports",
    "evaluator",
)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data).difference(AGREEMENT_FIELDS))
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _in_order(values: Iterable[str], choices: list[str]) -> list[str]:
    """Chosen values once each, in the order of the choices, so that the same choice is always
    stored (and audited) the same way; unknown values are kept for `clean()` to refuse."""
    chosen = set(values)
    return [value for value in choices if value in chosen] + sorted(chosen - set(choices))


def _validate(agreement: SharingAgreement, recipient_ids: list) -> list:
    """Full validation, including the rules that need other records: recipients named must be
    in the agreement's partnership, and named organisations obey the hard limits as kinds do."""
    errors: dict[str, list[str]] = {}
    try:
        agreement.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    members = agreement.partnership.organisations.filter(pk__in=recipient_ids)
    recipients = list(members)
    if len(recipients) != len(set(recipient_ids)):
        errors.setdefault("recipient_organisations", []).append(
            "Choose organisations in this agreement's partnership"
        )
    if not agreement.recipient_kinds and not recipient_ids:
        errors.setdefault("recipient_kinds", []).append(
            "Choose at least one kind of organisation, or a named organisation, to share with"
        )
    for category, kinds in NEVER_SHARED_BEYOND.items():
        outside = [o.name for o in recipients if o.kind not in kinds]
        if category in agreement.categories and outside:
            allowed = ", ".join(OrganisationKind(k).label.lower() for k in sorted(kinds))
            errors.setdefault("recipient_organisations", []).append(
                f"{Category(category).label} can only be shared with {allowed}: "
                f"remove {', '.join(outside)}"
            )
    if errors:
        raise ValidationError(errors)
    return recipients


def _snapshot(agreement: SharingAgreement, recipients: Iterable) -> dict[str, Any]:
    """What the audit trail keeps of an agreement: every field, lists as text."""
    return {
        "title": agreement.title,
        "document_reference": agreement.document_reference,
        "purpose": agreement.purpose,
        "lawful_basis": agreement.lawful_basis,
        "categories": ", ".join(agreement.categories),
        "recipient_kinds": ", ".join(agreement.recipient_kinds),
        "recipient_organisations": ", ".join(sorted(o.name for o in recipients)),
        "starts_on": agreement.starts_on.isoformat() if agreement.starts_on else None,
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else None,
        "covers_children": "yes" if agreement.covers_children else "no",
        "follow_up_days": agreement.follow_up_days,
        "permitted_exports": ", ".join(agreement.permitted_exports),
        "evaluator": agreement.evaluator,
    }


def _record(
    actor: Membership,
    agreement: SharingAgreement,
    changes: dict[str, list[str | None]],
    request: HttpRequest | None,
) -> None:
    record_event(
        actor=actor,
        action=AuditAction.AGREEMENT_CHANGE,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=agreement.pk,
        changes=changes,
        request=request,
    )
    # The partnership's other organisations are told: what they receive may have changed.
    admins = Membership.objects.filter(
        organisation__partnerships=agreement.partnership_id,
        role=Role.ORGANISATION_ADMIN,
        ended_on__isnull=True,
    ).exclude(organisation_id=agreement.owner_id)
    notify(
        recipients=[m.user for m in admins.select_related("user")],
        organisation=agreement.owner,
        subject=f"Sharing agreement changed: {agreement.title}",
        body="Changed: " + ", ".join(sorted(changes)) + ".",
    )


def _apply(agreement: SharingAgreement, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name == "categories":
            value = _in_order(value, Category.values)
        elif name == "recipient_kinds":
            value = _in_order(value, OrganisationKind.values)
        elif name == "permitted_exports":
            value = _in_order(value, PermittedExport.values)
        elif isinstance(value, str):
            value = value.strip()
        setattr(agreement, name, value)


@transaction.atomic
def agreement_create(
    *,
    actor: Membership,
    partnership: Partnership,
    data: dict[str, Any],
    recipient_organisation_ids: Iterable = (),
    request: HttpRequest | None = None,
) -> SharingAgreement:
    """A new agreement in one of the admin's partnerships, owned by the admin's organisation."""
    if not policy.can_manage_agreements(actor):
        raise PermissionDenied("Only an organisation admin can make sharing agreements")
    if not partnership.organisations.filter(pk=actor.organisation_id).exists():
        raise PermissionDenied("Your organisation is not in this partnership")
    _check_fields(data)
    agreement = SharingAgreement(
        partnership=partnership, owner=actor.organisation, created_by=actor.user
    )
    _apply(agreement, data)
    recipient_ids = list(recipient_organisation_ids)
    recipients = _validate(agreement, recipient_ids)
    agreement.save()
    agreement.recipient_organisations.set(recipients)
    _record(actor, agreement, diff({}, _snapshot(agreement, recipients)), request)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    actor: Membership,
    agreement: SharingAgreement,
    data: dict[str, Any],
    recipient_organisation_ids: Iterable | None = None,
    request: HttpRequest | None = None,
) -> SharingAgreement:
    """Change some of an agreement's terms; `recipient_organisation_ids`, when given, replaces
    the named recipients. The partnership and owner never change."""
    if not policy.can_change_agreement(actor, agreement):
        raise PermissionDenied("Only an admin of the organisation that owns it can change it")
    _check_fields(data)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    before_recipients = list(agreement.recipient_organisations.all())
    before = _snapshot(agreement, before_recipients)
    _apply(agreement, data)
    if recipient_organisation_ids is None:
        recipient_ids = [o.pk for o in before_recipients]
    else:
        recipient_ids = list(recipient_organisation_ids)
    recipients = _validate(agreement, recipient_ids)
    changes = diff(before, _snapshot(agreement, recipients))
    if changes:
        agreement.save()
        agreement.recipient_organisations.set(recipients)
        _record(actor, agreement, changes, request)
    return agreement


@transaction.atomic
def agreement_end(
    *, actor: Membership, agreement: SharingAgreement, request: HttpRequest | None = None
) -> SharingAgreement:
    """End the agreement today: from today it gives no one access. It is kept, with its history."""
    if not policy.can_change_agreement(actor, agreement):
        raise PermissionDenied("Only an admin of the organisation that owns it can end it")
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    today = date.today()
    if agreement.ends_on is not None and agreement.ends_on <= today:
        raise ValidationError("This agreement has already ended")
    if agreement.starts_on >= today:
        # An agreement ends after it starts (a database rule), so one that has not yet been in
        # force for a day cannot end today; moving its dates is the way to stop it.
        raise ValidationError(
            "This agreement has not been in force yet, so it cannot be ended. "
            "Change its start or end date instead."
        )
    before = agreement.ends_on
    agreement.ends_on = today
    # Only the database's rules, not clean(): terms that no longer pass today's checks must
    # never stop an agreement from being ended.
    agreement.validate_constraints()
    agreement.save(update_fields=["ends_on", "updated_at"])
    _record(
        actor,
        agreement,
        {"ends_on": [before.isoformat() if before else None, today.isoformat()]},
        request,
    )
    return agreement
