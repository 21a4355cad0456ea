"""An organisation admin's staff pages: the list of members, inviting someone, and each
member's page with its actions (change role, deactivate, reactivate, reset two-factor sign-in,
unlock), each behind a confirmation. Thin: the rules are in `access/rules/staff.py`, the
writes in `accounts/services.py`.

Someone who is not the organisation's admin gets the same 404 for a member or invitation as
for one that does not exist; the list and the invite page say why they are refused (403)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.accounts import selectors, services
from resettle.accounts.models import Invitation, Membership
from resettle.accounts.staff_forms import (
    ROLE_HELP,
    ConfirmForm,
    InviteForm,
    MembershipForm,
    StaffFilterForm,
)
from resettle.core.http import AuthenticatedRequest
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import Column, Table

STAFF_PER_PAGE = 25
STAFF_TABLE = Table(
    Column("name", "Name"),
    Column("role", "Role"),
    Column("since", "Member since", newest_first=True),
    per_page=STAFF_PER_PAGE,
)
ADMINS_ONLY = "Only your organisation's administrators manage its staff."


def _base_url(request: AuthenticatedRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_administer_staff(actor):
        return forbidden(request, ADMINS_ONLY)
    assert actor is not None  # an admin is a current member
    filters = StaffFilterForm(request.GET or None)
    chosen = filters.filters()
    sort = request.GET.get("sort", "name")
    if sort not in selectors.STAFF_ORDERINGS:
        sort = "name"
    memberships = selectors.staff_list(
        actor=actor, role=chosen["role"], status=chosen["status"], ordering=sort
    )
    table = STAFF_TABLE.context(request, memberships, ordering=sort)
    rows = list(table["page_obj"].object_list)
    locked = selectors.locked_usernames([m.user.username for m in rows])
    return render(
        request,
        "accounts/staff/list.html",
        table
        | {
            "rows": rows,
            "locked": locked,
            "filters": filters,
            "chosen": chosen,
            "invitations": selectors.waiting_invitations(actor=actor),
            "today": date.today(),
        },
    )


@require_http_methods(["GET", "POST"])
def staff_invite(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_administer_staff(actor):
        return forbidden(request, ADMINS_ONLY)
    assert actor is not None
    form = InviteForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.invitation_create(
            actor=actor,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            is_safeguarding_lead=data["is_safeguarding_lead"],
            is_data_protection_lead=data["is_data_protection_lead"],
            base_url=_base_url(request),
        ),
        success_url=reverse("accounts:staff_list"),
        message=lambda result: (
            f"Invitation sent to {result[0].email}. The link works once, for 7 days"
        ),
    ):
        return response
    return render_form(
        request,
        "accounts/staff/form.html",
        {"form": form, "cancel_url": reverse("accounts:staff_list"), "role_help": ROLE_HELP},
    )


@require_GET
def staff_detail(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    membership = policy.get_membership_for_admin(actor, pk)
    user = membership.user
    return render(
        request,
        "accounts/staff/detail.html",
        {
            "membership": membership,
            "member": user,
            "is_current": services.membership_is_current(membership),
            "is_self": membership.user_id == getattr(actor, "user_id", None),
            "has_authenticator": selectors.has_authenticator(user),
            "is_locked": bool(selectors.locked_usernames([user.username])),
        },
    )


@require_http_methods(["GET", "POST"])
def staff_change_role(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    membership = policy.get_membership_for_admin(actor, pk)
    assert actor is not None
    form = MembershipForm(
        bound_data(request),
        initial={
            "role": membership.role,
            "is_safeguarding_lead": membership.is_safeguarding_lead,
            "is_data_protection_lead": membership.is_data_protection_lead,
        },
    )
    name = _name(membership)
    if response := run_form(
        request,
        form,
        lambda data: services.membership_update(
            actor=actor,
            membership=membership,
            role=data["role"],
            is_safeguarding_lead=data["is_safeguarding_lead"],
            is_data_protection_lead=data["is_data_protection_lead"],
        ),
        success_url=reverse("accounts:staff_detail", args=[membership.pk]),
        message=f"{name}'s role is saved",
    ):
        return response
    return render_form(
        request,
        "accounts/staff/form.html",
        {
            "form": form,
            "caption": name,
            "cancel_url": reverse("accounts:staff_detail", args=[membership.pk]),
        },
    )


def _name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.username


# Confirmed actions on a member or an invitation ----------------------------------------------


def _confirm_form(request: AuthenticatedRequest) -> ConfirmForm:
    """A confirmation has no fields: bound (and so valid) whenever it is posted."""
    if request.method == "POST":
        return ConfirmForm(request.POST.copy() or {"confirmed": "yes"})
    return ConfirmForm()


@dataclass(frozen=True)
class Confirmed:
    """One action behind a confirmation page. The texts are formats given the member's `name`
    (and for an invitation, `email`); `act` does it, given the actor, the record and the
    request."""

    title: str
    button: str
    warning: str
    message: str
    act: Callable[[Membership, Any, AuthenticatedRequest], Any]
    destructive: bool = True


MEMBER_ACTIONS: dict[str, Confirmed] = {
    "deactivate": Confirmed(
        "Deactivate {name}?",
        "Deactivate",
        "{name} will be signed out and their API tokens will stop working for {organisation} at "
        "once. You can reactivate them later.",
        "{name} has been deactivated",
        lambda actor, member, request: services.membership_deactivate(
            actor=actor, membership=member
        ),
    ),
    "reactivate": Confirmed(
        "Reactivate {name}?",
        "Reactivate",
        "{name} will be able to sign in and work as {role} again.",
        "{name} has been reactivated",
        lambda actor, member, request: services.membership_reactivate(
            actor=actor, membership=member
        ),
        destructive=False,
    ),
    "reset_two_factor": Confirmed(
        "Reset {name}'s two-factor sign-in?",
        "Reset two-factor sign-in",
        "{name}'s authenticator app and recovery codes stop working at once. They are e-mailed a "
        "link, valid for 7 days, to choose a new password and set up two-factor sign-in again. "
        "Check it is really them who asked.",
        "{name}'s two-factor sign-in has been reset and a link e-mailed to them",
        lambda actor, member, request: services.two_factor_reset(
            actor=actor, membership=member, base_url=_base_url(request)
        ),
    ),
    "unlock": Confirmed(
        "Unlock {name}'s account?",
        "Unlock",
        "{name} was locked out after repeated wrong passwords. Unlock only when you are sure it "
        "was them: otherwise someone may be guessing their password.",
        "{name} can sign in again",
        lambda actor, member, request: services.account_unlock(actor=actor, membership=member),
        destructive=False,
    ),
}

INVITATION_ACTIONS: dict[str, Confirmed] = {
    "resend": Confirmed(
        "Send the invitation again?",
        "Send again",
        "A new link is e-mailed, valid for 7 days. The link sent before stops working.",
        "A new invitation link has been sent to {email}",
        lambda actor, invitation, request: services.invitation_resend(
            actor=actor, invitation=invitation, base_url=_base_url(request)
        ),
        destructive=False,
    ),
    "revoke": Confirmed(
        "Revoke the invitation?",
        "Revoke invitation",
        "The link stops working at once. You can invite them again later.",
        "The invitation to {email} has been revoked",
        lambda actor, invitation, request: services.invitation_revoke(
            actor=actor, invitation=invitation
        ),
    ),
}


def _confirmation(
    request: AuthenticatedRequest,
    confirmed: Confirmed,
    record: Membership | Invitation,
    *,
    caption: str,
    words: dict[str, str],
    back_to: str,
) -> HttpResponse:
    actor = request.actor
    assert actor is not None  # found the record as its admin, so a current member
    form = _confirm_form(request)
    if form.is_bound and (
        response := run_form(
            request,
            form,
            lambda data: confirmed.act(actor, record, request),
            success_url=back_to,
            message=confirmed.message.format(**words),
        )
    ):
        return response
    return render_form(
        request,
        "accounts/staff/form.html",
        {
            "form": form,
            "heading": confirmed.title.format(**words),
            "caption": caption,
            "button": confirmed.button,
            "button_style": "warning" if confirmed.destructive else "",
            "warning": confirmed.warning.format(**words),
            "cancel_url": back_to,
        },
    )


@require_http_methods(["GET", "POST"])
def staff_action(request: AuthenticatedRequest, pk: UUID, action: str) -> HttpResponse:
    """Deactivate, reactivate, reset two-factor sign-in or unlock, after a confirmation."""
    membership = policy.get_membership_for_admin(request.actor, pk)
    name = _name(membership)
    return _confirmation(
        request,
        MEMBER_ACTIONS[action],
        membership,
        caption=name,
        words={
            "name": name,
            "organisation": membership.organisation.name,
            "role": membership.get_role_display().lower(),
        },
        back_to=reverse("accounts:staff_detail", args=[membership.pk]),
    )


@require_http_methods(["GET", "POST"])
def invitation_action(request: AuthenticatedRequest, pk: UUID, action: str) -> HttpResponse:
    """Send an invitation again or revoke it, after a confirmation."""
    invitation = policy.get_invitation_for_admin(request.actor, pk)
    return _confirmation(
        request,
        INVITATION_ACTIONS[action],
        invitation,
        caption=f"{invitation.full_name}, {invitation.email}",
        words={"email": invitation.email},
        back_to=reverse("accounts:staff_list"),
    )
