"""Sharing agreement pages for organisation admins: the list, one agreement with its history,
making and changing one, and ending one. Only the owning organisation's admins change an
agreement; an agreement of a partnership the admin's organisation is not in is a 404."""

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.audit.models import AuditEvent
from resettle.core.http import AuthenticatedRequest
from resettle.partnerships import selectors, services
from resettle.partnerships.forms import (
    AgreementEndForm,
    AgreementFilterForm,
    AgreementForm,
    agreement_initial,
)
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import page_of

PAGE_SIZE = 25
NOT_AN_ADMIN = "Only organisation admins manage information-sharing agreements."
NOT_THE_OWNER = "Only an admin of {owner}, which owns this agreement, can change it."

# How each audited field of an agreement is named in its history.
HISTORY_LABELS = {
    "title": "Title",
    "document_reference": "Document reference",
    "purpose": "Purpose",
    "lawful_basis": "Lawful basis",
    "categories": "Information shared",
    "recipient_kinds": "Kinds of organisation",
    "recipient_organisations": "Named organisations",
    "starts_on": "Start date",
    "ends_on": "End date",
    "covers_children": "Children's records too",
    "follow_up_days": "Follow-up window (days)",
    "permitted_exports": "Files for outside the partnership",
    "evaluator": "Evaluator",
}


def _readable(field: str, value: str | None) -> str:
    """An audited value as the page shows it: labels rather than stored codes."""
    if not value:
        return ""
    if field == "categories":
        return ", ".join(selectors.category_labels(value.split(", ")))
    if field == "recipient_kinds":
        return ", ".join(selectors.kind_labels(value.split(", ")))
    if field == "lawful_basis":
        return dict(LawfulBasis.choices).get(value, value)
    if field in {"starts_on", "ends_on"}:
        return date_format(date.fromisoformat(value), "j F Y")
    return value


def _history(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Each change with its fields in the order the agreement page shows them."""
    order = {field: position for position, field in enumerate(HISTORY_LABELS)}
    history = []
    for event in events:
        changes = sorted((event.changes or {}).items(), key=lambda item: order.get(item[0], 99))
        history.append(
            {
                "event": event,
                # Only a new agreement changes its title from nothing.
                "added": (event.changes or {}).get("title", ["", ""])[0] is None,
                "changes": [
                    {
                        "label": HISTORY_LABELS.get(field, field),
                        "before": _readable(field, before),
                        "after": _readable(field, after),
                    }
                    for field, (before, after) in changes
                ],
            }
        )
    return history


@require_GET
def agreement_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_agreements(actor):
        return forbidden(request, NOT_AN_ADMIN)
    form = AgreementFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    agreements = selectors.agreement_list(actor=actor, status=status)
    page = page_of(request, agreements, PAGE_SIZE)
    for agreement in page.object_list:
        agreement.category_labels = selectors.category_labels(agreement.categories)
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "form": form,
            "status": status,
            "page_obj": page,
            "can_create": selectors.partnerships_for_new_agreements(actor=actor).exists(),
        },
    )


@require_GET
def agreement_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_agreements(actor):
        return forbidden(request, NOT_AN_ADMIN)
    agreement = policy.get_agreement_for_actor(actor, pk, shaped=selectors.agreements_shown)
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "category_labels": selectors.category_labels(agreement.categories),
            "kind_labels": selectors.kind_labels(agreement.recipient_kinds),
            "history": _history(list(selectors.agreement_history(agreement=agreement))),
            "can_change": policy.can_change_agreement(actor, agreement),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_agreements(actor):
        return forbidden(request, NOT_AN_ADMIN)
    assert actor is not None  # may manage agreements, so a current member
    partnerships = selectors.partnerships_for_new_agreements(actor=actor)
    # Two at most: enough to know whether there is a choice to ask about.
    first_two = list(partnerships[:2])
    if not first_two:
        return forbidden(request, "Your organisation is not in a partnership yet.")
    form = AgreementForm(
        bound_data(request),
        partnerships=partnerships if len(first_two) > 1 else None,
        organisations=selectors.recipient_choices(actor=actor),
    )
    if response := run_form(
        request,
        form,
        lambda data: services.agreement_create(
            actor=actor,
            partnership=data.get("partnership") or first_two[0],
            data=form.data_for_service(),
            recipient_organisation_ids=data["recipient_organisations"],
            request=request,
        ),
        success_url=lambda agreement: reverse("partnerships:agreement_detail", args=[agreement.pk]),
        message=lambda agreement: f"{agreement.title} has been added",
    ):
        return response
    return render_form(
        request,
        "partnerships/agreement_form.html",
        {
            "form": form,
            "heading": "Add a sharing agreement",
            "caption": first_two[0].name if len(first_two) == 1 else "",
            "cancel_url": reverse("partnerships:agreement_list"),
        },
    )


def _changeable_agreement(
    request: AuthenticatedRequest, pk: UUID
) -> tuple[SharingAgreement | None, HttpResponse | None]:
    """The agreement if the actor may change it, otherwise the refusal to send (a 404 is raised
    for one they may not see at all)."""
    actor = request.actor
    if not policy.can_manage_agreements(actor):
        return None, forbidden(request, NOT_AN_ADMIN)
    agreement = policy.get_agreement_for_actor(actor, pk, shaped=selectors.agreements_shown)
    if not policy.can_change_agreement(actor, agreement):
        return None, forbidden(request, NOT_THE_OWNER.format(owner=agreement.owner.name))
    return agreement, None


@require_http_methods(["GET", "POST"])
def agreement_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    agreement, refusal = _changeable_agreement(request, pk)
    if refusal is not None:
        return refusal
    assert agreement is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may manage agreements, so a current member
    form = AgreementForm(
        bound_data(request),
        initial=agreement_initial(agreement),
        partnerships=None,
        organisations=agreement.partnership.organisations.order_by("name"),
    )
    detail_url = reverse("partnerships:agreement_detail", args=[agreement.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.agreement_update(
            actor=actor,
            agreement=agreement,
            data=form.data_for_service(),
            recipient_organisation_ids=data["recipient_organisations"],
            request=request,
        ),
        success_url=detail_url,
        message="The agreement has been saved",
    ):
        return response
    return render_form(
        request,
        "partnerships/agreement_form.html",
        {
            "form": form,
            "agreement": agreement,
            "heading": "Change the sharing agreement",
            "caption": agreement.title,
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_end_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    agreement, refusal = _changeable_agreement(request, pk)
    if refusal is not None:
        return refusal
    assert agreement is not None  # returned whenever there is no refusal
    actor = request.actor
    assert actor is not None  # may manage agreements, so a current member
    form = AgreementEndForm(bound_data(request))
    detail_url = reverse("partnerships:agreement_detail", args=[agreement.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.agreement_end(actor=actor, agreement=agreement, request=request),
        success_url=detail_url,
        message=f"{agreement.title} has ended. It no longer gives access.",
    ):
        return response
    return render_form(
        request,
        "partnerships/agreement_end.html",
        {"form": form, "agreement": agreement, "cancel_url": detail_url},
    )
