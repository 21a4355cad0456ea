"""A person's consents: the list, recording one, and withdrawing one. Anyone who may open the
person's record sees their consents; caseworkers and referrers record and withdraw them. A person
the actor may not see, or a consent not theirs, is the same 404 as one that does not exist."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.access.categories import Category
from resettle.consent import selectors, services
from resettle.consent.forms import ConsentForm
from resettle.core.http import AuthenticatedRequest
from resettle.partnerships.selectors import category_labels, kind_labels
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.forms import GovukForm
from resettle.web.pages import forbidden, person_for_page

CANNOT_RECORD = (
    "Only caseworkers and referrers working with this person can record or withdraw consent."
)


@require_GET
def person_consents_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    consents = list(selectors.consent_list(actor=actor, person=person))
    for consent in consents:
        consent.category_labels = category_labels(consent.categories)
        consent.kind_labels = kind_labels(consent.organisation_kinds)
    visible = policy.categories_visible(actor, person)
    return render(
        request,
        "consent/person_consents.html",
        {
            "person": person,
            "active_section": "consent",
            "consents": consents,
            "visible_labels": [c.label for c in Category if c in visible],
            "can_record": policy.can_record_consent(actor, person),
        },
    )


@require_http_methods(["GET", "POST"])
def consent_record_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    if not policy.can_record_consent(actor, person):
        return forbidden(request, CANNOT_RECORD)
    assert actor is not None  # may record consent, so a current member
    form = ConsentForm(
        bound_data(request),
        person=person,
        organisations=selectors.organisations_to_name(actor=actor),
    )
    consents_url = reverse("consent:person_consents", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.consent_record(
            actor=actor, person=person, request=request, **form.service_arguments()
        ),
        success_url=consents_url,
        message="The consent has been recorded",
    ):
        return response
    return render_form(
        request,
        "consent/record.html",
        {"form": form, "person": person, "cancel_url": consents_url},
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw_view(
    request: AuthenticatedRequest, pk: UUID, consent_pk: UUID
) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    consent = policy.get_consent_for_actor(
        actor=actor, consent_id=consent_pk, person=person, shaped=selectors.consents_shown
    )
    if not policy.can_record_consent(actor, person):
        return forbidden(request, CANNOT_RECORD)
    assert actor is not None  # may record consent, so a current member
    # No fields: the form carries the CSRF token and any reason the withdrawal was refused.
    form = GovukForm(bound_data(request))
    consents_url = reverse("consent:person_consents", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.consent_withdraw(actor=actor, consent=consent, request=request),
        success_url=consents_url,
        message="The consent has been withdrawn. It no longer applies.",
    ):
        return response
    consent.category_labels = category_labels(consent.categories)
    consent.kind_labels = kind_labels(consent.organisation_kinds)
    return render_form(
        request,
        "consent/withdraw.html",
        {"form": form, "person": person, "consent": consent, "cancel_url": consents_url},
    )
