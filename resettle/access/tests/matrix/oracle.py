"""What each actor should get, worked out from the scenario and from DESIGN §4 as
written, not from `resettle.access.policy`: the matrix is a cross-check of the policy, so it must
not ask the policy what the policy says.

A rule is a function (actor, scope, world) -> Outcome. Rules are built from steps checked in the
order the route checks them (a record you may not see is 404 before a role refusal is 403)."""

import enum
from collections.abc import Callable

from resettle.access.categories import Category
from resettle.access.tests.matrix.scenario import OWN, SHARED, WITHDRAWN, Actor, World
from resettle.accounts.models import OrganisationKind, Role


class Outcome(enum.Enum):
    ALLOW = "allowed"  # 2xx, a redirect onwards, or a validation error for a write
    NOT_FOUND = "404"  # the same as a record that does not exist
    FORBIDDEN = "403"  # the record is visible, the action is not the actor's
    INVALID = "400"  # a record named in a request body that the actor may not see
    SIGN_IN = "sign in"  # anonymous: redirect to sign in (pages) or 401 (API)
    ANY = "anything"  # open to everyone: any status below 500


Rule = Callable[[Actor, str | None, World], Outcome]
Check = Callable[[Actor, str | None, World], bool]
Step = tuple[Check, Outcome]

# DESIGN §4: the roles that work with individual people's records.
CASE_LEVEL_ROLES = frozenset(
    {Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR, Role.PEER_MENTOR}
)
# Who adds people and households (a peer mentor does not; aggregate roles never do).
CREATE_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})
# Who records and withdraws consent, and reads a person's access log (with safeguarding leads).
CONSENT_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER})
# Suitability is recorded by probation, prison or the lead organisation.
ASSESSOR_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER})
ASSESSOR_KINDS = frozenset(
    {OrganisationKind.PROBATION, OrganisationKind.PRISON, OrganisationKind.LEAD_CHARITY}
)


def sees_person(actor: Actor, scope: str | None, world: World) -> bool:
    """A case-level role sees the people its organisation works with (a mentor: their mentees,
    and every mentoring-charity person in the scenario is allocated to the mentor). Access ends
    when the work ends (DESIGN §4): the ended scopes' work with the actor's organisation ended
    beyond the follow-up window, so nobody in it sees them, whatever the consent."""
    return actor.role in CASE_LEVEL_ROLES and scope in (OWN, SHARED, WITHDRAWN)


def categories(actor: Actor, scope: str | None, world: World) -> frozenset[str]:
    """Identity with the working relationship; the agreements' categories only where the
    person's consent covers them (the shared person); plus any open break-glass."""
    if not sees_person(actor, scope, world):
        return frozenset()
    seen: set[str] = {Category.IDENTITY}
    if scope == SHARED:
        assert actor.organisation_key is not None  # they see the person: a member of staff
        seen |= world.grants[actor.organisation_key]
    seen |= world.break_glass.get((actor.key, scope), frozenset())
    return frozenset(seen)


# Steps ------------------------------------------------------------------------------------------


def role_in(*roles: str, otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return (lambda actor, scope, world: actor.role in roles, otherwise)


def case_level(otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return role_in(*CASE_LEVEL_ROLES, otherwise=otherwise)


def person_visible() -> Step:
    return (sees_person, Outcome.NOT_FOUND)


def has_category(category: str, otherwise: Outcome) -> Step:
    return (lambda actor, scope, world: category in categories(actor, scope, world), otherwise)


def is_assessor(actor: Actor) -> bool:
    return actor.role in ASSESSOR_ROLES and actor.kind in ASSESSOR_KINDS


def assessor(otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return (lambda actor, scope, world: is_assessor(actor), otherwise)


def not_assessor(otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return (lambda actor, scope, world: not is_assessor(actor), otherwise)


def safeguarding_lead(otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return (lambda actor, scope, world: actor.is_safeguarding_lead, otherwise)


def access_log_reader(otherwise: Outcome = Outcome.FORBIDDEN) -> Step:
    return (
        lambda actor, scope, world: actor.is_safeguarding_lead or actor.role in CONSENT_ROLES,
        otherwise,
    )


def scope_in(*scopes: str, otherwise: Outcome = Outcome.NOT_FOUND) -> Step:
    """Scopes are the actor's organisation's own, its partners', others': someone acting for no
    organisation (their membership ended) has none of their own or their partners'."""
    return (lambda actor, scope, world: actor.role is not None and scope in scopes, otherwise)


def users_own() -> Step:
    """Something of the user's own, whatever organisation they act for."""
    return (lambda actor, scope, world: scope == OWN, Outcome.NOT_FOUND)


def holds_break_glass() -> Step:
    """Only the lead who opened a break-glass may close it; anyone else's is not theirs to see."""
    return (
        lambda actor, scope, world: (actor.key, scope) in world.break_glass,
        Outcome.NOT_FOUND,
    )


# Rules ------------------------------------------------------------------------------------------


def public() -> Rule:
    return lambda actor, scope, world: Outcome.ANY


def signed_in(*steps: Step) -> Rule:
    def decide(actor: Actor, scope: str | None, world: World) -> Outcome:
        if actor.anonymous:
            return Outcome.SIGN_IN
        for check, otherwise in steps:
            if not check(actor, scope, world):
                return otherwise
        return Outcome.ALLOW

    return decide


def person(*steps: Step) -> Rule:
    """About one person's record: 404 unless the actor may open it, then `steps`."""
    return signed_in(person_visible(), *steps)


def own_only(*steps: Step) -> Rule:
    """About something personal (a token, a notification): someone else's is a 404."""
    return signed_in(users_own(), *steps)


def organisation(*steps: Step) -> Rule:
    """An organisation: the actor's own and its partners' are visible, others 404."""
    return signed_in(scope_in(OWN, SHARED), *steps)


def agreement(*steps: Step) -> Rule:
    """Agreements are for organisation admins (any other role is refused whatever the id);
    an admin sees those of their partnerships and changes those their organisation owns."""
    return signed_in(role_in(Role.ORGANISATION_ADMIN), scope_in(OWN, SHARED), *steps)
