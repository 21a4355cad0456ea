"""Recording and withdrawing a person's consent to share their information. Both are recorded in
the audit trail. A withdrawal is a date on the consent, never a deletion, and the access policy
reads consents afresh on every request, so it takes effect at once everywhere."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.consent.models import Consent, ConsentGivenBy
from resettle.consent.selectors import AUDIT_OBJECT_TYPE, organisations_to_name
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.people.models import Person


def _in_order(values: Iterable[str], choices: list[str]) -> list[str]:
    """Chosen values once each, in the order of the choices; unknown values are kept for
    `Consent.clean()` to refuse."""
    chosen = set(values)
    return [value for value in choices if value in chosen] + sorted(chosen - set(choices))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _record(
    actor: Membership,
    consent: Consent,
    changes: dict[str, list[str | None]],
    request: HttpRequest | None,
) -> None:
    record_event(
        actor=actor,
        action=AuditAction.CONSENT_CHANGE,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=consent.pk,
        person=consent.person,
        changes=changes,
        request=request,
    )


@transaction.atomic
def consent_record(
    *,
    actor: Membership,
    person: Person,
    categories: Iterable[str],
    organisation_kinds: Iterable[str] = (),
    organisation_ids: Iterable = (),
    method: str,
    given_by: str,
    given_by_name: str = "",
    given_on: date,
    expires_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record consent the person (or, for a child, someone with parental responsibility, or the
    child assessed as competent) gave to share these categories with these organisations."""
    if not policy.can_record_consent(actor, person):
        raise PermissionDenied("Your role cannot record consent for this person")
    consent = Consent(
        person=person,
        categories=_in_order(categories, Category.values),
        organisation_kinds=_in_order(organisation_kinds, OrganisationKind.values),
        method=method,
        given_by=given_by,
        # A name only goes with the answer that asks for one, so it cannot go stale.
        given_by_name=(given_by_name or "").strip() if given_by != ConsentGivenBy.PERSON else "",
        given_on=given_on,
        expires_on=expires_on,
        notes=(notes or "").strip(),
        recorded_by=actor.user,
        recorded_by_organisation=actor.organisation,
    )
    errors: dict[str, list[str]] = {}
    try:
        consent.full_clean(exclude=["recorded_by", "recorded_by_organisation"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wanted = set(organisation_ids)
    organisations = list(organisations_to_name(actor=actor).filter(pk__in=wanted))
    if len(organisations) != len(wanted):
        errors.setdefault("organisations", []).append("Choose organisations from your partnerships")
    if not consent.organisation_kinds and not wanted:
        errors.setdefault("organisation_kinds", []).append(
            "Choose at least one kind of organisation, or a named organisation, "
            "that the information may be shared with"
        )
    if errors:
        raise ValidationError(errors)
    consent.save()
    consent.organisations.set(organisations)
    snapshot = {
        "categories": ", ".join(consent.categories),
        "organisation_kinds": ", ".join(consent.organisation_kinds),
        "organisations": ", ".join(sorted(o.name for o in organisations)),
        "method": consent.method,
        "given_by": consent.given_by,
        "given_by_name": consent.given_by_name,
        "given_on": _iso(consent.given_on),
        "expires_on": _iso(consent.expires_on),
    }
    _record(actor, consent, diff({}, snapshot), request)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Membership, consent: Consent, request: HttpRequest | None = None
) -> Consent:
    """Record that consent was withdrawn today. From now on it covers nothing."""
    if not policy.can_record_consent(actor, consent.person):
        raise PermissionDenied("Your role cannot withdraw consent for this person")
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    today = date.today()
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        raise ApplicationError("This consent has already been withdrawn")
    if consent.expires_on is not None and consent.expires_on <= today:
        raise ApplicationError("This consent has already expired")
    before = consent.withdrawn_on
    consent.withdrawn_on = today
    consent.withdrawn_recorded_by = actor.user
    # Only the database's rules, not clean(): nothing about how consent was given (say the
    # person's recorded age has since changed) may ever stop someone withdrawing it.
    consent.validate_constraints()
    consent.save(update_fields=["withdrawn_on", "withdrawn_recorded_by", "updated_at"])
    _record(actor, consent, {"withdrawn_on": [_iso(before), _iso(today)]}, request)
    return consent
