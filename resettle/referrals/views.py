"""Referral pages: the sent and received dashboards, one referral with its actions, a service's
waiting list, and a person's referrals and signposting. Thin: rules in `policy`, reads in
`selectors`, writes in `services`. A referral the actor may not see is the same 404 as one that
does not exist."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.access.categories import Category
from resettle.consent.models import Consent
from resettle.core.http import AuthenticatedRequest
from resettle.referrals import selectors, services
from resettle.referrals.forms import (
    ActionForm,
    ChooseServiceForm,
    CompleteForm,
    DeclineForm,
    DraftForm,
    EndForm,
    FollowUpForm,
    NoteActionForm,
    ReferralFilterForm,
    ReferralForm,
    SignpostingForm,
    WaitingMoveForm,
)
from resettle.referrals.lifecycle import ACTIONS
from resettle.referrals.models import Referral, ReferralState, WaitingListMove
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import Column, Table, page_of

PAGE_SIZE = 25
FOLLOW_UPS_SHOWN = 20
MOVES_SHOWN = 10
NOT_CASE_LEVEL = "Referrals are for staff who work with people's records."
CANNOT_REFER = "Only caseworkers, referrers and delivery coordinators working with them can refer."
NOT_WAITING_LIST = "A service's waiting list is managed by its own organisation's staff."
REFERRALS_TABLE = Table(
    Column("person", "Person"),
    Column("service", "Service"),
    Column("state", "State"),
    Column("submitted", "Sent"),
    per_page=PAGE_SIZE,
)


def _box_view(request: AuthenticatedRequest, box: str) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NOT_CASE_LEVEL)
    service_options = (
        list(selectors.receiving_services(actor=actor).select_related("organisation"))
        if box == selectors.RECEIVED
        else list(selectors.services_referred_to(actor=actor).select_related("organisation"))
    )
    form = ReferralFilterForm(request.GET or None, box=box, services=service_options)
    ordering = request.GET.get("sort", "-submitted")
    if ordering not in selectors.ORDERINGS:
        ordering = "-submitted"
    filters = form.filters(ordering) if request.GET else selectors.ReferralFilters(box=box)
    referrals = selectors.referral_list(actor=actor, filters=filters)
    figures = selectors.referral_figures(referrals)
    page = selectors.page_of(referrals, figures.total, PAGE_SIZE, request.GET.get("page"))
    context = {
        "box": box,
        "form": form,
        "page_obj": page,
        "figures": figures,
        "states": [
            (value, label, figures.by_state[value]) for value, label in ReferralState.choices
        ],
        "sort_headers": REFERRALS_TABLE.headers(ordering),
        "overdue_ids": {r.pk for r in page if selectors.is_overdue(r)},
        "waiting_lists": service_options if box == selectors.RECEIVED else [],
        "follow_ups": (
            list(selectors.signpostings_to_follow_up(actor=actor)[:FOLLOW_UPS_SHOWN])
            if box == selectors.SENT
            else []
        ),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "referrals/_results.html" if partial else "referrals/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def sent_view(request: AuthenticatedRequest) -> HttpResponse:
    return _box_view(request, selectors.SENT)


@require_GET
def received_view(request: AuthenticatedRequest) -> HttpResponse:
    return _box_view(request, selectors.RECEIVED)


@require_GET
def detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    referral = selectors.get_referral(actor, pk)
    view = selectors.referral_view(actor=actor, referral=referral, request=request)
    parent_visible = (
        referral.parent_id is not None
        and policy.referrals_visible_to(actor).filter(pk=referral.parent_id).exists()
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "view": view,
            "referral": referral,
            "shared_labels": [
                Category(c).label for c in referral.shared_categories if c in Category.values
            ],
            "parent_visible": parent_visible,
            "actions": action_links(actor, referral),
        },
    )


# Actions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionPage:
    """How one action of the referral lifecycle (`lifecycle.ACTIONS`) looks: its page, the
    button that leads to it from the referral, and what is said once it is done."""

    form: Callable[..., ActionForm]
    title: str
    button: str
    link: str
    done: str
    # The button's GOV.UK style on the referral's page: "" (primary), "secondary" or "warning".
    style: str = "secondary"
    warning: str = ""


def _reason_form(label: str, required_message: str) -> Callable[..., ActionForm]:
    return lambda *a, **k: EndForm(*a, label=label, required_message=required_message, **k)


CANNOT_UNDO = "This cannot be undone: a new referral would be needed."
PAGES: dict[str, ActionPage] = {
    "submit": ActionPage(
        ActionForm,
        "Send this referral?",
        "Send referral",
        "Send referral",
        "The referral has been sent",
        style="",
    ),
    "accept": ActionPage(
        NoteActionForm,
        "Accept this referral?",
        "Accept referral",
        "Accept",
        "The referral has been accepted. The person's record is now open to your organisation.",
        style="",
    ),
    "decline": ActionPage(
        DeclineForm,
        "Decline this referral",
        "Decline referral",
        "Decline",
        "The referral has been declined",
        style="warning",
        warning=CANNOT_UNDO,
    ),
    "waiting_list": ActionPage(
        NoteActionForm,
        "Put this referral on the waiting list?",
        "Add to waiting list",
        "Add to waiting list",
        "The referral is on the waiting list",
    ),
    "start": ActionPage(
        NoteActionForm,
        "Record that support has started?",
        "Support has started",
        "Support has started",
        "Support has started",
        style="",
    ),
    "complete": ActionPage(
        CompleteForm,
        "Complete this referral",
        "Complete referral",
        "Complete",
        "The referral is complete",
        style="",
    ),
    "close": ActionPage(
        _reason_form(
            "What was tried to engage the person?", "Enter what was tried to engage the person"
        ),
        "Close this referral: unable to engage",
        "Close referral",
        "Close: unable to engage",
        "The referral has been closed",
        warning=CANNOT_UNDO,
    ),
    "withdraw": ActionPage(
        _reason_form("Why are you withdrawing it?", "Enter why you are withdrawing the referral"),
        "Withdraw this referral",
        "Withdraw referral",
        "Withdraw",
        "The referral has been withdrawn",
        warning=CANNOT_UNDO,
    ),
}


def action_links(actor, referral: Referral) -> list[dict[str, Any]]:
    """The buttons on a referral's page: the actions the table allows this actor now."""
    return [
        {
            "name": name,
            "url": reverse(f"referrals:{name}", args=[referral.pk]),
            "label": PAGES[name].link,
            "style": PAGES[name].style,
        }
        for name in ACTIONS.available(actor, referral, referral.state)
    ]


class _Conflict(Exception):
    """Carries a stale-version refusal past the form runner, which shows it as its own page."""

    def __init__(self, stale: services.StaleReferral):
        self.stale = stale


@require_http_methods(["GET", "POST"])
def action_view(request: AuthenticatedRequest, pk: UUID, action: str) -> HttpResponse:
    """Asks for what the action needs (a reason, an outcome) with the version shown, then acts.
    A referral someone changed meanwhile is shown again with its new state (409)."""
    actor = request.actor
    transition, page = ACTIONS[action], PAGES[action]
    referral = selectors.get_referral(actor, pk)
    if not transition.allowed(actor, referral):
        return forbidden(request, transition.refusal_for(referral) + ".")
    detail_url = reverse("referrals:detail", args=[referral.pk])
    if request.method == "GET" and referral.state not in transition.sources:
        messages.info(
            request,
            f"This referral is “{referral.get_state_display()}”, so you cannot do that now.",
        )
        return redirect(detail_url)
    form = page.form(bound_data(request), initial={"version": referral.version})
    form.layout.title, form.layout.button = page.title, page.button
    form.layout.caption = f"{referral.person.full_name} to {referral.service.name}"
    form.layout.warning = page.warning
    form.layout.button_style = "warning" if transition.destructive else ""

    def act(data: dict[str, Any]) -> Referral:
        try:
            return ACTIONS.run(
                action,
                actor=actor,
                referral=referral,
                expected_version=data["version"],
                request=request,
                **{name: data[name] for name in transition.fields},
            )
        except services.StaleReferral as exc:
            raise _Conflict(exc) from exc

    try:
        response = run_form(request, form, act, success_url=detail_url, message=page.done)
    except _Conflict as conflict:
        return _conflict(request, conflict.stale)
    if response is not None:
        return response
    return render_form(
        request,
        "referrals/action.html",
        {
            "form": form,
            "referral": referral,
            "action": action,
            "full": action == "accept" and services.directory.is_full(referral.service),
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Change a draft (the service stays: choose another by withdrawing this one)."""
    actor = request.actor
    referral = selectors.get_referral(actor, pk)
    if not policy.can_edit_referral(actor, referral):
        return forbidden(request, "Only the referring organisation can change a referral.")
    assert actor is not None  # may edit the referral, so a current member
    if referral.state != ReferralState.DRAFT:
        messages.info(request, "This referral has been sent, so it can no longer be changed.")
        return redirect("referrals:detail", pk=referral.pk)
    consents = [c.pk for c in Consent.objects.filter(person=referral.person) if c.is_current()]
    form = DraftForm(
        bound_data(request),
        consents=Consent.objects.filter(pk__in=consents),
        ineligible=False,
        no_contact=False,
        initial={
            "version": referral.version,
            "reason": referral.reason,
            "pathway": referral.pathway,
            "urgency": referral.urgency,
            "shared_categories": referral.shared_categories,
            "consent": str(referral.consent_id) if referral.consent_id else "none",
        },
    )

    def save(data: dict[str, Any]) -> Referral:
        try:
            return services.referral_update(
                actor=actor,
                referral=referral,
                reason=data["reason"],
                pathway=data["pathway"],
                urgency=data["urgency"],
                shared_categories=data["shared_categories"],
                consent=data.get("consent"),
                expected_version=data["version"],
                request=request,
            )
        except services.StaleReferral as exc:
            raise _Conflict(exc) from exc

    detail_url = reverse("referrals:detail", args=[referral.pk])
    try:
        response = run_form(
            request, form, save, success_url=detail_url, message="The draft has been saved"
        )
    except _Conflict as conflict:
        return _conflict(request, conflict.stale)
    if response is not None:
        return response
    return render_form(
        request,
        "referrals/edit.html",
        {"form": form, "referral": referral, "cancel_url": detail_url},
    )


def _conflict(request: AuthenticatedRequest, exc: services.StaleReferral) -> HttpResponse:
    referral = exc.referral
    return render(
        request,
        "referrals/conflict.html",
        {"referral": referral, "message": exc.message},
        status=409,
    )


@require_GET
def waiting_list_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    service = policy.get_service_for_actor(actor, pk)
    if not policy.can_view_waiting_list(actor, service):
        return forbidden(request, NOT_WAITING_LIST)
    page = page_of(request, selectors.waiting_list(service=service), PAGE_SIZE)
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "service": service,
            "page_obj": page,
            "first_position": page.start_index(),
            "full": services.directory.is_full(service),
            "caseload": services.directory.service_caseload(service),
            "last_position": page.paginator.count,
            "moves": selectors.waiting_list_moves(service=service)[:MOVES_SHOWN],
        },
    )


@require_http_methods(["GET", "POST"])
def waiting_list_move_view(request: AuthenticatedRequest, pk: UUID, direction: str) -> HttpResponse:
    """Move a referral one place up or down its waiting list, with a reason: the two referrals
    swap places."""
    actor = request.actor
    referral = selectors.get_referral(actor, pk)
    if not policy.can_move_on_waiting_list(actor, referral):
        return forbidden(request, NOT_WAITING_LIST)
    assert actor is not None  # may manage the waiting list, so a current member
    list_url = reverse("referrals:service_waiting_list", args=[referral.service_id])
    if request.method == "GET" and referral.state != ReferralState.WAITING_LIST:
        messages.info(request, "This referral is not on the waiting list, so it cannot move.")
        return redirect("referrals:detail", pk=referral.pk)
    position = selectors.waiting_position(referral)
    form = WaitingMoveForm(bound_data(request), initial={"version": referral.version})
    form.layout.title = f"Move {referral.person.full_name} {direction} the waiting list?"
    form.layout.button = f"Move {direction}"
    form.layout.caption = referral.service.name

    def move(data: dict[str, Any]) -> WaitingListMove:
        try:
            return services.referral_waiting_move(
                actor=actor,
                referral=referral,
                direction=direction,
                reason=data["reason"],
                expected_version=data["version"],
                request=request,
            )
        except services.StaleReferral as exc:
            raise _Conflict(exc) from exc

    try:
        response = run_form(
            request,
            form,
            move,
            success_url=list_url,
            message=lambda done: (
                f"{referral.person.full_name} is now number {done.to_position} on the waiting list"
            ),
        )
    except _Conflict as conflict:
        return _conflict(request, conflict.stale)
    if response is not None:
        return response
    return render_form(
        request,
        "referrals/waiting_move.html",
        {
            "form": form,
            "referral": referral,
            "position": position,
            "direction": direction,
            "cancel_url": list_url,
        },
    )


# A person's referrals ----------------------------------------------------------------------------


@require_GET
def person_referrals_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    referrals = selectors.person_referrals(actor=actor, person=person)
    signpostings = selectors.person_signpostings(actor=actor, person=person)
    return render(
        request,
        "referrals/person.html",
        {
            "person": person,
            "active_section": "referrals",
            "referrals": page_of(request, referrals, PAGE_SIZE),
            "signpostings": list(signpostings[:50]),
            "can_refer": policy.can_refer(actor, person),
            "actor_org": actor.organisation_id if actor else None,
        },
    )


def _parent(actor, person, request: AuthenticatedRequest) -> Referral | None:
    parent_id = request.GET.get("parent")
    if not parent_id:
        return None
    parent = selectors.get_referral(actor, parent_id)
    if parent.person_id != person.pk:
        raise Http404("No such referral")
    return parent


@require_http_methods(["GET", "POST"])
def referral_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Step 1 (no `service` in the query): choose the service. Step 2: the referral, with the
    warnings that service raises for this person."""
    actor = request.actor
    person = person_for_page(actor, pk)
    if not policy.can_refer(actor, person):
        return forbidden(request, CANNOT_REFER)
    assert actor is not None  # may refer, so a current member
    parent = _parent(actor, person, request)
    options = selectors.services_for_referral(actor=actor)
    cancel_url = reverse("referrals:person", args=[person.pk])
    chosen = "service" in request.GET or "choose" in request.GET
    chooser = ChooseServiceForm(
        request.GET if chosen else None,
        services=options,
        initial={"parent": parent.pk if parent else ""},
    )
    if not chooser.is_bound or not chooser.is_valid():
        return render_form(
            request,
            "referrals/choose_service.html",
            {"form": chooser, "person": person, "parent": parent, "cancel_url": cancel_url},
        )
    service = chooser.cleaned_data["service"]
    warnings = services.referral_warnings(actor=actor, person=person, service=service)
    consents = Consent.objects.filter(person=person).order_by("-given_on")
    current = [c.pk for c in consents if c.is_current()]
    form = ReferralForm(
        bound_data(request),
        consents=Consent.objects.filter(pk__in=current),
        ineligible=bool(warnings.ineligible),
        no_contact=warnings.no_contact,
        initial={"pathway": (service.pathways or [""])[0]},
    )
    if response := run_form(
        request,
        form,
        lambda data: services.referral_create(
            actor=actor,
            person=person,
            service=service,
            reason=data["reason"],
            pathway=data["pathway"],
            urgency=data["urgency"],
            shared_categories=data["shared_categories"],
            consent=data.get("consent"),
            eligibility_override_reason=data.get("eligibility_override_reason", ""),
            no_contact_confirmed=data.get("no_contact_confirmed", False),
            parent=parent,
            submit="draft" not in request.POST,
            request=request,
        ),
        success_url=lambda referral: reverse("referrals:detail", args=[referral.pk]),
        message=lambda referral: (
            f"Referral sent to {service.organisation.name}"
            if referral.state == ReferralState.SUBMITTED
            else "Referral saved as a draft. Send it when it is ready."
        ),
    ):
        return response
    return render_form(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "person": person,
            "service": service,
            "warnings": warnings,
            "parent": parent,
            "cancel_url": cancel_url,
        },
    )


@require_http_methods(["GET", "POST"])
def signposting_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    if not policy.can_refer(actor, person):
        return forbidden(request, CANNOT_REFER)
    assert actor is not None  # may refer, so a current member
    parent = _parent(actor, person, request)
    form = SignpostingForm(
        bound_data(request),
        services=policy.services_visible_to(actor).select_related("organisation"),
    )
    person_url = reverse("referrals:person", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.signposting_record(
            actor=actor,
            person=person,
            service=data["service"],
            service_name=data["service_name"],
            pathway=data["pathway"],
            signposted_on=data["signposted_on"],
            note=data["note"],
            follow_up_on=data["follow_up_on"],
            from_referral=parent,
            request=request,
        ),
        success_url=person_url,
        message="Signposting recorded",
    ):
        return response
    return render_form(
        request,
        "referrals/signposting_form.html",
        {"form": form, "person": person, "cancel_url": person_url},
    )


@require_http_methods(["GET", "POST"])
def signposting_follow_up_view(
    request: AuthenticatedRequest, pk: UUID, signposting_pk: UUID
) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    signposting = selectors.get_signposting(actor, person, signposting_pk)
    if not policy.may_follow_up(actor, signposting):
        return forbidden(request, "Only the organisation that signposted records the follow-up.")
    assert actor is not None  # may follow up, so a current member
    form = FollowUpForm(bound_data(request))
    person_url = reverse("referrals:person", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.signposting_follow_up(
            actor=actor,
            signposting=signposting,
            follow_up=data["follow_up"],
            note=data["note"],
            request=request,
        ),
        success_url=person_url,
        message="Follow-up recorded",
    ):
        return response
    return render_form(
        request,
        "referrals/follow_up.html",
        {"form": form, "person": person, "signposting": signposting, "cancel_url": person_url},
    )
