"""Every write to a person's record. Each function takes the acting membership, checks the
access policy, validates everything before saving anything, and runs in one transaction."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest

from resettle.access import policy, registry
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.cases.models import Case, CaseState
from resettle.core.exceptions import PermissionDenied
from resettle.lib.identifiers import normalise_identifier
from resettle.mentoring.models import MentorAllocation
from resettle.people.categories import PERSON_FIELDS as FIELD_CATEGORIES
from resettle.people.choices import RELATIONSHIP_INVERSE, IdentifierScheme
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    PersonName,
    Relationship,
    WorkingRelationship,
)
from resettle.referrals.models import Referral, ReferralState
from resettle.registers.models import Enrolment, EnrolmentState

PERSON_FIELDS = frozenset(
    {
        "given_name",
        "middle_names",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "gender_identity",
        "gender_identity_description",
        "pronouns",
        "pronouns_description",
        "ethnicity",
        "disability",
        "phone",
        "email",
    }
)


def _check_fields(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _clean_identifiers(
    identifiers: dict[str, str], person: Person | None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Normalise each identifier; errors are keyed by scheme (`prison_number`, `crn`, ...).

    An empty value means "remove this identifier"."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for scheme, raw in identifiers.items():
        if scheme not in IdentifierScheme.values:
            errors[scheme] = ["This identifier scheme is not recognised"]
            continue
        if not (raw or "").strip():
            cleaned[scheme] = ""
            continue
        try:
            value = normalise_identifier(scheme, raw)
        except ValueError as exc:
            errors[scheme] = [str(exc)]
            continue
        taken = Identifier.objects.filter(scheme=scheme, value=value)
        if person is not None:
            taken = taken.exclude(person=person)
        if taken.exists():
            label = IdentifierScheme(scheme).label
            errors[scheme] = [f"This {label} is already recorded for another person"]
            continue
        cleaned[scheme] = value
    return cleaned, errors


def _save_identifiers(person: Person, identifiers: dict[str, str]) -> None:
    for scheme, value in identifiers.items():
        if value:
            Identifier.objects.update_or_create(
                person=person, scheme=scheme, defaults={"value": value}
            )
        else:
            Identifier.objects.filter(person=person, scheme=scheme).delete()


def _validate_person(person: Person, identifiers: dict[str, str] | None) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    existing = None if person._state.adding else person
    cleaned, identifier_errors = _clean_identifiers(identifiers or {}, existing)
    errors.update(identifier_errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _saving_identifiers(person: Person, identifiers: dict[str, str]) -> None:
    try:
        with transaction.atomic():
            _save_identifiers(person, identifiers)
    except IntegrityError as exc:
        # Someone else recorded the same identifier between our check and our save.
        raise ValidationError(
            {"identifiers": ["One of these identifiers was just recorded for another person"]}
        ) from exc


def _identifier(person: Person, scheme: str) -> str:
    found = person.identifiers.filter(scheme=scheme).first()
    return found.value if found else ""


def _audit(
    actor, action, record, person, category=Category.IDENTITY, changes=None, reason=""
) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type=type(record).__name__.lower(),
        object_id=record.pk,
        person=person,
        category=category,
        changes=changes,
        reason=reason,
    )


def _require_category(actor: Membership, person: Person, category: str) -> None:
    if not policy.can_view_category(actor, person, category):
        label = Category(category).label.lower()
        raise PermissionDenied(f"This person's {label} are not shared with your organisation")


def _require_field_categories(actor: Membership, person: Person, fields) -> None:
    """Changing a field needs its data category: what you may not read, you may not write."""
    for category in {FIELD_CATEGORIES[name] for name in fields} - {Category.IDENTITY}:
        _require_category(actor, person, category)


def _identifier_categories(schemes) -> set[str]:
    return {registry.identifier_category(s) for s in schemes if s in IdentifierScheme.values}


def _split_identifier_changes(changes: dict) -> tuple[dict, dict[str, dict]]:
    """Identifier changes of schemes beyond identity go in the audit trail under their own
    category, so a history shown to someone who may not see them never holds their values."""
    kept: dict[str, dict] = {}
    apart: dict[str, dict[str, dict]] = {}
    for name, change in changes.items():
        category = registry.IDENTIFIER_SCHEMES.get(name, Category.IDENTITY)
        if category == Category.IDENTITY:
            kept[name] = change
        else:
            apart.setdefault(category, {})[name] = change
    return kept, apart


@transaction.atomic
def person_create(
    *,
    actor: Membership,
    data: dict[str, Any],
    identifiers: dict[str, str] | None = None,
) -> Person:
    """Add a person; the actor's organisation starts working with them, so can see the record."""
    if not policy.can_create_person(actor):
        raise PermissionDenied("You cannot add people to Resettle in your role")
    _check_fields(data, PERSON_FIELDS)
    given_contact = any(data.get(f) for f in data if FIELD_CATEGORIES[f] == Category.CONTACT)
    if given_contact and Category.CONTACT not in policy.agreement_grants(actor):
        raise PermissionDenied("No sharing agreement lets your organisation hold contact details")
    given_schemes = [scheme for scheme, value in (identifiers or {}).items() if value]
    for category in _identifier_categories(given_schemes) - {Category.IDENTITY}:
        if category not in policy.agreement_grants(actor):
            label = Category(category).label.lower()
            raise PermissionDenied(f"No sharing agreement lets your organisation hold {label}")
    person = Person(**data, created_by=actor.user)
    cleaned = _validate_person(person, identifiers)
    person.save()
    _saving_identifiers(person, cleaned)
    WorkingRelationship.objects.create(
        person=person, organisation=actor.organisation, started_on=date.today()
    )
    _audit(actor, AuditAction.CREATE, person, person)
    return person


@transaction.atomic
def person_update(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    identifiers: dict[str, str] | None = None,
    reason: str = "",
) -> Person:
    """Change the person's details; `reason` (a correction's, say) goes in the audit trail with
    what changed, so the record's history says why."""
    if not policy.can_edit_person(actor, person):
        raise PermissionDenied("You cannot change this person's record")
    _check_fields(data, PERSON_FIELDS)
    _require_field_categories(actor, person, data)
    for category in _identifier_categories(identifiers or {}) - {Category.IDENTITY}:
        _require_category(actor, person, category)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = {name: getattr(person, name) for name in data}
    before |= {scheme: _identifier(person, scheme) for scheme in identifiers or {}}
    for name, value in data.items():
        setattr(person, name, value)
    cleaned = _validate_person(person, identifiers)
    person.save()
    _saving_identifiers(person, cleaned)
    changes = diff(before, {name: getattr(person, name) for name in data} | cleaned)
    changes, by_category = _split_identifier_changes(changes)
    if changes:
        _audit(actor, AuditAction.UPDATE, person, person, changes=changes, reason=reason)
    for category, apart in by_category.items():
        _audit(
            actor,
            AuditAction.UPDATE,
            person,
            person,
            category=category,
            changes=apart,
            reason=reason,
        )
    return person


@transaction.atomic
def person_name_add(
    *, actor: Membership, person: Person, kind: str, given_name: str, family_name: str
) -> PersonName:
    if not policy.can_edit_person(actor, person):
        raise PermissionDenied("You cannot change this person's record")
    name = PersonName(person=person, kind=kind, given_name=given_name, family_name=family_name)
    name.full_clean()
    name.save()
    _audit(actor, AuditAction.CREATE, name, person)
    return name


@transaction.atomic
def address_add(*, actor: Membership, person: Person, data: dict[str, Any]) -> Address:
    """Record a new address. The current one (if any) ends the day before the new one starts."""
    if not policy.can_edit_person(actor, person):
        raise PermissionDenied("You cannot change this person's record")
    _require_category(actor, person, Category.CONTACT)
    address = Address(person=person, **data)
    address.full_clean()
    if address.from_date:
        earlier = Q(from_date__lt=address.from_date) | Q(from_date__isnull=True)
        person.addresses.filter(earlier, to_date__isnull=True).update(
            to_date=address.from_date - timedelta(days=1)
        )
    address.save()
    _audit(actor, AuditAction.CREATE, address, person, category=Category.CONTACT)
    return address


def _visible_people(actor: Membership, ids: list) -> list[Person]:
    # Who lives with whom is family information.
    people = list(policy.people_with_category(actor, Category.FAMILY_CHILDREN).filter(pk__in=ids))
    if len(people) != len(set(ids)):
        raise ValidationError({"members": ["Choose people from your own caseload"]})
    return people


@transaction.atomic
def household_create(
    *, actor: Membership, name: str, notes: str = "", member_ids: list
) -> Household:
    """A household of people the actor can see; it needs at least one member."""
    if not policy.can_create_person(actor):
        raise PermissionDenied("You cannot record households in your role")
    if not member_ids:
        raise ValidationError(
            {"members": ["Choose at least one person who lives in the household"]}
        )
    members = _visible_people(actor, member_ids)
    household = Household(name=name, notes=notes)
    household.full_clean()
    household.save()
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, person=person, joined_on=date.today())
        for person in members
    )
    _audit(actor, AuditAction.CREATE, household, None, category=Category.FAMILY_CHILDREN)
    return household


@transaction.atomic
def household_update(*, actor: Membership, household: Household, data: dict[str, Any]) -> Household:
    visible = policy.households_visible_to(actor).filter(pk=household.pk).exists()
    if not visible or not policy.can_create_person(actor):
        raise PermissionDenied("You cannot change this household")
    _check_fields(data, frozenset({"name", "notes"}))
    before = {field: getattr(household, field) for field in data}
    for field, value in data.items():
        setattr(household, field, value)
    household.full_clean()
    household.save()
    changes = diff(before, data)
    if changes:
        _audit(actor, AuditAction.UPDATE, household, None, Category.FAMILY_CHILDREN, changes)
    return household


@transaction.atomic
def household_member_add(
    *, actor: Membership, household: Household, person: Person
) -> HouseholdMember:
    if not policy.can_edit_person(actor, person):
        raise PermissionDenied("You cannot change this person's record")
    _require_category(actor, person, Category.FAMILY_CHILDREN)
    if household.members.filter(person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": ["This person is already in the household"]})
    member = HouseholdMember.objects.create(
        household=household, person=person, joined_on=date.today()
    )
    _audit(actor, AuditAction.CREATE, member, person, category=Category.FAMILY_CHILDREN)
    return member


@transaction.atomic
def household_member_leave(
    *, actor: Membership, member: HouseholdMember, left_on: date
) -> HouseholdMember:
    """Mark someone as having left; the row stays, so the household's history is kept."""
    if not policy.can_edit_person(actor, member.person):
        raise PermissionDenied("You cannot change this person's record")
    _require_category(actor, member.person, Category.FAMILY_CHILDREN)
    if member.joined_on and left_on < member.joined_on:
        raise ValidationError(
            {"left_on": ["The date they left must be on or after the date they joined"]}
        )
    member.left_on = left_on
    member.save(update_fields=["left_on", "updated_at"])
    _audit(actor, AuditAction.STATE_CHANGE, member, member.person, Category.FAMILY_CHILDREN)
    return member


@transaction.atomic
def relationship_set(
    *,
    actor: Membership,
    person: Person,
    related_person: Person,
    kind: str,
    lives_with: bool = False,
    contact_wishes: str | None = None,
    notes: str = "",
) -> Relationship:
    """Record that `related_person` is the person's `kind`, and add the inverse link if missing.

    Contact wishes belong to `person`; the related person's own wishes are left as recorded."""
    if not policy.can_edit_person(actor, person):
        raise PermissionDenied("You cannot change this person's record")
    _require_category(actor, person, Category.FAMILY_CHILDREN)
    if not policy.can_view_person(actor, related_person):
        raise ValidationError({"related_person": ["Choose a person from your own caseload"]})
    relationship = Relationship.objects.filter(person=person, related_person=related_person).first()
    relationship = relationship or Relationship(person=person, related_person=related_person)
    relationship.kind = kind
    relationship.lives_with = lives_with
    if contact_wishes is not None:
        relationship.contact_wishes = contact_wishes
    relationship.notes = notes
    relationship.full_clean()
    relationship.save()
    inverse, created = Relationship.objects.get_or_create(
        person=related_person,
        related_person=person,
        defaults={"kind": RELATIONSHIP_INVERSE[kind], "lives_with": lives_with},
    )
    if not created and inverse.lives_with != lives_with:
        inverse.lives_with = lives_with
        inverse.save(update_fields=["lives_with", "updated_at"])
    _audit(actor, AuditAction.UPDATE, relationship, person, category=Category.FAMILY_CHILDREN)
    return relationship


# Working relationships ---------------------------------------------------------------------------


def working_relationship_end(
    *,
    actor: Membership,
    person_id: Any,
    organisation: Organisation,
    reason: str,
    request: HttpRequest | None = None,
) -> WorkingRelationship | None:
    """The organisation stops working with the person today, which closes their record to it
    (after any follow-up window an agreement gives), unless something else still holds the
    relationship: a live case there, an accepted or started referral to one of its services, a
    current mentoring allocation on its case, or a live enrolment in one of its services.
    Returns the relationship ended, if one was.

    Called by the services that end a piece of work (withdrawing, declining, completing or
    closing a referral, closing a case), inside their transaction, after their own change is
    saved."""
    relationship = (
        WorkingRelationship.objects.select_for_update(of=("self",))
        .filter(person_id=person_id, organisation=organisation, ended_on__isnull=True)
        .first()
    )
    if relationship is None or _relationship_held(person_id, organisation):
        return None
    relationship.ended_on = max(date.today(), relationship.started_on)
    relationship.save(update_fields=["ended_on", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="working_relationship",
        object_id=relationship.pk,
        person=None,
        reason=reason[:1000],
        changes={"ended_on": [None, relationship.ended_on.isoformat()]},
        request=request,
    )
    return relationship


def _relationship_held(person_id: Any, organisation: Organisation) -> bool:
    live_case = Case.objects.filter(person_id=person_id, organisation=organisation).exclude(
        state=CaseState.CLOSED
    )
    working_referral = Referral.objects.filter(
        person_id=person_id,
        service__organisation=organisation,
        state__in=(ReferralState.ACCEPTED, ReferralState.IN_PROGRESS),
    )
    mentoring = MentorAllocation.objects.filter(
        case__person_id=person_id, case__organisation=organisation, ended_on__isnull=True
    )
    enrolled = Enrolment.objects.filter(
        person_id=person_id, service__organisation=organisation, state=EnrolmentState.ENROLLED
    )
    return (
        live_case.exists() or working_referral.exists() or mentoring.exists() or enrolled.exists()
    )
