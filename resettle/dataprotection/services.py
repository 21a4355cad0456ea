"""Every write in data protection: asking for a subject access pack, building it (in the task
worker), downloading it, deleting packs past their 30 days, and correcting a person's record
with the reason for the correction. Asking, refusals and downloads are audited."""

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from resettle.access import policy
from resettle.access.rules import dataprotection as rules
from resettle.accounts.models import Membership, User
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.dataprotection import pack
from resettle.dataprotection.models import (
    ACTIONS_FOR,
    KEPT_FOR,
    LegalHold,
    RetentionRule,
    SubjectAccessExport,
    SubjectAccessState,
)
from resettle.partnerships.models import Partnership
from resettle.people import services as people_services
from resettle.people.models import Person

logger = logging.getLogger(__name__)

OBJECT = "subject_access_export"
ZIP = "application/zip"
NOT_LEAD = (
    "Only your organisation's data-protection lead can make a subject access pack, and only "
    "for someone your organisation holds records about."
)
NOT_READY = "The pack is not ready yet."
DELETED = (
    "This pack was deleted 30 days after it was made, as every pack is. Ask for a new one if "
    "you still need it."
)
LEFT = "The person who asked for this pack is no longer the organisation's data-protection lead."
FAILED = "The pack could not be built. Ask for it again; if it fails again, tell your support team."
NO_REASON = "Say why the record is being corrected"
NOTHING_CHANGED = "Nothing has changed: correct at least one detail, or cancel"
REASON_LENGTH = 500


# Subject access --------------------------------------------------------------------------------


def subject_access_check(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> None:
    """Refuse (audited, with the person's record) anyone but the organisation's data-protection
    lead, for someone it holds records about."""
    if policy.can_make_subject_access_export(actor, person):
        return
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=OBJECT,
        object_id=person.pk,
        person=person,
        reason="Refused: a subject access pack asked for by someone who is not the "
        "organisation's data-protection lead",
        request=request,
    )
    raise PermissionDenied(NOT_LEAD)


def subject_access_export_request(
    *, actor: Membership, person: Person, request: HttpRequest | None = None
) -> SubjectAccessExport:
    """Ask the task worker for the person's pack (refused and audited for anyone but the
    data-protection lead). Packs past their 30 days are deleted on the way."""
    subject_access_check(actor=actor, person=person, request=request)
    with transaction.atomic():
        export = SubjectAccessExport(
            organisation_id=actor.organisation_id, person=person, requested_by=actor.user
        )
        export.full_clean()
        export.save()
        record_event(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=OBJECT,
            object_id=export.pk,
            person=person,
            reason="Subject access pack asked for",
            request=request,
        )
        from resettle.dataprotection.tasks import (  # the task module imports this one
            build_subject_access_export,
            delete_expired_subject_access_exports,
        )

        export_id = str(export.pk)
        transaction.on_commit(lambda: build_subject_access_export.enqueue(export_id=export_id))
        transaction.on_commit(delete_expired_subject_access_exports.enqueue)
    return export


def _progress(export: SubjectAccessExport, percent: int) -> None:
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        progress=min(percent, 99), updated_at=timezone.now()
    )


def _acting_for(export: SubjectAccessExport) -> Membership | None:
    """The requester's current membership of the organisation that may still ask for the pack."""
    today = date.today()
    memberships = Membership.objects.filter(
        user_id=export.requested_by_id, organisation_id=export.organisation_id
    ).select_related("organisation", "user")
    for membership in memberships:
        if policy.is_current(membership, today) and policy.can_make_subject_access_export(
            membership, export.person
        ):
            return membership
    return None


def _fail(export: SubjectAccessExport, error: str) -> SubjectAccessExport:
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        state=SubjectAccessState.FAILED, error=error[:500], finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def subject_access_export_build(*, export_id: UUID | str) -> SubjectAccessExport:
    """Build the pack (run by the task worker) as the lead who asked for it: whether they may
    is checked again, since they may have stepped down meanwhile."""
    export = SubjectAccessExport.objects.select_related("person", "requested_by").get(pk=export_id)
    if export.state != SubjectAccessState.QUEUED:
        return export
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        state=SubjectAccessState.RUNNING, progress=5
    )
    actor = _acting_for(export)
    if actor is None:
        return _fail(export, LEFT)
    person = export.person
    try:
        built = pack.build(
            scope=policy.subject_access_scope(actor, person),
            person=person,
            requested_by=_name(actor.user),
            progress=lambda percent: _progress(export, 5 + percent),
        )
        content = pack.archive(built)
    except Exception:
        # Left running, the status page would wait for ever; the worker's log has the detail.
        logger.exception("Subject access pack %s could not be built", export.pk)
        return _fail(export, FAILED)
    now = timezone.now()
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        state=SubjectAccessState.DONE,
        progress=100,
        file_name=f"subject-access-{slugify(person.full_name)}-{date.today():%Y-%m-%d}.zip",
        content=content,
        finished_at=now,
        expires_at=now + KEPT_FOR,
    )
    export.refresh_from_db()
    return export


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def is_expired(export: SubjectAccessExport) -> bool:
    return export.state == SubjectAccessState.DELETED or (
        export.expires_at is not None and export.expires_at <= timezone.now()
    )


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    file_name: str


def subject_access_export_download(
    *,
    actor: Membership,
    export: SubjectAccessExport,
    request: HttpRequest | None = None,
) -> Download:
    """Hand over a finished pack: refused after its 30 days (and its content deleted then, if
    the nightly sweep has not yet), and every download audited in the person's trail."""
    subject_access_check(actor=actor, person=export.person, request=request)
    if is_expired(export):
        delete_expired_subject_access_exports()
        raise ApplicationError(DELETED)
    if export.state != SubjectAccessState.DONE:
        raise ApplicationError(NOT_READY)
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=OBJECT,
        object_id=export.pk,
        person=export.person,
        reason=f"Downloaded {export.file_name} (subject access pack)",
        request=request,
    )
    return Download(bytes(export.content), ZIP, export.file_name)


def delete_expired_subject_access_exports() -> int:
    """Delete the content of every pack past its 30 days; the row stays, saying when it was
    made, by whom and when it was deleted. Returns how many were deleted."""
    now = timezone.now()
    return SubjectAccessExport.objects.filter(
        state=SubjectAccessState.DONE, expires_at__lte=now
    ).update(state=SubjectAccessState.DELETED, content=b"", deleted_at=now, updated_at=now)


# Rectification ---------------------------------------------------------------------------------


def person_correct(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    identifiers: dict[str, str] | None = None,
    reason: str,
) -> Person:
    """Correct the person's details (their right to rectification): the change is made as any
    change is, and the audit trail keeps what it was, what it became, who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": NO_REASON})
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": f"The reason must be {REASON_LENGTH} characters or fewer"})
    before = {name: getattr(person, name) for name in data}
    before |= {
        scheme: person.identifiers.filter(scheme=scheme).values_list("value", flat=True).first()
        or ""
        for scheme in identifiers or {}
    }
    if not diff(before, {**data, **(identifiers or {})}):
        raise ValidationError(NOTHING_CHANGED)
    return people_services.person_update(
        actor=actor, person=person, data=data, identifiers=identifiers, reason=reason
    )


# Retention and legal holds -----------------------------------------------------------------------

RETENTION_OBJECT = "retention_rule"
HOLD_OBJECT = "legal_hold"
NOT_RETENTION_LEAD = (
    "Only the data-protection lead of an organisation in the partnership can set its retention "
    "schedule."
)
NOT_HOLD_LEAD = (
    "Only your organisation's data-protection lead can place or lift a legal hold, and only on "
    "someone your organisation holds records about."
)
HOLD_LIFTED = "This legal hold has already been lifted."


@transaction.atomic
def retention_rule_set(
    *,
    actor: Membership,
    partnership: Partnership,
    record_type: str,
    years: int,
    request: HttpRequest | None = None,
) -> RetentionRule:
    """Set how long the partnership keeps one type of record (the action follows from the
    type). Audited with what it was and what it became."""
    if not rules.can_set_retention(actor, partnership):
        raise PermissionDenied(NOT_RETENTION_LEAD)
    actions = ACTIONS_FOR.get(record_type)
    if not actions:
        raise ValidationError({"record_type": "Choose a type of record"})
    rule = (
        RetentionRule.objects.select_for_update()
        .filter(partnership=partnership, record_type=record_type)
        .first()
    )
    before: dict[str, Any] = {"years": None, "action": None}
    if rule is None:
        rule = RetentionRule(partnership=partnership, record_type=record_type)
    else:
        before = {"years": rule.years, "action": rule.action}
    rule.years = years
    rule.action = actions[0]
    rule.set_by = actor.user
    rule.full_clean(validate_constraints=False)
    changes = diff(before, {"years": rule.years, "action": rule.action})
    created = rule._state.adding
    rule.save()
    if changes or created:
        record_event(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type=RETENTION_OBJECT,
            object_id=rule.pk,
            reason=f"Retention for {rule.get_record_type_display().lower()} in "
            f"{partnership.name}: {rule.years} years",
            changes=changes,
            request=request,
        )
    return rule


@transaction.atomic
def legal_hold_place(
    *, actor: Membership, person: Person, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """Stop retention anonymising or deleting the person's records until the hold is lifted."""
    if not policy.can_make_subject_access_export(actor, person):
        raise PermissionDenied(NOT_HOLD_LEAD)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the records must be kept"})
    hold = LegalHold(
        person=person, organisation_id=actor.organisation_id, reason=reason, set_by=actor.user
    )
    hold.full_clean()
    hold.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=HOLD_OBJECT,
        object_id=hold.pk,
        person=person,
        reason=f"Legal hold placed: {reason}",
        request=request,
    )
    return hold


@transaction.atomic
def legal_hold_lift(
    *, actor: Membership, hold: LegalHold, request: HttpRequest | None = None
) -> LegalHold:
    """Lift a hold the actor's organisation placed: retention applies again from the next run."""
    if not rules.can_lift_legal_hold(actor, hold):
        raise PermissionDenied(NOT_HOLD_LEAD)
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise ApplicationError(HOLD_LIFTED)
    locked.lifted_at = timezone.now()
    locked.lifted_by = actor.user
    locked.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=HOLD_OBJECT,
        object_id=locked.pk,
        person=locked.person,
        reason="Legal hold lifted",
        request=request,
    )
    return locked
