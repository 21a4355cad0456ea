from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from resettle.access import policy
from resettle.access.policy import can_edit_organisation
from resettle.accounts import selectors, services
from resettle.accounts.forms import (
    OrganisationFilterForm,
    OrganisationForm,
    SignInForm,
    SwitchOrganisationForm,
)
from resettle.accounts.middleware import SESSION_KEY, current_memberships
from resettle.accounts.models import Membership
from resettle.core.http import AuthenticatedRequest
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import Column, Table

ORGANISATIONS_PER_PAGE = 25
ORGANISATIONS_TABLE = Table(Column("name", "Name"), per_page=ORGANISATIONS_PER_PAGE)


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def switch_organisation(request: AuthenticatedRequest) -> HttpResponse:
    memberships = list(current_memberships(request.user).order_by("organisation__name", "role"))
    initial = {"membership": str(request.actor.pk)} if request.actor else {}
    form = SwitchOrganisationForm(bound_data(request), memberships=memberships, initial=initial)

    def switch(data: dict) -> Membership:
        request.session[SESSION_KEY] = data["membership"]
        return next(m for m in memberships if str(m.pk) == data["membership"])

    if response := run_form(
        request,
        form,
        switch,
        success_url=reverse("web:home"),
        message=lambda chosen: (
            f"You are now working for {chosen.organisation.name} as "
            f"{chosen.get_role_display().lower()}"
        ),
    ):
        return response
    return render_form(
        request, "accounts/switch_organisation.html", {"form": form, "memberships": memberships}
    )


@require_http_methods(["GET"])
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = OrganisationFilterForm(request.GET)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else None
    sort = request.GET.get("sort", "name")
    if sort not in selectors.ORGANISATION_ORDERINGS:
        sort = "name"
    organisations = selectors.organisation_list(actor=request.actor, kind=kind, ordering=sort)
    return render(
        request,
        "accounts/organisation_list.html",
        ORGANISATIONS_TABLE.context(request, organisations, ordering=sort)
        | {"filters": filters, "sort": sort, "kind": kind},
    )


@require_http_methods(["GET"])
def organisation_detail(request: AuthenticatedRequest, pk) -> HttpResponse:
    actor = request.actor
    organisation = policy.get_organisation_for_actor(actor, pk)
    assert actor is not None  # a member of no organisation sees none: 404 above
    members = selectors.current_members(organisation=organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "partnerships": selectors.organisation_partnerships(
                actor=actor, organisation=organisation
            ),
            "member_count": members.count(),
            "members": selectors.organisation_members(actor=actor, organisation=organisation),
            "is_own": organisation.pk == actor.organisation_id,
            "can_edit": can_edit_organisation(actor, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthenticatedRequest, pk) -> HttpResponse:
    organisation = policy.get_organisation_for_actor(request.actor, pk)
    refusal = "Only an administrator of this organisation can change its details."
    if not can_edit_organisation(request.actor, organisation):
        return forbidden(request, refusal)
    # The form validates a copy, so the service alone writes to the organisation.
    form = OrganisationForm(
        bound_data(request), instance=policy.get_organisation_for_actor(request.actor, pk)
    )
    if response := run_form(
        request,
        form,
        lambda data: services.organisation_update(
            actor=request.actor,
            organisation=organisation,
            **{name: data[name] for name in form.Meta.fields},
        ),
        success_url=reverse("accounts:organisation_detail", args=[organisation.pk]),
        message=f"{organisation.name}'s details are saved",
    ):
        return response
    return render_form(
        request, "accounts/organisation_edit.html", {"form": form, "organisation": organisation}
    )
