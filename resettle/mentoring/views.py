"""Mentoring pages: mentor profiles and their supervision notes, and for one person their
mentoring, preferences, the matching page, allocation, reallocation and ending.

Thin: rules in `resettle.access.policy`, reads in `selectors`, writes in `services`. A person or
mentor the actor may not see is the same 404 as one that does not exist."""

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.core.exceptions import ApplicationError
from resettle.core.http import AuthenticatedRequest
from resettle.mentoring import selectors, services
from resettle.mentoring.forms import (
    AllocateForm,
    EndMentoringForm,
    MenteePreferencesForm,
    MentorProfileForm,
    SupervisionNoteForm,
)
from resettle.mentoring.matching import mentor_problems
from resettle.mentoring.models import MentorProfile
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import page_of

if TYPE_CHECKING:
    from resettle.mentoring.selectors import ProfileWithCount

PAGE_SIZE = 25
NOT_FOR_ROLE = "Mentor profiles are for mentoring organisations' staff and their peer mentors."
CANNOT_ALLOCATE = (
    "Mentors are matched and allocated by caseworkers and coordinators in the mentoring "
    "organisation working with this person."
)
STATUSES = (
    ("", "All"),
    ("active", "Taking on mentees"),
    ("inactive", "On a break"),
    ("expired", "DBS check out of date"),
)


# Mentor profiles -------------------------------------------------------------------------------


@require_GET
def mentor_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_mentor_profiles(actor):
        return forbidden(request, NOT_FOR_ROLE)
    status = request.GET.get("status", "")
    if status not in dict(STATUSES):
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    profiles = selectors.mentor_profiles(actor=actor, status=status, query=query)
    page = page_of(request, profiles, PAGE_SIZE)
    return render(
        request,
        "mentoring/mentor_list.html",
        {
            "page_obj": page,
            "profiles": page.object_list,
            "status": status,
            "statuses": STATUSES,
            "query": query,
            "is_filtered": bool(status or query),
            "can_create": policy.can_manage_mentors(actor),
        },
    )


@require_http_methods(["GET", "POST"])
def mentor_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_manage_mentors(actor):
        return forbidden(request, "Only caseworkers, coordinators and admins add mentor profiles.")
    assert actor is not None  # may manage mentors, so a current member
    mentors = services.mentors_without_profile(actor=actor)
    # With no one left to choose, the form cannot be valid: the page says so instead.
    form = MentorProfileForm(bound_data(request), mentors=mentors)
    if response := run_form(
        request,
        form,
        lambda data: services.mentor_profile_create(
            actor=actor,
            user=next(u for u in mentors if str(u.pk) == data["user"]),
            data=form.profile_data(),
            request=request,
        ),
        success_url=lambda profile: reverse("mentoring:mentor_detail", args=[profile.pk]),
        message=lambda profile: f"{profile} now has a mentor profile",
    ):
        return response
    return render_form(
        request,
        "mentoring/mentor_form.html",
        {
            "form": form,
            "heading": "Add a mentor profile",
            "button": "Add profile",
            "no_mentors": not mentors,
            "cancel_url": reverse("mentoring:mentor_list"),
        },
    )


@require_GET
def mentor_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    profile: ProfileWithCount = policy.get_mentor_profile_for_actor(
        actor, pk, shaped=selectors.with_mentee_counts
    )
    return render(
        request,
        "mentoring/mentor_detail.html",
        {
            "profile": profile,
            "problems": mentor_problems(profile, profile.current_mentees, date.today()),
            "mentees": selectors.current_mentees(actor=actor, profile=profile),
            "can_edit": policy.can_edit_mentor_profile(actor, profile),
            "can_read_supervision": policy.can_read_supervision_notes(actor, profile),
        },
    )


def _profile_initial(profile: MentorProfile) -> dict:
    return {name: getattr(profile, name) for name in services.PROFILE_FIELDS}


@require_http_methods(["GET", "POST"])
def mentor_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    profile = policy.get_mentor_profile_for_actor(actor, pk, shaped=selectors.with_mentee_counts)
    if not policy.can_edit_mentor_profile(actor, profile):
        return forbidden(request, "Only your organisation's managers change mentor profiles.")
    assert actor is not None  # may manage mentors, so a current member
    form = MentorProfileForm(bound_data(request), initial=_profile_initial(profile))
    detail_url = reverse("mentoring:mentor_detail", args=[profile.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.mentor_profile_update(
            actor=actor, profile=profile, data=form.profile_data(), request=request
        ),
        success_url=detail_url,
        message=f"{profile}'s profile has been updated",
    ):
        return response
    return render_form(
        request,
        "mentoring/mentor_form.html",
        {
            "form": form,
            "profile": profile,
            "heading": f"Change {profile}'s profile",
            "button": "Save changes",
            "cancel_url": detail_url,
        },
    )


@require_GET
def supervision_list_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    profile = policy.get_mentor_profile_for_actor(actor, pk, shaped=selectors.with_mentee_counts)
    if not policy.can_read_supervision_notes(actor, profile):
        return forbidden(request, "Supervision notes are for the mentor and their managers.")
    return render(
        request,
        "mentoring/supervision_list.html",
        {
            "profile": profile,
            "notes": selectors.supervision_notes(actor=actor, profile=profile),
            "can_write": policy.can_write_supervision_notes(actor, profile),
        },
    )


@require_http_methods(["GET", "POST"])
def supervision_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    profile = policy.get_mentor_profile_for_actor(actor, pk, shaped=selectors.with_mentee_counts)
    if not policy.can_write_supervision_notes(actor, profile):
        return forbidden(
            request, "Only managers in the mentor's organisation write supervision notes."
        )
    assert actor is not None  # may manage mentors, so a current member
    form = SupervisionNoteForm(bound_data(request))
    notes_url = reverse("mentoring:supervision", args=[profile.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.supervision_note_create(
            actor=actor,
            mentor=profile,
            held_on=data["held_on"],
            note=data["note"],
            request=request,
        ),
        success_url=notes_url,
        message="The supervision note has been added",
    ):
        return response
    return render_form(
        request,
        "mentoring/supervision_form.html",
        {"form": form, "profile": profile, "cancel_url": notes_url},
    )


# One person's mentoring ------------------------------------------------------------------------


def _person_for_allocation(request: AuthenticatedRequest, pk: UUID):
    """The person, or a 404; and a 403 page when the actor may not allocate mentors."""
    actor = request.actor
    person = person_for_page(actor, pk)
    if not policy.can_allocate_mentor(actor, person):
        return person, forbidden(request, CANNOT_ALLOCATE)
    return person, None


@require_GET
def person_mentoring_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person, refused = _person_for_allocation(request, pk)
    if refused:
        return refused
    assert actor is not None  # may allocate mentors, so a current member
    return render(
        request,
        "mentoring/person.html",
        {
            "person": person,
            "active_section": "mentoring",
            "current": selectors.current_allocation(actor=actor, person=person),
            "history": selectors.allocation_history(actor=actor, person=person),
            "preferences": selectors.preferences_for(actor=actor, person=person),
            "case": selectors.live_case(actor=actor, person=person),
        },
    )


@require_http_methods(["GET", "POST"])
def preferences_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person, refused = _person_for_allocation(request, pk)
    if refused:
        return refused
    assert actor is not None  # may allocate mentors, so a current member
    preferences = selectors.preferences_for(actor=actor, person=person)
    initial = (
        {name: getattr(preferences, name) for name in services.PREFERENCE_FIELDS}
        if preferences
        else {}
    )
    form = MenteePreferencesForm(bound_data(request), initial=initial)
    if response := run_form(
        request,
        form,
        lambda data: services.mentee_preferences_save(
            actor=actor, person=person, data=form.preference_data(), request=request
        ),
        success_url=reverse("mentoring:match", args=[person.pk]),
        message="Their mentor preferences have been saved",
    ):
        return response
    return render_form(
        request,
        "mentoring/preferences.html",
        {
            "form": form,
            "person": person,
            "cancel_url": reverse("mentoring:person", args=[person.pk]),
        },
    )


@require_GET
def match_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person, refused = _person_for_allocation(request, pk)
    if refused:
        return refused
    assert actor is not None  # may allocate mentors, so a current member
    preferences = selectors.preferences_for(actor=actor, person=person)
    suitability = selectors.suitability_for_mentoring(actor=actor, person=person, request=request)
    current = selectors.current_allocation(actor=actor, person=person)
    matches = (
        []
        if suitability.blocks
        else selectors.mentor_matches(actor=actor, person=person, preferences=preferences)
    )
    return render(
        request,
        "mentoring/match.html",
        {
            "person": person,
            "active_section": "mentoring",
            "preferences": preferences,
            "suitability": suitability,
            "current": current,
            "available": [m for m in matches if m.available],
            "need_override": [m for m in matches if m.problems and not m.excluded],
            "excluded": [m for m in matches if m.excluded],
            "has_mentors": bool(matches),
            "can_override": policy.can_override_mentor_checks(actor),
            "action": "mentoring:reallocate" if current else "mentoring:allocate",
        },
    )


def _chosen_mentor(actor, value) -> MentorProfile | None:
    if not value:
        return None
    try:
        return policy.get_mentor_profile_for_actor(
            actor, value, shaped=selectors.with_mentee_counts
        )
    except Http404:
        return None


@require_http_methods(["GET", "POST"])
def allocate_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _allocation_page(request, pk, reallocating=False)


@require_http_methods(["GET", "POST"])
def reallocate_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _allocation_page(request, pk, reallocating=True)


def _allocation_page(
    request: AuthenticatedRequest, pk: UUID, *, reallocating: bool
) -> HttpResponse:
    """Confirm one mentor chosen on the matching page (GET ?mentor=), then allocate (POST)."""
    actor = request.actor
    person, refused = _person_for_allocation(request, pk)
    if refused:
        return refused
    assert actor is not None  # may allocate mentors, so a current member
    posted = bound_data(request)
    mentor = _chosen_mentor(actor, (posted or request.GET).get("mentor"))
    current = selectors.current_allocation(actor=actor, person=person)
    if mentor is None and posted is None:
        messages.info(request, "Choose a mentor from the list")
        return redirect("mentoring:match", pk=person.pk)
    if bool(current) != reallocating and posted is None:
        return redirect("mentoring:match", pk=person.pk)
    problems = (
        mentor_problems(mentor, selectors.mentee_count(mentor), date.today()) if mentor else []
    )
    form = AllocateForm(
        posted,
        initial={"mentor": mentor.pk if mentor else None},
        needs_override=bool(problems) and policy.can_override_mentor_checks(actor),
        reallocating=reallocating,
        mentor=mentor,
        given_name=person.given_name,
    )

    def allocate(data: dict) -> None:
        if mentor is None:
            raise ApplicationError("Choose a mentor from the list")
        override_reason = data.get("override_reason", "")
        if reallocating:
            services.mentor_reallocate(
                actor=actor,
                person=person,
                mentor=mentor,
                note=data.get("note", ""),
                override_reason=override_reason,
                request=request,
            )
        else:
            services.mentor_allocate(
                actor=actor,
                person=person,
                mentor=mentor,
                override_reason=override_reason,
                request=request,
            )

    if response := run_form(
        request,
        form,
        allocate,
        success_url=reverse("mentoring:person", args=[person.pk]),
        message=f"{mentor} is now {person.full_name}'s mentor",
    ):
        return response
    return render_form(
        request,
        "mentoring/allocate.html",
        {
            "form": form,
            "person": person,
            "mentor": mentor,
            "current": current,
            "problems": problems,
            "can_override": policy.can_override_mentor_checks(actor),
            # A mentor with problems can be allocated only by someone who may override them.
            "cannot_allocate": mentor is None
            or (bool(problems) and not policy.can_override_mentor_checks(actor)),
            "reallocating": reallocating,
            "cancel_url": reverse("mentoring:match", args=[person.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def end_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person, refused = _person_for_allocation(request, pk)
    if refused:
        return refused
    assert actor is not None  # may allocate mentors, so a current member
    current = selectors.current_allocation(actor=actor, person=person)
    if current is None and request.method == "GET":
        messages.info(request, f"{person.full_name} has no mentor now")
        return redirect("mentoring:person", pk=person.pk)
    form = EndMentoringForm(
        bound_data(request),
        mentor=current.mentor if current else None,
        given_name=person.given_name,
    )
    if response := run_form(
        request,
        form,
        lambda data: services.mentor_allocation_end(
            actor=actor,
            person=person,
            end_reason=data["end_reason"],
            note=data["note"],
            request=request,
        ),
        success_url=reverse("mentoring:person", args=[person.pk]),
        message="The mentoring has ended",
    ):
        return response
    return render_form(
        request,
        "mentoring/end.html",
        {
            "form": form,
            "person": person,
            "current": current,
            "cancel_url": reverse("mentoring:person", args=[person.pk]),
        },
    )
