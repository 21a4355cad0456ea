"""Data-protection duties (UK GDPR articles 15 and 16): who answers a subject access request
for their organisation, whose records the organisation holds, and what it holds of them.

A subject access request is answered per controller, and each organisation is one. So a pack
holds what the requesting organisation is answerable for: its own records about the person,
whatever their category (it made them), and what it may see today of everyone else's under the
sharing agreements and the person's consent, as one of its caseworkers would. Nobody's
break-glass widens it: that opens one user's view for a safeguarding reason, not the
organisation's holding.

Only a designated data-protection lead asks, for people their organisation holds records about:
anyone it works or worked with, and anyone it sent or received a referral about. A lead in an
aggregate role (an organisation admin) does not open people's records day to day, so finds the
person through the data-protection pages rather than the person's record."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from resettle.access.categories import Category
from resettle.access.core import (
    Access,
    Actor,
    acting_staff,
    get_or_404,
    get_person_for_actor,
)
from resettle.access.principals import StaffPrincipal
from resettle.accounts.models import Membership, Role
from resettle.dataprotection.models import (
    ErasureLogEntry,
    LegalHold,
    RetentionRule,
    SubjectAccessExport,
)
from resettle.partnerships.models import Partnership
from resettle.people.models import Person, WorkingRelationship
from resettle.referrals.models import Referral, ReferralState


def is_data_protection_lead(actor: Actor) -> bool:
    """A current member of staff their organisation has made its data-protection lead."""
    staff = acting_staff(actor)
    return staff is not None and staff.is_data_protection_lead


def people_held_by(actor: Actor) -> QuerySet[Person]:
    """The people the data-protection lead's organisation holds records about: everyone it
    works or has worked with, or has sent or received a referral about. Nobody for anyone
    else."""
    staff = acting_staff(actor)
    if staff is None or not staff.is_data_protection_lead:
        return Person.objects.none()
    organisation_id = staff.organisation_id
    worked_with = WorkingRelationship.objects.filter(
        organisation_id=organisation_id, person_id=OuterRef("pk")
    )
    referred = Referral.objects.filter(
        Q(referring_organisation_id=organisation_id)
        | (Q(service__organisation_id=organisation_id) & ~Q(state=ReferralState.DRAFT)),
        person_id=OuterRef("pk"),
    )
    return Person.objects.filter(Exists(worked_with) | Exists(referred))


def can_make_subject_access_export(actor: Actor, person: Person) -> bool:
    """Ask for, follow and download a person's subject access pack: the organisation's
    data-protection lead, for someone it holds records about."""
    return is_data_protection_lead(actor) and people_held_by(actor).filter(pk=person.pk).exists()


def get_person_for_subject_access(actor: Actor, person_id: Any) -> Person:
    """The person for the subject access pages: one whose records the data-protection lead's
    organisation holds, or one the actor may open anyway (who is then told why they may not
    ask). The same 404 as for no one otherwise."""
    if is_data_protection_lead(actor):
        held = people_held_by(actor).filter(pk__in=_ids(person_id))
        person = held.first()
        if person is not None:
            return person
    return get_person_for_actor(actor, person_id)


def _ids(person_id: Any) -> list[Any]:
    """`person_id` as a one-item list for `pk__in`, or none when it is not an id at all."""
    try:
        return [Person._meta.pk.to_python(person_id)]
    except (ValidationError, ValueError, TypeError):
        return []


def subject_access_exports_visible_to(actor: Actor) -> QuerySet[SubjectAccessExport]:
    """The organisation's packs, for its data-protection leads: any of them may pick up a
    request a colleague started."""
    staff = acting_staff(actor)
    if staff is None or not staff.is_data_protection_lead:
        return SubjectAccessExport.objects.none()
    return SubjectAccessExport.objects.filter(organisation_id=staff.organisation_id)


def get_subject_access_export_for_actor(
    actor: Actor, person: Person, export_id: Any
) -> SubjectAccessExport:
    """One of the person's packs, or the same 404 whether it does not exist, is another
    person's or is another organisation's."""
    return get_or_404(
        subject_access_exports_visible_to(actor).filter(person=person),
        export_id,
        "subject access export",
    )


# The organisation as a controller ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ControllerPrincipal(StaffPrincipal):
    """An organisation answering a subject access request: it sees a person as a caseworker of
    the organisation would today (its working relationships, the agreements, consent and the
    hard limits), and never through anyone's break-glass."""

    kind = "controller"

    def open_break_glass(self, person: Person) -> set[str]:
        return set()


@dataclass(frozen=True)
class SubjectAccessScope:
    """What one organisation answers for about one person.

    `controller`: the organisation's view, to ask the other rules with (what it may see of
    other organisations' records). `categories`: the categories of other organisations'
    records it may see now (identity always: its own records name the person). `working`:
    whether it works with the person now (or is within a follow-up window)."""

    organisation_id: Any
    organisation_name: str
    controller: Access
    categories: frozenset[str]
    working: bool


def subject_access_scope(
    actor: Actor, person: Person, on: date | None = None
) -> SubjectAccessScope:
    """The scope of the actor's organisation's answer about `person`. Only for a
    data-protection lead who may ask (a ValueError otherwise, as a programming error)."""
    staff = acting_staff(actor)
    if staff is None or not can_make_subject_access_export(actor, person):
        raise ValueError("Only the organisation's data-protection lead has a subject access scope")
    # Not saved: it stands for the organisation, acting in a caseworker's role, for this answer.
    stand_in = Membership(
        user_id=staff.user_id, organisation=staff.organisation, role=Role.CASEWORKER
    )
    controller = Access(ControllerPrincipal(stand_in))
    working = controller.can_view_person(person, on)
    categories = controller.categories(person, on) if working else frozenset()
    return SubjectAccessScope(
        organisation_id=staff.organisation_id,
        organisation_name=staff.organisation.name,
        controller=controller,
        categories=frozenset(categories) | {Category.IDENTITY},
        working=working,
    )


# Retention and legal holds -----------------------------------------------------------------------
#
# A partnership's retention schedule is set by the data-protection lead of any of its member
# organisations (each answers for its own records kept under it). A legal hold is placed on a
# person by a lead whose organisation holds records about them, and lifted by a lead of the
# organisation that placed it; every lead who may ask for the person's pack sees their holds.


def retention_partnerships(actor: Actor) -> QuerySet[Partnership]:
    """The partnerships whose retention schedule the actor sets: those of a data-protection
    lead's organisation. None for anyone else."""
    staff = acting_staff(actor)
    if staff is None or not staff.is_data_protection_lead:
        return Partnership.objects.none()
    return Partnership.objects.filter(organisations=staff.organisation_id)


def can_set_retention(actor: Actor, partnership: Partnership) -> bool:
    return retention_partnerships(actor).filter(pk=partnership.pk).exists()


def retention_rules_visible_to(actor: Actor) -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(partnership__in=retention_partnerships(actor))


def erasure_log_visible_to(actor: Actor) -> QuerySet[ErasureLogEntry]:
    return ErasureLogEntry.objects.filter(partnership__in=retention_partnerships(actor))


def legal_holds_visible_to(actor: Actor, person: Person) -> QuerySet[LegalHold]:
    """Every hold on the person, for a lead who may ask for their pack; none otherwise."""
    if not can_make_subject_access_export(actor, person):
        return LegalHold.objects.none()
    return LegalHold.objects.filter(person=person)


def can_lift_legal_hold(actor: Actor, hold: LegalHold) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and hold.organisation_id == staff.organisation_id
        and can_make_subject_access_export(actor, hold.person)
    )


def get_legal_hold_for_actor(actor: Actor, person: Person, hold_id: Any) -> LegalHold:
    """One of the person's holds, or the same 404 whether it does not exist or is another
    person's."""
    return get_or_404(legal_holds_visible_to(actor, person), hold_id, "legal hold")
