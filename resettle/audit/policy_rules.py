"""Who may read the audit trail. Written here while resettle/access/policy.py is being extended;
these belong in that one policy module and should move there (policy.py may import them from
here until then)."""

from resettle.access.policy import ORGANISATION_ADMIN_ROLES, can_view_person, is_current
from resettle.accounts.models import Membership, Role
from resettle.people.models import Person

# Roles that answer to a person for how their record is used, besides safeguarding leads.
ACCESS_LOG_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER})


def can_view_access_log(actor: Membership | None, person: Person) -> bool:
    """ "Who has accessed this record": a safeguarding lead, caseworker or referrer whose
    organisation is working with the person."""
    return (
        is_current(actor)
        and (actor.is_safeguarding_lead or actor.role in ACCESS_LOG_ROLES)
        and can_view_person(actor, person)
    )


def can_view_organisation_audit(actor: Membership | None) -> bool:
    """An organisation admin may read the events of their own organisation's staff."""
    return is_current(actor) and actor.role in ORGANISATION_ADMIN_ROLES
