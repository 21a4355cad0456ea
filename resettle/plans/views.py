"""Action plan pages: a person's plan by pathway (and a printable copy for them to keep), a
goal with its steps and history, and the forms that change them. Thin: rules in
`access.policy`, reads in `selectors`, writes in `services`."""

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access import policy
from resettle.core.exceptions import ApplicationError
from resettle.core.http import AuthenticatedRequest
from resettle.plans import selectors, services
from resettle.plans.forms import GoalForm, ProgressForm, ReviewForm, StepForm
from resettle.plans.models import GoalStatus
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page

NO_LIVE_CASE = (
    "Plans are made on a live case of your organisation, by the people who work on it (a peer "
    "mentor on the cases they mentor). Open a case first, or reopen a closed one."
)
STATUS_FILTERS = [("", "All goals"), ("open", "Not started or in progress"), *GoalStatus.choices]


def _plan_context(request: AuthenticatedRequest, pk: UUID) -> dict:
    actor = request.actor
    person = person_for_page(actor, pk)
    status = request.GET.get("status", "")
    if status not in {value for value, _ in STATUS_FILTERS}:
        status = ""
    plan = selectors.person_plan(actor=actor, person=person, status=status, request=request)
    editable = services.editable_cases(actor, person)
    return {
        "person": person,
        "plan": plan,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "active_section": "plan",
        "can_edit": bool(editable),
        "today": date.today(),
    }


@require_GET
def person_plan_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return render(request, "plans/person_plan.html", _plan_context(request, pk))


@require_GET
def plan_print_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """A plain copy of the plan for the person to keep: print it, or save it as a PDF."""
    return render(request, "plans/plan_print.html", _plan_context(request, pk))


def _form_page(request, template, form, person, cancel_url, **extra) -> HttpResponse:
    return render_form(
        request,
        template,
        {"form": form, "person": person, "cancel_url": cancel_url, **extra},
    )


@require_http_methods(["GET", "POST"])
def goal_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = services.editable_cases(actor, person)
    if not cases:
        return forbidden(request, NO_LIVE_CASE)
    assert actor is not None  # may edit a case's plan, so a current member
    form = GoalForm(bound_data(request), cases=cases)
    if response := run_form(
        request,
        form,
        lambda data: services.goal_create(
            actor=actor, case=data["case"], data=form.goal_data(), request=request
        ),
        success_url=lambda goal: reverse("plans:step_add", args=[goal.pk]),
        message=lambda goal: f"Goal “{goal.title}” added. Add the first step.",
    ):
        return response
    cancel = reverse("plans:person_plan", args=[person.pk])
    return _form_page(
        request, "plans/goal_form.html", form, person, cancel, single_case=len(cases) == 1
    )


@require_http_methods(["GET", "POST"])
def review_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = services.editable_cases(actor, person)
    if not cases:
        return forbidden(request, NO_LIVE_CASE)
    assert actor is not None  # may edit a case's plan, so a current member
    form = ReviewForm(bound_data(request), cases=cases, initial={"reviewed_on": date.today()})
    cancel = reverse("plans:person_plan", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.plan_review_record(
            actor=actor,
            case=data["case"],
            data={k: data[k] for k in ("reviewed_on", "summary", "next_review_on")},
            request=request,
        ),
        success_url=cancel,
        message="The plan review has been recorded",
    ):
        return response
    return _form_page(request, "plans/review_form.html", form, person, cancel)


@require_GET
def goal_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    goal = policy.get_goal_for_actor(actor, pk, shaped=selectors.goals_shown)
    person = person_for_page(actor, goal.person_id)
    selectors.audit_partner_reads(actor=actor, person=person, goals=[goal], request=request)
    return render(
        request,
        "plans/goal_detail.html",
        {
            "person": person,
            "goal": goal,
            "active_section": "plan",
            "can_edit": policy.can_edit_goals(actor, goal.case) and goal.case.state != "closed",
        },
    )


def _editable_goal(request: AuthenticatedRequest, pk: UUID):
    """The goal (404 when not visible), or the 403 page when the actor may not change it."""
    actor = request.actor
    goal = policy.get_goal_for_actor(actor, pk, shaped=selectors.goals_shown)
    if not policy.can_edit_goals(actor, goal.case):
        return goal, forbidden(request, services.NOT_YOURS)
    return goal, None


@require_http_methods(["GET", "POST"])
def goal_progress_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    goal, refused = _editable_goal(request, pk)
    if refused:
        return refused
    actor = request.actor
    assert actor is not None  # may edit goals, so a current member
    form = ProgressForm(bound_data(request), initial={"status": goal.status, "on": date.today()})
    goal_url = reverse("plans:goal_detail", args=[goal.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.goal_progress(
            actor=actor,
            goal=goal,
            on=data["on"],
            status=data["status"],
            note=data["note"],
            request=request,
        ),
        success_url=goal_url,
        message="Progress recorded",
    ):
        return response
    return _form_page(request, "plans/progress_form.html", form, goal.person, goal_url, goal=goal)


@require_http_methods(["GET", "POST"])
def step_add_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    goal, refused = _editable_goal(request, pk)
    if refused:
        return refused
    actor = request.actor
    assert actor is not None  # may edit goals, so a current member
    form = StepForm(bound_data(request), organisations=policy.organisations_visible_to(actor))
    goal_url = reverse("plans:goal_detail", args=[goal.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.goal_step_add(
            actor=actor, goal=goal, data=form.step_data(), request=request
        ),
        success_url=(
            reverse("plans:step_add", args=[goal.pk]) if "another" in request.POST else goal_url
        ),
        message="Step added",
    ):
        return response
    return _form_page(request, "plans/step_form.html", form, goal.person, goal_url, goal=goal)


@require_POST
def step_done_view(request: AuthenticatedRequest, pk: UUID, step_id: UUID) -> HttpResponse:
    goal, refused = _editable_goal(request, pk)
    step = selectors.get_step_for_goal(goal, step_id)
    if refused:
        return refused
    actor = request.actor
    assert actor is not None  # may edit goals, so a current member
    try:
        services.goal_step_done(actor=actor, step=step, on=date.today(), request=request)
    except ApplicationError as exc:
        messages.info(request, exc.message)
    except ValidationError as exc:
        messages.info(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, f"“{step.text}” marked as done")
    return redirect("plans:goal_detail", pk=goal.pk)
