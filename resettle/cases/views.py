"""Case pages: a person's cases, opening one, a case with its history and tasks, allocation,
pausing, resuming, closing, reopening and planning a gate meeting. Thin: rules in `policy`,
reads in `selectors`, writes in `services`. A case the actor may not see is a 404."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.cases import selectors, services
from resettle.cases.forms import (
    CaseEditForm,
    CaseOpenForm,
    CloseForm,
    GateMeetingForm,
    PauseForm,
    ReopenForm,
    ResumeForm,
)
from resettle.cases.models import Case, CaseState
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.custody.selectors import current_period
from resettle.web.form_runner import add_service_errors
from resettle.web.pages import forbidden, person_for_page

CANNOT_OPEN = (
    "Cases are opened by caseworkers, referrers and coordinators of an organisation working "
    "with the person."
)
CANNOT_MANAGE = "Only your organisation's caseworkers, referrers and coordinators change its cases."


@require_GET
def person_cases_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = selectors.person_cases(actor=actor, person=person, request=request)
    own_live = any(
        c.organisation_id == actor.organisation_id and c.state != CaseState.CLOSED for c in cases
    )
    return render(
        request,
        "cases/person.html",
        {
            "person": person,
            "active_section": "cases",
            "cases": cases,
            "can_open": policy.can_open_case(actor, person) and not own_live,
        },
    )


@require_http_methods(["GET", "POST"])
def case_open_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_open_case(actor, person):
        return forbidden(request, CANNOT_OPEN)
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None,
        organisation_id=actor.organisation_id,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=actor,
                person=person,
                opened_on=data["opened_on"],
                worker=data["worker"],
                mentor=data.get("mentor"),
                next_review_on=data["next_review_on"],
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The case has been opened")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/open.html",
        {"form": form, "person": person, "cancel_url": reverse("cases:person", args=[pk])},
    )


@require_GET
def case_detail_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    case = policy.get_case_for_actor(actor, pk)
    selectors.record_case_read(actor=actor, case=case, request=request)
    case = selectors.case_with_history(case.pk)
    manage = policy.can_manage_case(actor, case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "person": case.person,
            "active_section": "cases",
            "can_manage": manage,
            "can_plan": policy.can_record_contact(actor, case) and case.state != CaseState.CLOSED,
            "events": list(case.events.all())[::-1],
            "tasks": list(case.tasks.all()),
        },
    )


def _managed_case(request: HttpRequest, pk: UUID) -> tuple[Case, HttpResponse | None]:
    case = policy.get_case_for_actor(request.actor, pk)
    if not policy.can_manage_case(request.actor, case):
        return case, forbidden(request, CANNOT_MANAGE)
    return case, None


def _action(
    request: HttpRequest,
    pk: UUID,
    *,
    form_class: type[forms.Form],
    run: Callable[[Case, dict[str, Any]], Any],
    states: tuple[str, ...],
    title: str,
    button: str,
    done: str,
    intro: str = "",
    warning: str = "",
) -> HttpResponse:
    """A state change: a confirmation page with its form, then the service on POST."""
    case, refused = _managed_case(request, pk)
    if refused:
        return refused
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state not in states:
        messages.info(
            request, f"This case is {case.get_state_display().lower()}, so it cannot be {done}."
        )
        return redirect(detail_url)
    form = form_class(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"The case has been {done}")
            return redirect(detail_url)
    return render(
        request,
        "cases/action.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "title": title,
            "button": button,
            "intro": intro,
            "warning": warning,
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def case_pause_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=PauseForm,
        run=lambda case, data: services.case_pause(
            actor=request.actor, case=case, on=data["on"], reason=data["reason"], request=request
        ),
        states=(CaseState.OPEN,),
        title="Pause this case",
        button="Pause case",
        done="paused",
        intro="A paused case keeps its history, goals and tasks. You can keep in touch while "
        "it is paused.",
    )


@require_http_methods(["GET", "POST"])
def case_resume_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ResumeForm,
        run=lambda case, data: services.case_resume(
            actor=request.actor, case=case, on=data["on"], request=request
        ),
        states=(CaseState.PAUSED,),
        title="Resume this case",
        button="Resume case",
        done="resumed",
    )


@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=CloseForm,
        run=lambda case, data: services.case_close(
            actor=request.actor,
            case=case,
            closed_on=data["closed_on"],
            close_reason=data["close_reason"],
            note=data["note"],
            request=request,
        ),
        states=(CaseState.OPEN, CaseState.PAUSED),
        title="Close this case",
        button="Close case",
        done="closed",
        warning="Tasks still to do will be cancelled. The case can be reopened later, with its "
        "history.",
    )


@require_http_methods(["GET", "POST"])
def case_reopen_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ReopenForm,
        run=lambda case, data: services.case_reopen(
            actor=request.actor, case=case, on=data["on"], note=data["note"], request=request
        ),
        states=(CaseState.CLOSED,),
        title="Reopen this case",
        button="Reopen case",
        done="reopened",
        intro="The case reopens on the same record, so its history stays with it.",
    )


@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    case, refused = _managed_case(request, pk)
    if refused:
        return refused
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state == CaseState.CLOSED:
        messages.info(request, services.CLOSED_MESSAGE)
        return redirect(detail_url)
    form = CaseEditForm(
        request.POST if request.method == "POST" else None,
        organisation_id=case.organisation_id,
        initial={
            "worker": case.worker,
            "mentor": case.mentor,
            "next_review_on": case.next_review_on,
        },
    )
    if form.is_valid():
        try:
            services.case_update(
                actor=request.actor, case=case, data=form.changes(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The case has been updated")
            return redirect(detail_url)
    return render(
        request,
        "cases/action.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "title": "Change allocation and review date",
            "button": "Save changes",
            "cancel_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def gate_meeting_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    case = policy.get_case_for_actor(actor, pk)
    if not policy.can_record_contact(actor, case):
        return forbidden(request, "Only your organisation's staff on this case can plan its tasks.")
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state == CaseState.CLOSED:
        messages.info(request, services.CLOSED_MESSAGE)
        return redirect(detail_url)
    period = current_period(case.person) if policy.can_view_custody(actor, case.person) else None
    expected = period.expected_release_date if period and period.in_custody else None
    form = GateMeetingForm(
        request.POST if request.method == "POST" else None,
        on=expected,
        place=services.default_gate_place(period.establishment if period else ""),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_gate_meeting_plan(
                actor=actor,
                case=case,
                on=data["on"],
                at=data["at"],
                place=data["place"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The gate meeting has been planned")
            return redirect(detail_url)
    return render(
        request,
        "cases/action.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "title": "Plan a gate meeting",
            "button": "Plan gate meeting",
            "intro": "The meeting goes on the task list of the mentor (or the worker, if there "
            "is no mentor).",
            "cancel_url": detail_url,
        },
    )
