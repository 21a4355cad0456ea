"""Case pages: a person's cases, opening one, a case with its history and tasks, allocation,
pausing, resuming, closing, reopening and planning a gate meeting. Thin: rules in `policy`,
reads in `selectors`, writes in `services`. A case the actor may not see is a 404."""

from dataclasses import dataclass
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse
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
from resettle.cases.lifecycle import ACTIONS
from resettle.cases.models import Case, CaseState
from resettle.core.http import AuthenticatedRequest
from resettle.custody.selectors import current_period
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page

CANNOT_OPEN = (
    "Cases are opened by caseworkers, referrers and coordinators of an organisation working "
    "with the person."
)
CANNOT_MANAGE = "Only your organisation's caseworkers, referrers and coordinators change its cases."


@require_GET
def person_cases_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    assert actor is not None  # a member of no organisation sees no one: 404 above
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
def case_open_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_open_case(actor, person):
        return forbidden(request, CANNOT_OPEN)
    assert actor is not None  # may open a case, so a current member
    form = CaseOpenForm(bound_data(request), organisation_id=actor.organisation_id)
    if response := run_form(
        request,
        form,
        lambda data: services.case_open(
            actor=actor,
            person=person,
            opened_on=data["opened_on"],
            worker=data["worker"],
            mentor=data.get("mentor"),
            next_review_on=data["next_review_on"],
            note=data["note"],
            request=request,
        ),
        success_url=lambda case: reverse("cases:detail", args=[case.pk]),
        message="The case has been opened",
    ):
        return response
    return render_form(
        request,
        "cases/open.html",
        {"form": form, "person": person, "cancel_url": reverse("cases:person", args=[pk])},
    )


@require_GET
def case_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
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


def _managed_case(request: AuthenticatedRequest, pk: UUID) -> tuple[Case, HttpResponse | None]:
    case = policy.get_case_for_actor(request.actor, pk)
    if not policy.can_manage_case(request.actor, case):
        return case, forbidden(request, CANNOT_MANAGE)
    return case, None


@dataclass(frozen=True)
class ActionPage:
    """How one action of the case lifecycle (`lifecycle.ACTIONS`) looks on its page."""

    form: type[forms.Form]
    title: str
    button: str
    intro: str = ""
    warning: str = ""


PAGES: dict[str, ActionPage] = {
    "pause": ActionPage(
        PauseForm,
        "Pause this case",
        "Pause case",
        intro="A paused case keeps its history, goals and tasks. You can keep in touch while "
        "it is paused.",
    ),
    "resume": ActionPage(ResumeForm, "Resume this case", "Resume case"),
    "close": ActionPage(
        CloseForm,
        "Close this case",
        "Close case",
        warning="Tasks still to do will be cancelled. Unless other work holds it, your "
        "organisation stops working with the person and their record closes to it. The case can "
        "be reopened later, with its history.",
    ),
    "reopen": ActionPage(
        ReopenForm,
        "Reopen this case",
        "Reopen case",
        intro="The case reopens on the same record, so its history stays with it.",
    ),
}
EDIT_PAGE = ActionPage(CaseEditForm, "Change allocation and review date", "Save changes")
GATE_MEETING_PAGE = ActionPage(
    GateMeetingForm,
    "Plan a gate meeting",
    "Plan gate meeting",
    intro="The meeting goes on the task list of the mentor (or the worker, if there is no mentor).",
)


def _action_page(
    request: AuthenticatedRequest,
    case: Case,
    form: forms.Form,
    page: ActionPage,
    *,
    destructive: bool = False,
) -> HttpResponse:
    """The page confirming a change to a case: its form under the page's title."""
    return render_form(
        request,
        "cases/action.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "page": page,
            "caption": f"{case.person.full_name}: {case.organisation.name}",
            "button_style": "warning" if destructive else "",
            "cancel_url": reverse("cases:detail", args=[case.pk]),
        },
    )


def _action(request: AuthenticatedRequest, pk: UUID, action: str) -> HttpResponse:
    """One action of the case lifecycle: a confirmation page with its form, then the service.
    A case whose person the organisation no longer works with (closing ends that, unless other
    work holds it) is left for the people list."""
    actor = request.actor
    transition, page = ACTIONS[action], PAGES[action]
    case, refused = _managed_case(request, pk)
    if refused:
        return refused
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state not in transition.sources:
        messages.info(
            request,
            f"This case is {case.get_state_display().lower()}, so it cannot be {transition.done}.",
        )
        return redirect(detail_url)
    form = page.form(bound_data(request))

    def onwards(done: Case) -> str:
        if policy.can_view_person(actor, done.person):
            return detail_url
        messages.info(
            request,
            f"Your organisation no longer works with {done.person.full_name}, so their record "
            "is closed to it.",
        )
        return reverse("people:list")

    if response := run_form(
        request,
        form,
        lambda data: ACTIONS.run(
            action,
            actor=actor,
            case=case,
            request=request,
            **{name: data[name] for name in transition.fields},
        ),
        success_url=onwards,
        message=f"The case has been {transition.done}",
    ):
        return response
    return _action_page(request, case, form, page, destructive=transition.destructive)


@require_http_methods(["GET", "POST"])
def case_pause_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "pause")


@require_http_methods(["GET", "POST"])
def case_resume_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "resume")


@require_http_methods(["GET", "POST"])
def case_close_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "close")


@require_http_methods(["GET", "POST"])
def case_reopen_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _action(request, pk, "reopen")


@require_http_methods(["GET", "POST"])
def case_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    case, refused = _managed_case(request, pk)
    if refused:
        return refused
    actor = request.actor
    assert actor is not None  # may manage the case, so a current member
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state == CaseState.CLOSED:
        messages.info(request, services.CLOSED_MESSAGE)
        return redirect(detail_url)
    form = CaseEditForm(
        bound_data(request),
        organisation_id=case.organisation_id,
        initial={
            "worker": case.worker,
            "mentor": case.mentor,
            "next_review_on": case.next_review_on,
        },
    )
    if response := run_form(
        request,
        form,
        lambda data: services.case_update(
            actor=actor, case=case, data=form.changes(), request=request
        ),
        success_url=detail_url,
        message="The case has been updated",
    ):
        return response
    return _action_page(request, case, form, EDIT_PAGE)


@require_http_methods(["GET", "POST"])
def gate_meeting_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    case = policy.get_case_for_actor(actor, pk)
    if not policy.can_record_contact(actor, case):
        return forbidden(request, "Only your organisation's staff on this case can plan its tasks.")
    assert actor is not None  # may record contacts, so a current member
    detail_url = reverse("cases:detail", args=[case.pk])
    if case.state == CaseState.CLOSED:
        messages.info(request, services.CLOSED_MESSAGE)
        return redirect(detail_url)
    period = current_period(case.person) if policy.can_view_custody(actor, case.person) else None
    expected = period.expected_release_date if period and period.in_custody else None
    form = GateMeetingForm(
        bound_data(request),
        on=expected,
        place=services.default_gate_place(period.establishment if period else ""),
    )
    if response := run_form(
        request,
        form,
        lambda data: services.task_gate_meeting_plan(
            actor=actor,
            case=case,
            on=data["on"],
            at=data["at"],
            place=data["place"],
            request=request,
        ),
        success_url=detail_url,
        message="The gate meeting has been planned",
    ):
        return response
    return _action_page(request, case, form, GATE_MEETING_PAGE)
