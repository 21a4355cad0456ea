"""Appointment pages: a person's appointments, booking one, one appointment with its actions
(reschedule, cancel, record what happened), the user's calendar address, and the calendar
feed itself. Thin: rules in `access.policy`, reads in `selectors`, writes in `services`."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access import policy
from resettle.appointments import selectors, services
from resettle.appointments.calendar import calendar_file
from resettle.appointments.forms import (
    BookForm,
    CancelForm,
    FeedForm,
    OutcomeForm,
    RescheduleForm,
)
from resettle.appointments.lifecycle import ACTIONS
from resettle.appointments.models import Appointment, AppointmentState
from resettle.contacts.models import ContactOutcome
from resettle.contacts.services import recordable_cases
from resettle.core.exceptions import ApplicationError
from resettle.core.http import AuthenticatedRequest
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import page_of

PAGE_SIZE = 25
NO_LIVE_CASE = (
    "Appointments are booked on a live case of your organisation, by the people who work on it "
    "(a peer mentor on the cases they mentor). Open a case first, or reopen a closed one."
)


def _when(appointment: Appointment) -> str:
    return f"{timezone.localtime(appointment.starts_at):%-d %B %Y at %H:%M}"


@require_GET
def person_appointments_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    state = request.GET.get("state", "")
    appointments = selectors.person_appointments(actor=actor, person=person, state=state)
    page = page_of(request, appointments, PAGE_SIZE)
    shown = list(page.object_list)
    selectors.audit_reads(actor=actor, appointments=shown, request=request)
    return render(
        request,
        "appointments/person_appointments.html",
        {
            "person": person,
            "active_section": "appointments",
            "page_obj": page,
            "appointments": shown,
            "state": state if state in AppointmentState.values else "",
            "states": AppointmentState.choices,
            "can_book": bool(recordable_cases(actor, person)),
        },
    )


def _on_form_fields(exc: ValidationError) -> ValidationError:
    """The services speak of `starts_at`; the forms ask for a date and a time."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = exc.message_dict
    if "starts_at" in errors:
        errors["on"] = errors.pop("starts_at")
    return ValidationError(errors)


def _asking_about_clashes(form: BookForm | RescheduleForm, call: Any) -> Any:
    """Run the service; a double booking becomes a question beside "Book it anyway"."""
    try:
        return call()
    except services.DoubleBooked as exc:
        form.clash = True
        raise ValidationError({"book_anyway": [exc.message]}) from exc
    except ValidationError as exc:
        raise _on_form_fields(exc) from exc


@require_http_methods(["GET", "POST"])
def appointment_book_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = recordable_cases(actor, person)
    if actor is None or not cases:
        return forbidden(request, NO_LIVE_CASE)
    # Booked from a case's page: that case is chosen already.
    chosen = next((c.pk for c in cases if str(c.pk) == request.GET.get("case")), None)
    form = BookForm(
        bound_data(request),
        cases=cases,
        people=policy.staff_who_may_meet(actor),
        actor_user=actor.user,
        initial={"case": chosen} if chosen else {},
    )
    form.clash = bool(request.POST.get("book_anyway"))

    def book(data: dict[str, Any]) -> Appointment:
        return _asking_about_clashes(
            form,
            lambda: services.appointment_book(
                actor=actor, request=request, **form.appointment_data()
            ),
        )

    if response := run_form(
        request,
        form,
        book,
        success_url=lambda appointment: reverse("appointments:detail", args=[appointment.pk]),
        message=lambda appointment: f"Appointment booked for {_when(appointment)}",
    ):
        return response
    return render_form(
        request,
        "appointments/book.html",
        {
            "form": form,
            "person": person,
            "contact_url": reverse("contacts:create", args=[person.pk]),
            "cancel_url": reverse("appointments:person_list", args=[person.pk]),
        },
    )


@require_GET
def appointment_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    appointment = policy.get_appointment_for_actor(actor, pk)
    selectors.audit_reads(actor=actor, appointments=[appointment], request=request)
    actions = ACTIONS.available(actor, appointment, appointment.state)
    started = appointment.starts_at <= timezone.now()
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "person": appointment.person,
            "active_section": "appointments",
            "changes": list(appointment.changes.select_related("changed_by")),
            "can_reschedule": "reschedule" in actions,
            "can_cancel": "cancel" in actions,
            "can_record_outcome": "record_outcome" in actions and started,
            "outcome_later": "record_outcome" in actions and not started,
        },
    )


@dataclass(frozen=True)
class ActionPage:
    """How one action of the appointment lifecycle looks on its page."""

    form: type[forms.Form]
    success: str


PAGES: dict[str, ActionPage] = {
    "reschedule": ActionPage(RescheduleForm, "Appointment moved to {when}"),
    "cancel": ActionPage(CancelForm, "Appointment cancelled"),
    "record_outcome": ActionPage(OutcomeForm, "Saved as a contact"),
}


def _initial(action: str, appointment: Appointment) -> dict[str, Any]:
    if action == "reschedule":
        local = timezone.localtime(appointment.starts_at)
        return {
            "on": local.date(),
            "at": local.strftime("%H:%M"),
            "minutes": appointment.minutes,
            "place": appointment.place,
        }
    if action == "record_outcome":
        return {"outcome": ContactOutcome.ATTENDED}
    return {}


def _arguments(action: str, form: forms.Form) -> dict[str, Any]:
    data = form.cleaned_data
    if isinstance(form, RescheduleForm):
        return {
            "starts_at": form.starts_at(),
            "minutes": data["minutes"],
            "place": data["place"],
            "reason": data["reason"],
            "book_anyway": data["book_anyway"],
        }
    return {name: data[name] for name in ACTIONS[action].fields}


def _action(request: AuthenticatedRequest, pk: UUID, action: str) -> HttpResponse:
    """One action of the appointment lifecycle: its page with its form, then the service."""
    actor = request.actor
    appointment = policy.get_appointment_for_actor(actor, pk)
    transition, page = ACTIONS[action], PAGES[action]
    if not transition.allowed(actor, appointment):
        return forbidden(request, transition.refusal_for(appointment))
    detail_url = reverse("appointments:detail", args=[appointment.pk])
    if appointment.state not in transition.sources:
        messages.info(
            request,
            f"This appointment is {appointment.get_state_display().lower()}, so it cannot be "
            f"{transition.done}.",
        )
        return redirect(detail_url)
    form = page.form(bound_data(request), initial=_initial(action, appointment))
    if isinstance(form, RescheduleForm):
        form.clash = bool(request.POST.get("book_anyway"))

    def act(data: dict[str, Any]) -> Appointment:
        def run() -> Appointment:
            return ACTIONS.run(
                action,
                actor=actor,
                appointment=appointment,
                request=request,
                **_arguments(action, form),
            )

        if isinstance(form, RescheduleForm):
            return _asking_about_clashes(form, run)
        return run()

    if response := run_form(
        request,
        form,
        act,
        success_url=detail_url,
        message=lambda done: page.success.format(when=_when(done)),
    ):
        return response
    return render_form(
        request,
        "appointments/action.html",
        {
            "form": form,
            "appointment": appointment,
            "person": appointment.person,
            "active_section": "appointments",
            "caption": f"{appointment.person.full_name}: {_when(appointment)}",
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def appointment_reschedule_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "reschedule")


@require_http_methods(["GET", "POST"])
def appointment_cancel_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "cancel")


@require_http_methods(["GET", "POST"])
def appointment_outcome_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "record_outcome")


# The calendar feed ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_settings_view(request: AuthenticatedRequest) -> HttpResponse:
    """The user's calendar address: make one (shown once), choose what it shows, turn it off."""
    user = request.user
    feed = selectors.user_feed(user)
    form = FeedForm(
        bound_data(request), initial={"include_details": feed.include_details if feed else False}
    )
    if response := run_form(
        request,
        form,
        lambda data: services.calendar_feed_set_details(
            user=user, include_details=data["include_details"]
        ),
        success_url=reverse("appointments:calendar"),
        message="Your choice is saved",
    ):
        return response
    return render_form(request, "appointments/calendar.html", {"form": form, "feed": feed})


@require_POST
def calendar_create_view(request: AuthenticatedRequest) -> HttpResponse:
    """A new calendar address, shown on this one page only: only its hash is kept."""
    created = services.calendar_feed_create(user=request.user)
    feed = created.feed
    return render(
        request,
        "appointments/calendar.html",
        {
            "form": FeedForm(initial={"include_details": feed.include_details}),
            "feed": feed,
            "feed_url": request.build_absolute_uri(
                reverse("appointments:feed", args=[created.token])
            ),
        },
    )


@require_POST
def calendar_revoke_view(request: AuthenticatedRequest) -> HttpResponse:
    try:
        services.calendar_feed_revoke(user=request.user)
    except ApplicationError as exc:
        messages.info(request, exc.message)
        return redirect("appointments:calendar")
    messages.success(request, "Your calendar address no longer works")
    return redirect("appointments:calendar")


@login_not_required
@require_GET
def calendar_feed_view(request: HttpRequest, feed_token: str) -> HttpResponse:
    """The .ics file a phone's calendar subscribes to. The secret in the address is the only
    key, so no session is needed; an unknown or revoked one is the same 404."""
    feed = selectors.live_feed(feed_token)
    if feed is None:
        raise Http404("No such calendar")
    body = calendar_file(
        selectors.feed_appointments(feed),
        include_details=feed.include_details,
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="resettle.ics"'
    return response
