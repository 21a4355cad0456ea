"""Offence and risk pages: a person's sentence, RoSH and MAPPA and licence conditions with their
history, recording each, correcting a sentence and ending a licence condition. Thin: rules in
`policy`, reads in `selectors`, writes in `services`. A person or record the actor may not see
is the same 404 as one that does not exist."""

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.core.http import AuthenticatedRequest
from resettle.offending import selectors, services
from resettle.offending.forms import (
    EndLicenceConditionForm,
    LicenceConditionForm,
    RiskAssessmentForm,
    SentenceCorrectionForm,
    SentenceForm,
)
from resettle.offending.models import LicenceCondition, Sentence
from resettle.people.models import Person
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page

SECTION = "offence_and_risk"


def _person_url(pk: UUID) -> str:
    return reverse("offending:person", args=[pk])


@require_GET
def person_offending_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    context: dict = {"person": person, "active_section": SECTION}
    record = selectors.offence_record(actor=actor, person=person, request=request)
    if record is None:
        return render(request, "offending/person.html", context | {"shared": False})
    return render(
        request,
        "offending/person.html",
        context
        | {
            "shared": True,
            "record": record,
            "can_record": policy.can_record_offending(actor, person),
        },
    )


def _record_page(
    request: AuthenticatedRequest,
    pk: UUID,
    form_class: type[SentenceForm | RiskAssessmentForm | LicenceConditionForm],
    record: Callable[..., object],
    message: str,
) -> HttpResponse:
    """The page of one form adding to the record: the same checks, runner and template."""
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_record_offending(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record, so a current member
    form = form_class(bound_data(request))
    url = _person_url(person.pk)
    if response := run_form(
        request,
        form,
        lambda data: record(actor=actor, person=person, data=data, request=request),
        success_url=url,
        message=message,
    ):
        return response
    return render_form(
        request, "offending/form.html", {"form": form, "person": person, "cancel_url": url}
    )


@require_http_methods(["GET", "POST"])
def sentence_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _record_page(
        request, pk, SentenceForm, services.sentence_record, "The sentence has been recorded"
    )


@require_http_methods(["GET", "POST"])
def risk_assessment_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _record_page(
        request,
        pk,
        RiskAssessmentForm,
        services.risk_assessment_record,
        "The risk assessment has been recorded",
    )


@require_http_methods(["GET", "POST"])
def licence_condition_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _record_page(
        request,
        pk,
        LicenceConditionForm,
        services.licence_condition_record,
        "The licence condition has been added",
    )


R = TypeVar("R", Sentence, LicenceCondition)


def _persons_record(
    actor: Any, pk: UUID, get_record: Callable[[Any, UUID], R], record_id: UUID
) -> tuple[Person, R]:
    """The person and one of their offence records, or the same 404 whether either is missing,
    not the actor's to read, or the record is someone else's."""
    person = policy.get_person_for_actor(actor, pk)
    record = get_record(actor, record_id)
    if record.person_id != person.pk:
        raise Http404("No such record")
    return person, record


@require_http_methods(["GET", "POST"])
def sentence_correct_view(
    request: AuthenticatedRequest, pk: UUID, sentence_id: UUID
) -> HttpResponse:
    actor = request.actor
    person, sentence = _persons_record(actor, pk, policy.get_sentence_for_actor, sentence_id)
    if not policy.can_record_offending(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record, so a current member
    form = SentenceCorrectionForm(bound_data(request), instance=sentence)
    url = _person_url(person.pk)
    if response := run_form(
        request,
        form,
        lambda data: services.sentence_correct(
            actor=actor,
            sentence=sentence,
            data=form.correction(),
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        ),
        success_url=url,
        message="The sentence has been corrected",
    ):
        return response
    # The form shows the sentence as recorded: a read of the offence record.
    selectors.record_offending_read(actor=actor, person=person, request=request)
    return render_form(
        request, "offending/form.html", {"form": form, "person": person, "cancel_url": url}
    )


@require_http_methods(["GET", "POST"])
def licence_condition_end_view(
    request: AuthenticatedRequest, pk: UUID, condition_id: UUID
) -> HttpResponse:
    """Asks "are you sure?" with the end date, then ends the condition on POST."""
    actor = request.actor
    person, condition = _persons_record(
        actor, pk, policy.get_licence_condition_for_actor, condition_id
    )
    if not policy.can_record_offending(actor, person):
        return forbidden(request, services.CANNOT_RECORD)
    assert actor is not None  # may record, so a current member
    url = _person_url(person.pk)
    if condition.ends_on is not None:
        messages.info(
            request, f"This licence condition already ends on {condition.ends_on:%-d %B %Y}."
        )
        return redirect(url)
    form = EndLicenceConditionForm(bound_data(request), condition=condition)
    if response := run_form(
        request,
        form,
        lambda data: services.licence_condition_end(
            actor=actor,
            condition=condition,
            ends_on=data["ends_on"],
            expected_version=data["version"],
            request=request,
        ),
        success_url=url,
        message="The licence condition has been ended",
    ):
        return response
    # The page shows the condition's wording: a read of the offence record.
    selectors.record_offending_read(actor=actor, person=person, request=request)
    return render_form(
        request,
        "offending/end_condition.html",
        {"form": form, "person": person, "condition": condition, "cancel_url": url},
    )
