"""The authorization matrix for the referrals routes: their decisions, and the records they need.

The rules, from the referral rules and DESIGN §4, not from the policy:
- Each scope's person has one submitted referral, sent by the organisation that works with them
  (the actor's own for own / shared / withdrawn) to the football trust's service. The referring
  organisation's case-level staff who see the person see it; the football trust's coordinator
  sees each one as the receiver (never drafts; these are submitted). The "other" person's is
  the hub's to its own service: nobody in the cast sends or receives it, so it is a 404 like a
  referral that does not exist. (A receiver that cannot yet open the person's record is
  covered by resettle/referrals/tests.)
- The referring side (caseworkers, referrers, coordinators of the sending organisation) submits
  and withdraws; the receiving side (the same roles at the football trust) accepts, declines,
  waits, starts, completes and closes. Peer mentors see referrals about their mentees but never
  act; aggregate roles (manager, analyst, admin) do not see referrals at all.
- A service's waiting list is for its own organisation's caseworkers, referrers and
  coordinators; other partners see the service (403), organisations outside the partnership do
  not (404).
"""

from datetime import date, timedelta

from django.utils import timezone

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import (
    CLOSED_CASE,
    COMPLETED_REFERRAL,
    ENDED,
    ENDED_REFERRAL,
    EXPIRED_FOLLOW_UP,
    OTHER,
    OWN,
    SHARED,
    WITHDRAWN,
    Records,
    World,
)
from resettle.accounts.models import Role
from resettle.directory.models import Access, Service
from resettle.referrals.models import Referral, ReferralState, Signposting

RECEIVER = "football_trust"
# The ended scopes' referral, from the hub to the actor's organisation, as the work ended.
ENDED_STATES = {
    ENDED_REFERRAL: ReferralState.WITHDRAWN,
    COMPLETED_REFERRAL: ReferralState.COMPLETED,
    CLOSED_CASE: ReferralState.COMPLETED,
    EXPIRED_FOLLOW_UP: ReferralState.CLOSED,
}
# Who refers and decides (a peer mentor follows referrals but does not act).
REFERRAL_ROLES = (Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR)
# Who sent each scope's referral, by organisation key (the hub sends the "other" person's).
SENDER_USER = {
    "probation_unit": "probation",
    "prison_team": "prison",
    "lead_charity": "caseworker",
    "mentoring_charity": "mentor",
    "football_trust": "coordinator",
    "family_charity": "family",
    "housing_provider": "housing",
    "outside_organisation": "outsider",
    "hub": "caseworker",
}


def _sender(actor: o.Actor, scope: str | None, world: World) -> bool:
    """The actor's organisation sent this scope's referral and works with the person."""
    return o.sees_person(actor, scope, world)


def _receiver(actor: o.Actor, scope: str | None, world: World) -> bool:
    """The football trust receives the live scopes' referrals; where the work has ended, the
    referral was the actor's own organisation's, received from the hub (the trust keeps what it
    received, whatever became of the work)."""
    if scope in ENDED:
        return actor.role in REFERRAL_ROLES
    return (
        scope in (OWN, SHARED, WITHDRAWN)
        and actor.organisation_key == RECEIVER
        and actor.role in REFERRAL_ROLES
    )


def _sees_referral(actor: o.Actor, scope: str | None, world: World) -> bool:
    return _sender(actor, scope, world) or _receiver(actor, scope, world)


visible = (_sees_referral, o.Outcome.NOT_FOUND)
refers = o.role_in(*REFERRAL_ROLES)
sending_side = (
    lambda actor, scope, world: actor.role in REFERRAL_ROLES and _sender(actor, scope, world),
    o.Outcome.FORBIDDEN,
)
receiving_side = (_receiver, o.Outcome.FORBIDDEN)
# The actor's own service (own, withdrawn, ended), a partner's (shared: visible, not theirs),
# or one of an organisation outside its partnerships (other: not visible).
service_seen = o.scope_in(OWN, WITHDRAWN, SHARED, *ENDED)
service_own = o.scope_in(OWN, WITHDRAWN, *ENDED, otherwise=o.Outcome.FORBIDDEN)


def _referral_detail() -> Decision:
    return Decision(o.signed_in(visible), about="referral")


def _page_action(side) -> Decision:
    return Decision(o.signed_in(visible, side), about="referral", methods=("GET", "POST"))


def _api_action(side, body=None) -> Decision:
    return Decision(o.signed_in(visible, side), about="referral", body=body or (lambda r: {}))


def _create_body(records: Records) -> dict:
    return {
        "person": str(records.person.pk),
        "service": str(records.referral_target.pk),
        "reason": "Matrix referral",
        "pathway": "sport",
    }


DECISIONS: dict[str, Decision] = {
    # Pages -------------------------------------------------------------------------------------
    "referrals:sent": Decision(o.signed_in(o.case_level())),
    "referrals:received": Decision(o.signed_in(o.case_level())),
    "referrals:detail": _referral_detail(),
    "referrals:edit": _page_action(sending_side),
    "referrals:submit": _page_action(sending_side),
    "referrals:withdraw": _page_action(sending_side),
    "referrals:accept": _page_action(receiving_side),
    "referrals:decline": _page_action(receiving_side),
    "referrals:waiting_list": _page_action(receiving_side),
    "referrals:start": _page_action(receiving_side),
    "referrals:complete": _page_action(receiving_side),
    "referrals:close": _page_action(receiving_side),
    # Moving by hand: the receiving side; a referral not on the list is refused as a state.
    "referrals:waiting_move_up": _page_action(receiving_side),
    "referrals:waiting_move_down": _page_action(receiving_side),
    "referrals:service_waiting_list": Decision(
        o.signed_in(service_seen, refers, service_own), about="referral_service"
    ),
    "referrals:person": Decision(o.person(), about="person"),
    "referrals:create": Decision(o.person(refers), about="person", methods=("GET", "POST")),
    "referrals:signpost": Decision(o.person(refers), about="person", methods=("GET", "POST")),
    "referrals:follow_up": Decision(o.person(refers), about="person", methods=("GET", "POST")),
    # API ---------------------------------------------------------------------------------------
    "GET /api/v1/referrals": Decision(o.signed_in()),
    "POST /api/v1/referrals": Decision(o.person(refers), about="person", body=_create_body),
    "GET /api/v1/referrals/waiting-list": Decision(
        o.signed_in(service_seen, refers, service_own),
        about="referral_service",
        query=lambda r: {"service": str(r.referral_service.pk)},
    ),
    "GET /api/v1/referrals/{referral_id}": _referral_detail(),
    "POST /api/v1/referrals/{referral_id}/submit": _api_action(sending_side),
    "POST /api/v1/referrals/{referral_id}/withdraw": _api_action(
        sending_side, lambda r: {"reason": "Matrix"}
    ),
    "POST /api/v1/referrals/{referral_id}/accept": _api_action(receiving_side),
    "POST /api/v1/referrals/{referral_id}/decline": _api_action(
        receiving_side, lambda r: {"reason": "person_declined"}
    ),
    "POST /api/v1/referrals/{referral_id}/waiting-list": _api_action(receiving_side),
    "POST /api/v1/referrals/{referral_id}/waiting-list/move": _api_action(
        receiving_side, lambda r: {"direction": "up", "reason": "Matrix"}
    ),
    "POST /api/v1/referrals/{referral_id}/start": _api_action(receiving_side),
    "POST /api/v1/referrals/{referral_id}/complete": _api_action(
        receiving_side, lambda r: {"outcome": "Matrix"}
    ),
    "POST /api/v1/referrals/{referral_id}/close": _api_action(
        receiving_side, lambda r: {"reason": "Matrix"}
    ),
}


def _service(organisation) -> Service:
    return Service.objects.create(
        organisation=organisation,
        name=f"Matrix referral service {organisation.name}",
        description="For the authorization matrix.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
    )


def build(world: World) -> None:
    """Every organisation gets a referral-only service (its waiting list's page). Each scope's
    person gets a submitted referral from the organisation working with them to the football
    trust's service, and a signposting record by that organisation."""
    cast = world.cast
    members = cast.members()
    services = {key: _service(org) for key, org in world.organisations.items()}
    for key, org in world.organisations.items():
        world.per_organisation.setdefault(org.pk, {})["referral_service"] = services[key]
    target = services[RECEIVER]
    now = timezone.now()
    for (org_key, scope), person in world.people.items():
        sender_key = "hub" if scope in (OTHER, *ENDED) else org_key
        user = members[SENDER_USER[sender_key]].user
        if scope in ENDED:
            service, state = services[org_key], ENDED_STATES[scope]
        else:
            service = services["hub"] if scope == OTHER else target
            state = ReferralState.SUBMITTED
        referral = Referral.objects.create(
            person=person,
            service=service,
            referring_organisation=world.organisations[sender_key],
            referred_by=user,
            state=state,
            reason="Matrix referral",
            pathway="sport",
            submitted_at=now - timedelta(days=90 if scope in ENDED else 3),
        )
        signposting = Signposting.objects.create(
            person=person,
            organisation=world.organisations[sender_key],
            signposted_by=user,
            service_name="Matrix food bank",
            pathway="finance_benefit_id",
            signposted_on=date.today(),
        )
        extra = world.per_person[person.pk]["extra"]
        extra["referral"] = referral
        extra["signposting_pk"] = signposting
        extra["referral_target"] = target
        # Withdrawn and ended scopes: the actor's own organisation's service (no organisation
        # record).
        extra["referral_service"] = services[org_key] if scope in ENDED else services[sender_key]
