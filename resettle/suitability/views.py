"""Suitability pages: a person's current assessment and its history, recording a new one, and
asking the assessor for a review. Thin: rules in `rules`, reads in `selectors`, writes in
`services`. A person the actor may not see is the same 404 as one that does not exist."""

from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.core.http import AuthenticatedRequest
from resettle.suitability import selectors, services
from resettle.suitability.forms import ReviewRequestForm, SuitabilityAssessmentForm
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page

NOT_AN_ASSESSOR = (
    "Suitability assessments are recorded by probation, the prison resettlement team or the "
    "lead charity, by someone working with the person."
)
CANNOT_REQUEST = "Only partners who can see this person's suitability answers can ask for a review."


@require_GET
def person_suitability_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    assert actor is not None  # a member of no organisation sees no one: 404 above
    context: dict = {"person": person, "active_section": "suitability"}
    suitability = selectors.person_suitability(actor=actor, person=person, request=request)
    if suitability is None:
        return render(request, "suitability/person.html", context | {"shared": False})
    current = suitability.current
    assessments = [a for a in [current, *suitability.earlier] if a is not None]
    asked_by_us = next(
        (
            r
            for r in suitability.open_requests
            if current is not None
            and r.assessment_id == current.pk
            and r.organisation_id == actor.organisation_id
        ),
        None,
    )
    may_request = policy.can_request_suitability_review(actor, person)
    return render(
        request,
        "suitability/person.html",
        context
        | {
            "shared": True,
            "current": current,
            "earlier": suitability.earlier,
            "open_requests": suitability.open_requests,
            "names_visible": {
                a.pk for a in assessments if policy.can_see_named_people_to_avoid(actor, a)
            },
            "can_record": policy.can_record_suitability(actor, person),
            "can_follow_offending": policy.can_follow_offending_from_suitability(actor, person),
            "can_request_review": may_request and current is not None and asked_by_us is None,
            "asked_by_us": asked_by_us,
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_record_suitability(actor, person):
        return forbidden(request, NOT_AN_ASSESSOR)
    assert actor is not None  # may record, so a current member
    form = SuitabilityAssessmentForm(
        bound_data(request),
        initial={"assessor_contact": actor.user.email or actor.organisation.phone},
    )
    person_url = reverse("suitability:person", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.suitability_assessment_record(
            actor=actor, person=person, data=form.assessment_data(), request=request
        ),
        success_url=person_url,
        message="The suitability assessment has been recorded",
    ):
        return response
    return render_form(
        request,
        "suitability/assessment_form.html",
        {"form": form, "person": person, "cancel_url": person_url},
    )


@require_http_methods(["GET", "POST"])
def review_request_view(
    request: AuthenticatedRequest, pk: UUID, assessment_pk: UUID
) -> HttpResponse:
    """Asks "are you sure?" with room for a note, then records the request on POST."""
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    assessment = policy.get_assessment_for_actor(actor, assessment_pk)
    if assessment.person_id != person.pk:
        raise Http404("No such assessment")
    if not policy.can_request_suitability_review(actor, person):
        return forbidden(request, CANNOT_REQUEST)
    assert actor is not None  # may ask, so a current member
    form = ReviewRequestForm(bound_data(request))
    form.layout.title = f"Ask {assessment.assessor_name} to review this suitability assessment?"
    person_url = reverse("suitability:person", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.suitability_review_request(
            actor=actor, assessment=assessment, note=data["note"], request=request
        ),
        success_url=person_url,
        message=f"{assessment.assessor_name} has been asked for a review",
    ):
        return response
    return render_form(
        request,
        "suitability/review_request.html",
        {"form": form, "person": person, "assessment": assessment, "cancel_url": person_url},
    )
