"""The authorization matrix for staff administration and break-glass ending: decisions and
records.

The rules, from DESIGN §2 and §4 (not from the policy module): an organisation administrator
manages the people of their own organisation only. The staff list and the invite page refuse
every other role (403, saying why); a member or invitation is the same 404 as one that does not
exist for anyone but the admins of its organisation. The invitation journey is open to anyone
with the link (the link is the credential). A designated safeguarding lead ends any open
break-glass of their own organisation; to anyone else it is a 404."""

from datetime import timedelta

from django.utils import timezone

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OWN, Actor, World
from resettle.accounts.invitations import hash_token, new_token
from resettle.accounts.models import Invitation, Role
from resettle.accounts.tests.factories import make_membership, make_user

ADMIN = Role.ORGANISATION_ADMIN
WRITE = ("GET", "POST")

admin = o.role_in(ADMIN)
# About one of an organisation's members or invitations: its own admins only, a 404 otherwise.
administered = o.signed_in(
    o.role_in(ADMIN, otherwise=o.Outcome.NOT_FOUND), o.scope_in(OWN, otherwise=o.Outcome.NOT_FOUND)
)


def _ends_break_glass(actor: Actor, scope: str | None, world: World) -> o.Outcome:
    """Only the scenario's one open break-glass (the lead charity's own person) is named; its
    organisation's safeguarding lead may end it."""
    if actor.anonymous:
        return o.Outcome.SIGN_IN
    if actor.is_safeguarding_lead and actor.organisation_key == "lead_charity" and scope == OWN:
        return o.Outcome.ALLOW
    return o.Outcome.NOT_FOUND


DECISIONS: dict[str, Decision] = {
    "accounts:staff_list": Decision(o.signed_in(admin)),
    "accounts:staff_invite": Decision(o.signed_in(admin), methods=WRITE),
    "accounts:staff_detail": Decision(administered, about="staff_member"),
    "accounts:staff_change_role": Decision(administered, about="staff_member", methods=WRITE),
    "accounts:staff_deactivate": Decision(administered, about="staff_member", methods=WRITE),
    "accounts:staff_reactivate": Decision(administered, about="staff_member", methods=WRITE),
    "accounts:staff_reset_two_factor": Decision(administered, about="staff_member", methods=WRITE),
    "accounts:staff_unlock": Decision(administered, about="staff_member", methods=WRITE),
    "accounts:invitation_resend": Decision(administered, about="staff_invitation", methods=WRITE),
    "accounts:invitation_revoke": Decision(administered, about="staff_invitation", methods=WRITE),
    # The link is the credential: anyone may open it (a bad link is the same page for all).
    "accounts:invitation_accept": Decision(o.public(), methods=WRITE),
    "accounts:invitation_authenticator": Decision(o.public(), methods=WRITE),
    "access:break_glass_end": Decision(_ends_break_glass, about="open_access", methods=("POST",)),
}


def build(world: World) -> None:
    """For each organisation: a caseworker with an e-mail address and a waiting invitation. The
    lead charity's own person carries the scenario's open break-glass."""
    names = ("staff_member", "staff_invitation", "open_access")
    for extra in world.per_person.values():
        for name in names:
            extra["extra"].setdefault(name, None)
    now = timezone.now()
    for key, organisation in world.organisations.items():
        user = make_user(username=f"matrix-staff-{key}", email=f"staff.{key}@example.org")
        member = make_membership(user=user, organisation=organisation, role=Role.CASEWORKER)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=f"invited.{key}@example.org",
            first_name="Invited",
            last_name="Matrix",
            role=Role.CASEWORKER,
            token_hash=hash_token(new_token()),
            sent_at=now,
            expires_at=now + timedelta(days=7),
        )
        world.per_organisation.setdefault(organisation.pk, {}).update(
            {"staff_member": member, "staff_invitation": invitation}
        )
    own_lead = world.people[("lead_charity", OWN)]
    world.per_person[own_lead.pk]["extra"]["open_access"] = world.foreign_access
