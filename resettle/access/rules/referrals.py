"""Referrals, waiting lists and signposting."""

from django.db.models import Q, QuerySet

from resettle.access.categories import WITH_WORKING_RELATIONSHIP, Category
from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_view_case_records,
    can_view_person,
    categories_by_agreement,
    categories_visible,
    get_or_404,
    people_visible_to,
    people_with_category,
)
from resettle.accounts.models import Role
from resettle.directory.models import Service
from resettle.people.models import Person
from resettle.referrals.models import LIVE_STATES, Referral, ReferralState, Signposting

# Referrals --------------------------------------------------------------------------------------
#
# The referring organisation sees the referrals it sent about people it may see; the receiving
# organisation (the service's) sees those submitted to it. Until it accepts, the receiving
# organisation sees the person only through the referral: their identity and the categories the
# agreements and consent allow, narrowed to what the person agreed to share with the referral.
# Accepting creates the working relationship that opens the person's record.

REFERRAL_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})


def can_refer(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in REFERRAL_ROLES and can_view_person(actor, person)


def referrals_visible_to(actor: Actor) -> QuerySet[Referral]:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Referral.objects.none()
    sent = Q(referring_organisation_id=staff.organisation_id) & about(people_visible_to(actor))
    if staff.role == Role.PEER_MENTOR:
        # A mentor follows the referrals about their own mentees, whoever sent them.
        return Referral.objects.filter(
            about(people_visible_to(actor)) & (sent | ~Q(state=ReferralState.DRAFT))
        )
    received = Q(service__organisation_id=staff.organisation_id) & ~Q(state=ReferralState.DRAFT)
    return Referral.objects.filter(sent | received)


def referrals_received_by(actor: Actor) -> QuerySet[Referral]:
    """The received box: referrals_visible_to narrowed to the actor's organisation's services,
    without the OR, so the database can read them through the service index."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Referral.objects.none()
    received = Referral.objects.filter(service__organisation_id=staff.organisation_id).exclude(
        state=ReferralState.DRAFT
    )
    if staff.role == Role.PEER_MENTOR:
        received = received.filter(about(people_visible_to(actor)))
    return received


def referrals_sent_by(actor: Actor) -> QuerySet[Referral]:
    """The sent box: referrals_visible_to narrowed to the actor's organisation's referrals."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Referral.objects.none()
    return Referral.objects.filter(
        about(people_visible_to(actor)), referring_organisation_id=staff.organisation_id
    )


def get_referral_for_actor(actor: Actor, referral_id) -> Referral:
    return get_or_404(
        referrals_visible_to(actor).select_related("service", "person"), referral_id, "referral"
    )


def is_referral_sender(actor: Actor, referral: Referral) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in REFERRAL_ROLES
        and staff.organisation_id == referral.referring_organisation_id
    )


def is_referral_receiver(actor: Actor, referral: Referral) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in REFERRAL_ROLES
        and staff.organisation_id == referral.service.organisation_id
    )


def can_edit_referral(actor: Actor, referral: Referral) -> bool:
    """Change, submit or withdraw: the referring organisation's staff who see the person."""
    return is_referral_sender(actor, referral) and can_view_person(actor, referral.person)


def can_decide_referral(actor: Actor, referral: Referral) -> bool:
    """Accept, decline, waiting list, start, complete, close: the receiving organisation."""
    return is_referral_receiver(actor, referral) and referral.state != ReferralState.DRAFT


def referral_categories_visible(actor: Actor, referral: Referral) -> frozenset[str]:
    """What of the referred person's record the actor may read on the referral."""
    person = referral.person
    if can_view_person(actor, person):
        return categories_visible(actor, person)
    if not (is_referral_receiver(actor, referral) and referral.state in LIVE_STATES):
        return frozenset()
    agreed = set(referral.shared_categories) | set(WITH_WORKING_RELATIONSHIP)
    return frozenset(categories_by_agreement(actor, person) & agreed)


# Waiting lists and signposting ----------------------------------------------------------------


def can_view_waiting_list(actor: Actor, service: Service) -> bool:
    """A service's waiting list is for its own organisation's referral staff to manage."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in REFERRAL_ROLES
        and staff.organisation_id == service.organisation_id
    )


def can_move_on_waiting_list(actor: Actor, referral: Referral) -> bool:
    """Moving a referral up or down by hand: whoever manages its service's list (while it is
    on it, which the move checks as a state, not a permission)."""
    return can_view_waiting_list(actor, referral.service)


def signpostings_visible_to(actor: Actor) -> QuerySet:
    """Signposting is casework: an organisation sees its own about the people it may see, and
    others' as case notes, under the agreements and consent."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Signposting.objects.none()
    own = Q(organisation_id=staff.organisation_id) & about(people_visible_to(actor))
    shared = about(people_with_category(actor, Category.CASE_NOTES))
    return Signposting.objects.filter(own | shared)


def may_follow_up(actor: Actor, signposting: Signposting) -> bool:
    """Recording what came of a signposting: the organisation that signposted, while it may
    still refer the person."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and signposting.organisation_id == staff.organisation_id
        and can_refer(actor, signposting.person)
    )
