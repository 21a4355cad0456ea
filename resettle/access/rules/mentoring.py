"""Mentoring: mentor profiles, allocation and supervision notes."""

from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.db.models import QuerySet

from resettle.access.core import (
    Actor,
    acting_staff,
    can_view_person,
    get_or_404,
)
from resettle.access.core import as_is as _as_is
from resettle.accounts.models import Role
from resettle.mentoring.models import MentorProfile
from resettle.people.models import Person

# A mentor profile as a `shaped` queryset reads it (with annotations, say).
ShapedProfile = TypeVar("ShapedProfile", bound=MentorProfile)

# Mentoring --------------------------------------------------------------------------------------
#
# Mentor profiles, matching and allocation belong to the mentors' own organisation; its
# caseworkers, coordinators and admins manage them. A mentor sees their own profile. Supervision
# notes are about the mentor, not the mentee, and are never case notes.

MENTOR_MANAGER_ROLES = frozenset(
    {Role.CASEWORKER, Role.DELIVERY_COORDINATOR, Role.ORGANISATION_ADMIN}
)


def can_manage_mentors(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in MENTOR_MANAGER_ROLES


def mentor_profiles_visible_to(actor: Actor) -> QuerySet[MentorProfile]:
    staff = acting_staff(actor)
    if staff is None:
        return MentorProfile.objects.none()
    if staff.role in MENTOR_MANAGER_ROLES:
        return MentorProfile.objects.filter(organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        return MentorProfile.objects.filter(
            organisation_id=staff.organisation_id, user_id=staff.user_id
        )
    return MentorProfile.objects.none()


def can_allocate_mentor(actor: Actor, person: Person) -> bool:
    """Match and allocate a mentor from the actor's organisation to someone it works with."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in MENTOR_MANAGER_ROLES - {Role.ORGANISATION_ADMIN}
        and can_view_person(actor, person)
    )


# Mentoring: profiles, overrides and supervision notes -------------------------------------------
#
# A mentor's profile is changed by its organisation's managers. Allocating a mentor who is full or
# whose checks are out of date needs a manager's override, with a reason. Supervision notes are
# read and written by the mentor's organisation's managers; the mentor reads their own.

MENTOR_OVERRIDE_ROLES = frozenset({Role.ORGANISATION_ADMIN, Role.DELIVERY_COORDINATOR})


def can_view_mentor_profiles(actor: Actor) -> bool:
    """The mentor list: managers see their organisation's mentors, a mentor their own."""
    staff = acting_staff(actor)
    return can_manage_mentors(actor) or (staff is not None and staff.role == Role.PEER_MENTOR)


def can_edit_mentor_profile(actor: Actor, profile: MentorProfile) -> bool:
    staff = acting_staff(actor)
    return (
        can_manage_mentors(actor)
        and staff is not None
        and staff.organisation_id == profile.organisation_id
    )


def can_override_mentor_checks(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in MENTOR_OVERRIDE_ROLES


def can_read_supervision_notes(actor: Actor, profile: MentorProfile) -> bool:
    staff = acting_staff(actor)
    if not (staff is not None and staff.organisation_id == profile.organisation_id):
        return False
    if staff.role == Role.PEER_MENTOR:
        return profile.user_id == staff.user_id
    return staff.role in MENTOR_MANAGER_ROLES


def can_write_supervision_notes(actor: Actor, profile: MentorProfile) -> bool:
    return can_edit_mentor_profile(actor, profile)


@overload
def get_mentor_profile_for_actor(actor: Actor, profile_id: Any) -> MentorProfile: ...


@overload
def get_mentor_profile_for_actor(
    actor: Actor,
    profile_id: Any,
    *,
    shaped: Callable[[QuerySet[MentorProfile]], QuerySet[ShapedProfile]],
) -> ShapedProfile: ...


def get_mentor_profile_for_actor(
    actor: Actor,
    profile_id: Any,
    *,
    shaped: Callable[[QuerySet[MentorProfile]], QuerySet[MentorProfile]] = _as_is,
) -> MentorProfile:
    """The profile (read as `shaped` makes it), or the same 404 whether it does not exist or is
    not the actor's to see."""
    return get_or_404(shaped(mentor_profiles_visible_to(actor)), profile_id, "mentor")
