"""Reads of people's consents. A consent is visible to whoever may see the person's record;
whether it opens any data is decided by `resettle.access.policy`, never here."""

from datetime import date

from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from resettle.access import policy
from resettle.accounts.models import Membership, Organisation
from resettle.consent.models import Consent
from resettle.people.models import Person

# How consents are named in the audit trail (`AuditEvent.object_type`).
AUDIT_OBJECT_TYPE = "consent"


class ConsentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


def _with_status(consents: QuerySet[Consent], on: date) -> QuerySet[Consent]:
    """Each consent's status on `on`, by the same dates as the policy's "current consent"
    (withdrawal wins over expiry), and a rank that puts current consents first."""
    withdrawn = Q(withdrawn_on__isnull=False, withdrawn_on__lte=on)
    expired = Q(expires_on__isnull=False, expires_on__lte=on)
    return consents.annotate(
        status=Case(
            When(withdrawn, then=Value(ConsentStatus.WITHDRAWN.value)),
            When(expired, then=Value(ConsentStatus.EXPIRED.value)),
            default=Value(ConsentStatus.CURRENT.value),
            output_field=models.CharField(),
        ),
        status_rank=Case(
            When(withdrawn | expired, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def consents_visible_to(actor: Membership | None, on: date | None = None) -> QuerySet[Consent]:
    """Consents of the people whose record the actor may open, with their status: current
    first, then newest given first."""
    return consents_shown(policy.consents_of_visible_people(actor), on)


def consents_shown(consents: QuerySet[Consent], on: date | None = None) -> QuerySet[Consent]:
    """Consents with their status on `on` and what their pages show, current first."""
    return (
        _with_status(consents, on or date.today())
        .select_related(
            "person",
            "recorded_by",
            "recorded_by_organisation",
            "withdrawn_recorded_by",
        )
        .prefetch_related("organisations")
        .order_by("status_rank", "-given_on", "-created_at", "pk")
    )


def consent_list(*, actor: Membership | None, person: Person | None = None) -> QuerySet[Consent]:
    consents = consents_visible_to(actor)
    if person is not None:
        consents = consents.filter(person=person)
    return consents


def organisations_to_name(*, actor: Membership | None) -> QuerySet[Organisation]:
    """Organisations a consent recorded by the actor may name: their own and their partners'."""
    return policy.organisations_visible_to(actor).order_by("name")
