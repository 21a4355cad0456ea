"""Contact pages: a person's contacts, logging one (fast, on a phone), one contact, and the
whole family's support. Thin: rules in `access.policy`, reads in `selectors`, writes in
`services`."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.cases.models import CaseState
from resettle.contacts import selectors, services
from resettle.contacts.forms import ContactFilterForm, ContactForm
from resettle.contacts.models import Contact
from resettle.core.http import AuthenticatedRequest
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import page_of

PAGE_SIZE = 25
NO_LIVE_CASE = (
    "Contacts are recorded on a live case of your organisation, by the people who work on it "
    "(a peer mentor on the cases they mentor). Open a case first, or reopen a closed one."
)


@require_GET
def person_contacts_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    filters = ContactFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "newest")
    contacts = selectors.person_contacts(
        actor=actor,
        person=person,
        outcome=chosen.get("outcome", ""),
        kind=chosen.get("kind", ""),
        pathway=chosen.get("pathway", ""),
        sort=sort,
    )
    page = page_of(request, contacts, PAGE_SIZE)
    shown = list(page.object_list)
    selectors.audit_note_reads(actor=actor, person=person, contacts=shown, request=request)
    return render(
        request,
        "contacts/person_contacts.html",
        {
            "person": person,
            "active_section": "contacts",
            "filters": filters,
            "page_obj": page,
            "contacts": shown,
            "sort": "oldest" if sort == "oldest" else "newest",
            "filtered": any(chosen.values()),
            "can_record": bool(services.recordable_cases(actor, person)),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = services.recordable_cases(actor, person)
    assert actor is not None  # a member of no organisation sees no one: 404 above
    if not cases:
        closed = (
            policy.cases_for_person(actor, person)
            .filter(organisation_id=actor.organisation_id, state=CaseState.CLOSED)
            .exists()
        )
        if closed:
            return forbidden(request, services.CASE_CLOSED)
        return forbidden(request, NO_LIVE_CASE)
    form = ContactForm(bound_data(request), cases=cases)

    def record(data: dict[str, Any]) -> Contact:
        try:
            return services.contact_record(
                actor=actor, case=data["case"], data=form.contact_data(), request=request
            )
        except ValidationError as exc:
            raise _on_form_fields(exc) from exc

    if response := run_form(
        request,
        form,
        record,
        success_url=reverse(
            "contacts:create" if "another" in request.POST else "contacts:person_list",
            args=[person.pk],
        ),
        message=lambda contact: (
            f"Contact on {contact.happened_at:%-d %B %Y} recorded. You can log another below."
        ),
    ):
        return response
    return render_form(
        request,
        "contacts/contact_form.html",
        {
            "form": form,
            "person": person,
            "cancel_url": reverse("contacts:person_list", args=[person.pk]),
        },
    )


def _on_form_fields(exc: ValidationError) -> ValidationError:
    """The service speaks of `happened_at`; the form asks for a date and a time."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = exc.message_dict
    if "happened_at" in errors:
        errors["happened_on"] = errors.pop("happened_at")
    return ValidationError(errors)


@require_GET
def contact_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    contact = policy.get_contact_for_actor(actor, pk)
    person = person_for_page(actor, contact.person_id)
    selectors.audit_note_reads(actor=actor, person=person, contacts=[contact], request=request)
    return render(
        request,
        "contacts/contact_detail.html",
        {"person": person, "contact": contact, "active_section": "contacts"},
    )


@require_GET
def family_support_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    support = selectors.family_support(actor=actor, person=person, request=request)
    return render(
        request,
        "contacts/family_support.html",
        {"person": person, "support": support, "active_section": "family"},
    )
