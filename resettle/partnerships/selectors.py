"""Reads about information-sharing agreements, for the organisation admins who manage them.

An admin sees every agreement of the partnerships their organisation belongs to (so they know
what their organisation receives and what others receive), and changes only the ones their
organisation owns. Whether anyone may see a person's data under an agreement is decided in
`resettle.access.policy`, never here.
"""

from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Organisation, OrganisationKind
from resettle.audit.models import AuditAction, AuditEvent
from resettle.partnerships.models import Partnership, SharingAgreement

# How agreements are named in the audit trail (`AuditEvent.object_type`).
AUDIT_OBJECT_TYPE = "sharing_agreement"

CATEGORY_LABELS = dict(Category.choices)
KIND_LABELS = dict(OrganisationKind.choices)


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    NOT_YET_IN_FORCE = "not_yet_in_force", "Not yet in force"
    ENDED = "ended", "Ended"


class _Status(TypedDict):
    status: str
    status_rank: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # An agreement with its status on a day and the rank lists sort it by (_with_status).
    AgreementWithStatus = WithAnnotations[SharingAgreement, _Status]


def _with_status(
    agreements: QuerySet[SharingAgreement], on: date
) -> "QuerySet[AgreementWithStatus]":
    """Each agreement's status on `on` (the same dates as the policy's "in force"), and a rank
    that lists agreements in force first, then those still to come, then ended ones."""
    ended = Q(ends_on__isnull=False, ends_on__lte=on)
    not_yet = Q(starts_on__gt=on)
    return agreements.annotate(
        status=Case(
            When(ended, then=Value(AgreementStatus.ENDED.value)),
            When(not_yet, then=Value(AgreementStatus.NOT_YET_IN_FORCE.value)),
            default=Value(AgreementStatus.IN_FORCE.value),
            output_field=models.CharField(),
        ),
        status_rank=Case(
            When(ended, then=Value(2)),
            When(not_yet, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def agreement_list(
    *, actor: Membership | None, status: str = "", on: date | None = None
) -> "QuerySet[AgreementWithStatus]":
    """In force first, then not yet in force, then ended; by title within each."""
    agreements = _with_status(policy.agreements_visible_to(actor), on or date.today())
    if status:
        agreements = agreements.filter(status=status)
    return (
        agreements.select_related("partnership", "owner")
        .prefetch_related("recipient_organisations")
        .order_by("status_rank", "title", "starts_on", "pk")
    )


def agreements_shown(agreements: QuerySet[SharingAgreement]) -> "QuerySet[AgreementWithStatus]":
    """Agreements with their status today and what their page shows."""
    return (
        _with_status(agreements, date.today())
        .select_related("partnership", "owner", "created_by")
        .prefetch_related("recipient_organisations")
    )


def agreement_history(*, agreement: SharingAgreement) -> QuerySet[AuditEvent]:
    """The agreement's changes from the audit trail, newest first. Callers have already got the
    agreement through `policy.get_agreement_for_actor`, so may see all of it."""
    return AuditEvent.objects.filter(
        action=AuditAction.AGREEMENT_CHANGE,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=str(agreement.pk),
    ).order_by("-id")


def partnerships_for_new_agreements(*, actor: Membership | None) -> QuerySet[Partnership]:
    if actor is None or not policy.can_manage_agreements(actor):
        return Partnership.objects.none()
    return Partnership.objects.filter(organisations=actor.organisation_id).order_by("name")


def recipient_choices(*, actor: Membership | None) -> QuerySet[Organisation]:
    """Organisations an agreement of the admin's partnerships may name as recipients."""
    partnerships = partnerships_for_new_agreements(actor=actor)
    return Organisation.objects.filter(partnerships__in=partnerships).distinct().order_by("name")


def category_labels(values: list[str]) -> list[str]:
    """Labels in the order `Category` lists them; a value no longer listed is shown as stored."""
    known = [label for value, label in Category.choices if value in values]
    return known + sorted(set(values) - set(CATEGORY_LABELS))


def kind_labels(values: list[str]) -> list[str]:
    known = [label for value, label in OrganisationKind.choices if value in values]
    return known + sorted(set(values) - set(KIND_LABELS))
