"""Register pages: the sessions of the day, one session's register (one screen on a phone at
the side of a pitch), notes, cancelling, a programme's cohort and one enrolment. Thin: rules in
`access.policy`, reads in `selectors`, writes in `services`."""

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access import policy
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.directory.models import Service
from resettle.registers import selectors, services
from resettle.registers.forms import (
    CancelForm,
    CompleteForm,
    FeedbackForm,
    GenerateForm,
    HeadcountForm,
    MarkForm,
    MoveForm,
    NoteForm,
    SessionForm,
    SignUpForm,
)
from resettle.registers.lifecycle import ACTIONS
from resettle.registers.models import AttendanceStatus, Session
from resettle.registers.services import Mark
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden

DAYS_SHOWN = 7
NOT_YOUR_REGISTER = "Only the organisation running this session can take its register."
# The marks a register offers, in the order its buttons show them.
MARKS = [(s.value, s.label) for s in AttendanceStatus]


def _register_session(request: AuthenticatedRequest, pk: UUID) -> Session:
    """The session (or the policy's 404); the caller checks the actor may take its register."""
    return policy.get_session_for_actor(request.actor, pk)


@require_GET
def session_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """The actor's organisation's sessions for a week from the day asked (today)."""
    try:
        start = parse_date(request.GET.get("from", "")) or timezone.localdate()
    except ValueError:  # shaped like a date but not one (2026-02-30)
        start = timezone.localdate()
    sessions = selectors.session_list(
        actor=request.actor, start=start, end=start + timedelta(days=DAYS_SHOWN)
    )
    return render(
        request,
        "registers/session_list.html",
        {
            "sessions": list(sessions),
            "start": start,
            "previous": start - timedelta(days=DAYS_SHOWN),
            "next": start + timedelta(days=DAYS_SHOWN),
            "today": timezone.localdate(),
            "plannable": selectors.plannable_services(actor=request.actor),
        },
    )


def _planned_service(request: AuthenticatedRequest, pk: UUID) -> Service | HttpResponse:
    service = policy.get_service_for_actor(request.actor, pk)
    if not policy.can_plan_sessions(request.actor, service):
        return forbidden(request, services.PLANNERS_ONLY)
    return service


@require_http_methods(["GET", "POST"])
def session_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """A one-off session of a service of the actor's organisation."""
    service = _planned_service(request, pk)
    if isinstance(service, HttpResponse):
        return service
    actor = request.actor
    assert actor is not None
    form = SessionForm(bound_data(request), initial={"capacity": service.capacity})

    def create(data: dict[str, Any]) -> Session:
        try:
            return services.session_create(
                actor=actor, service=service, data=form.session_data(), request=request
            )
        except ValidationError as exc:
            raise ValidationError({"ends": exc.messages}) from exc

    if response := run_form(
        request,
        form,
        create,
        success_url=lambda session: reverse("registers:register", args=[session.pk]),
        message="Session added",
    ):
        return response
    return render_form(request, "registers/service_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
def sessions_generate_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The coming weeks' sessions from the service's schedules (none made twice)."""
    service = _planned_service(request, pk)
    if isinstance(service, HttpResponse):
        return service
    actor = request.actor
    assert actor is not None
    form = GenerateForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.sessions_generate(
            actor=actor, service=service, weeks=data["weeks"], request=request
        ),
        success_url=reverse("registers:session_list"),
        message=lambda made: f"{len(made)} new sessions of {service.name}",
    ):
        return response
    return render_form(request, "registers/service_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
def register_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_take_register(actor, session):
        return forbidden(request, NOT_YOUR_REGISTER)
    assert actor is not None  # a member of no organisation sees no session: 404 above
    form = MarkForm(bound_data(request))

    def take(data: dict[str, Any]) -> list[services.MarkResult]:
        person, status = data["mark"]
        return services.attendance_mark(
            actor=actor,
            session=session,
            marks=[
                Mark(
                    key=form.key(),
                    person_id=person,
                    status=status,
                    over_capacity_reason=data["over_capacity_reason"],
                )
            ],
            request=request,
        )

    if response := run_form(
        request,
        form,
        take,
        success_url=reverse("registers:register", args=[session.pk]),
        message=lambda results: (
            f"{results[0].attendance.person.full_name}: "
            f"{results[0].attendance.get_status_display().lower()}"
        ),
    ):
        return response
    register = selectors.register_for(actor=actor, session=session, request=request)
    return render_form(
        request,
        "registers/register.html",
        {
            "form": form,
            "session": session,
            "register": register,
            "marks": MARKS,
            "headcount_form": HeadcountForm(
                initial={"unregistered_headcount": session.unregistered_headcount}
            ),
            "can_plan": policy.can_plan_sessions(actor, session.service),
        },
    )


@require_POST
def marks_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The register's marks a phone kept while offline, sent as JSON when it is back:
    `{"marks": [{"key", "person", "status", "over_capacity_reason"}]}`. Each key is taken
    once; the answer says which marks were new."""
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_take_register(actor, session):
        return JsonResponse({"detail": NOT_YOUR_REGISTER}, status=403)
    assert actor is not None
    try:
        body = json.loads(request.body or b"{}")
        marks = [
            Mark(
                key=str(item["key"]),
                person_id=str(item["person"]),
                status=str(item["status"]),
                over_capacity_reason=str(item.get("over_capacity_reason") or ""),
            )
            for item in body["marks"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"detail": 'Send {"marks": [{"key", "person", "status"}]}'}, status=400)
    try:
        results = services.attendance_mark(
            actor=actor, session=session, marks=marks, request=request
        )
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"detail": exc.message}, status=403)
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message}, status=422)
    return JsonResponse(
        {
            "results": [
                {
                    "key": r.key,
                    "person": str(r.attendance.person_id),
                    "status": r.attendance.status,
                    "new": r.new,
                }
                for r in results
            ]
        }
    )


@require_http_methods(["GET", "POST"])
def headcount_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_take_register(actor, session):
        return forbidden(request, NOT_YOUR_REGISTER)
    assert actor is not None
    form = HeadcountForm(
        bound_data(request), initial={"unregistered_headcount": session.unregistered_headcount}
    )
    if response := run_form(
        request,
        form,
        lambda data: services.session_headcount_set(
            actor=actor,
            session=session,
            headcount=data["unregistered_headcount"],
            request=request,
        ),
        success_url=reverse("registers:register", args=[session.pk]),
        message=lambda s: f"Headcount saved: {s.unregistered_headcount}",
    ):
        return response
    return render_form(
        request,
        "registers/session_form.html",
        {"form": form, "session": session, "heading": "Headcount"},
    )


@require_http_methods(["GET", "POST"])
def note_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_take_register(actor, session):
        return forbidden(request, NOT_YOUR_REGISTER)
    assert actor is not None
    register = selectors.register_for(actor=actor, session=session, request=request)
    people = [row.person for row in register.rows]
    form = NoteForm(bound_data(request), people=people)
    if response := run_form(
        request,
        form,
        lambda data: services.session_note_record(
            actor=actor,
            session=session,
            person=form.people[data["person"]],
            text=data["text"],
            concern=data["concern"],
            notify_referrer=data["notify_referrer"],
            request=request,
        ),
        success_url=reverse("registers:register", args=[session.pk]),
        message=lambda note: "Concern noted" if note.concern else "Note saved",
    ):
        return response
    return render_form(request, "registers/session_form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def sign_up_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Quick sign-up at an open session: someone new is added, enrolled and marked here."""
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_take_register(actor, session):
        return forbidden(request, NOT_YOUR_REGISTER)
    assert actor is not None
    form = SignUpForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.session_sign_up(
            actor=actor,
            session=session,
            given_name=data["given_name"],
            family_name=data["family_name"],
            reason=data["reason"],
            request=request,
        ),
        success_url=reverse("registers:register", args=[session.pk]),
        message=lambda attendance: f"{attendance.person.full_name} signed up and marked here",
    ):
        return response
    return render_form(request, "registers/session_form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_cancel_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_plan_sessions(actor, session.service):
        return forbidden(request, services.PLANNERS_ONLY)
    assert actor is not None
    form = CancelForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.session_cancel(
            actor=actor, session=session, reason=data["reason"], request=request
        ),
        success_url=reverse("registers:register", args=[session.pk]),
        message="Session cancelled",
    ):
        return response
    return render_form(request, "registers/session_form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_move_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    session = _register_session(request, pk)
    if not policy.can_plan_sessions(actor, session.service):
        return forbidden(request, services.PLANNERS_ONLY)
    assert actor is not None
    form = MoveForm(bound_data(request), session=session)

    def move(data: dict[str, Any]) -> Session:
        try:
            return services.session_move(
                actor=actor,
                session=session,
                starts_at=form.moment("starts"),
                ends_at=form.moment("ends"),
                reason=data["reason"],
                request=request,
            )
        except ValidationError as exc:
            # The session speaks of its times; the form asks for a date and two clock times.
            raise ValidationError({"ends": exc.messages}) from exc

    if response := run_form(
        request,
        form,
        move,
        success_url=reverse("registers:register", args=[session.pk]),
        message="Session moved",
    ):
        return response
    return render_form(request, "registers/session_form.html", {"form": form, "session": session})


@require_GET
def programme_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    programme = policy.get_programme_for_actor(actor, pk)
    progress = selectors.programme_progress(actor=actor, programme=programme, request=request)
    return render(
        request,
        "registers/programme_detail.html",
        {
            "programme": programme,
            "progress": progress,
            "completed": sum(1 for p in progress if p.enrolment.state == "completed"),
        },
    )


@require_GET
def enrolment_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    enrolment = policy.get_enrolment_for_actor(actor, pk)
    return render(
        request,
        "registers/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "progress": selectors.progress_of(enrolment=enrolment),
            "notes": selectors.enrolment_notes(actor=actor, enrolment=enrolment),
            "actions": ACTIONS.available(actor, enrolment, enrolment.state),
            "can_record_feedback": policy.can_manage_enrolment(actor, enrolment),
        },
    )


@require_http_methods(["GET", "POST"])
def enrolment_complete_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    enrolment = policy.get_enrolment_for_actor(actor, pk)
    if not policy.can_confirm_completion(actor, enrolment):
        return forbidden(request, ACTIONS["complete"].refusal_for(enrolment))
    assert actor is not None
    with_award = bool(enrolment.programme and enrolment.programme.award_name)
    form = CompleteForm(bound_data(request), with_award=with_award)
    if response := run_form(
        request,
        form,
        lambda data: services.enrolment_complete(
            actor=actor,
            enrolment=enrolment,
            completed_on=data.get("completed_on"),
            award_achieved_on=data.get("award_achieved_on"),
            request=request,
        ),
        success_url=reverse("registers:enrolment", args=[enrolment.pk]),
        message="Completion confirmed",
    ):
        return response
    return render_form(
        request, "registers/enrolment_form.html", {"form": form, "enrolment": enrolment}
    )


@require_http_methods(["GET", "POST"])
def enrolment_feedback_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    enrolment = policy.get_enrolment_for_actor(actor, pk)
    if not policy.can_manage_enrolment(actor, enrolment):
        return forbidden(request, "Only the organisation running the service records feedback.")
    assert actor is not None
    form = FeedbackForm(
        bound_data(request),
        initial={"rating": enrolment.feedback_rating, "feedback": enrolment.feedback},
    )
    if response := run_form(
        request,
        form,
        lambda data: services.enrolment_feedback_record(
            actor=actor,
            enrolment=enrolment,
            rating=data["rating"],
            feedback=data["feedback"],
            request=request,
        ),
        success_url=reverse("registers:enrolment", args=[enrolment.pk]),
        message="Feedback saved",
    ):
        return response
    return render_form(
        request, "registers/enrolment_form.html", {"form": form, "enrolment": enrolment}
    )
