"""Outcome pages: a person's outcomes over time (a chart and a table per instrument), recording
an assessment on one page or one question a screen, one assessment's answers, what came of a
closed case's goals, a service's outcome summary and its schedule. Thin: rules in
`access.policy`, reads in `selectors`, writes in `services`."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.cases.models import Case
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.directory.models import Service
from resettle.outcomes import selectors, services
from resettle.outcomes.chart import chart_of
from resettle.outcomes.forms import (
    AssessmentForm,
    ChooseInstrumentForm,
    EndOfSupportForm,
    ScheduleForm,
    SelfQuestionForm,
    SelfStartForm,
    self_questions,
)
from resettle.outcomes.models import (
    ENDING_FROM_CLOSE,
    AnsweredBy,
    Assessment,
    Instrument,
)
from resettle.people.models import Person
from resettle.web.form_runner import add_service_errors, bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page

NOT_YOURS = (
    "You can record outcomes only for people your organisation works with, on its own cases "
    "(a peer mentor: on the cases they mentor)."
)
NO_SUMMARY = (
    "Outcome summaries are for your organisation's caseworkers, referrers, coordinators, "
    "managers and analysts."
)


def _saved(assessment: Assessment) -> str:
    return f"{assessment.instrument.name} saved ({assessment.get_timepoint_display().lower()})"


@require_GET
def person_outcomes_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    assessments = list(selectors.person_assessments(actor=actor, person=person))
    selectors.audit_reads(actor=actor, assessments=assessments, request=request)
    histories = [(h, chart_of(h)) for h in selectors.histories(assessments)]
    cases = selectors.recordable_cases(actor, person)
    return render(
        request,
        "outcomes/person.html",
        {
            "person": person,
            "active_section": "outcomes",
            "histories": histories,
            "assessments": list(reversed(assessments)),
            "can_record": bool(cases) or policy.can_record_assessment(actor, person),
            "plan": selectors.plan_outcomes(actor=actor, person=person),
        },
    )


def _instrument(request: AuthenticatedRequest) -> Instrument | None:
    code = request.POST.get("instrument") or request.GET.get("instrument")
    return selectors.instrument_by_code(code) if code else None


def _choose(request: AuthenticatedRequest, person: Person, heading: str) -> HttpResponse:
    form = ChooseInstrumentForm(
        request.GET if "instrument" in request.GET else None,
        instruments=selectors.current_instruments(),
    )
    # Asked for an instrument there is none of: say so beside the choice.
    form.is_valid()
    return render(
        request, "outcomes/choose.html", {"form": form, "person": person, "heading": heading}
    )


def _case_of(cases: list[Case], value: Any) -> Case | None:
    return next((c for c in cases if str(c.pk) == str(value)), None)


@require_http_methods(["GET", "POST"])
def assessment_record_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = selectors.recordable_cases(actor, person)
    if actor is None or not (cases or policy.can_record_assessment(actor, person)):
        return forbidden(request, NOT_YOURS)
    instrument = _instrument(request)
    if instrument is None:
        return _choose(request, person, "Record outcomes")
    chosen = _case_of(cases, request.GET.get("case"))
    initial: dict[str, Any] = {"timepoint": request.GET.get("timepoint", "")}
    if chosen is not None:
        initial["case"] = chosen.pk
    form = AssessmentForm(
        bound_data(request), cases=cases, definition=instrument.parsed, initial=initial
    )

    def record(data: dict[str, Any]) -> Assessment:
        try:
            return services.assessment_record(
                actor=actor,
                person=person,
                instrument=instrument,
                case=data["case"],
                timepoint=data["timepoint"],
                completed_on=data["completed_on"],
                answered_by=data["answered_by"],
                answers=form.answers(),
                request=request,
            )
        except ValidationError as exc:
            raise _on_question_fields(exc) from exc

    if response := run_form(
        request,
        form,
        record,
        success_url=reverse("outcomes:person", args=[person.pk]),
        message=_saved,
    ):
        return response
    return render_form(
        request,
        "outcomes/record.html",
        {
            "form": form,
            "person": person,
            "instrument": instrument,
            "cancel_url": reverse("outcomes:person", args=[person.pk]),
        },
    )


def _on_question_fields(exc: ValidationError) -> ValidationError:
    """The service names a wrong answer `answers.<question>`; the form asks it as `q_...`."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            ("q_" + key.removeprefix("answers.").replace(".", "__"))
            if key.startswith("answers.")
            else key: messages_
            for key, messages_ in exc.message_dict.items()
        }
    )


@require_http_methods(["GET", "POST"])
def assessment_self_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Self-completion on the worker's device: the worker chooses the case and time point, then
    the person answers one question a screen; the answers are saved after the last."""
    actor = request.actor
    person = person_for_page(actor, pk)
    cases = selectors.recordable_cases(actor, person)
    if actor is None or not (cases or policy.can_record_assessment(actor, person)):
        return forbidden(request, NOT_YOURS)
    instrument = _instrument(request)
    if instrument is None:
        return _choose(request, person, "Questions for the person to answer")
    definition = instrument.parsed
    context = {"person": person, "instrument": instrument}
    if request.method == "POST" and "step" in request.POST:
        return _self_step(request, person, cases, instrument, context)
    start = SelfStartForm(
        bound_data(request),
        cases=cases,
        initial={"timepoint": request.GET.get("timepoint", "")},
    )
    if start.is_bound and start.is_valid():
        errors = services.assessment_setting_errors(
            person=person,
            case=start.cleaned_data["case"],
            timepoint=start.cleaned_data["timepoint"],
            completed_on=timezone.localdate(),
        )
        if errors:
            add_service_errors(start, ValidationError(errors))
        else:
            case = start.cleaned_data["case"]
            question = SelfQuestionForm(
                definition=definition,
                step=0,
                initial={
                    "instrument": instrument.code,
                    "case": case.pk if case else "",
                    "timepoint": start.cleaned_data["timepoint"],
                    "step": 0,
                },
            )
            return render(request, "outcomes/self_question.html", context | {"form": question})
    return render_form(
        request,
        "outcomes/self_start.html",
        context
        | {
            "form": start,
            "cancel_url": reverse("outcomes:person", args=[person.pk]),
        },
    )


def _self_step(
    request: AuthenticatedRequest,
    person: Person,
    cases: list[Case],
    instrument: Instrument,
    context: dict[str, Any],
) -> HttpResponse:
    definition = instrument.parsed
    try:
        step = min(max(int(request.POST.get("step", "0")), 0), len(self_questions(definition)) - 1)
    except ValueError:
        step = 0
    carried = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if "back" in request.POST:
        back = SelfQuestionForm(
            definition=definition, step=max(step - 1, 0), initial=carried | {"step": step - 1}
        )
        return render(request, "outcomes/self_question.html", context | {"form": back})
    form = SelfQuestionForm(request.POST, definition=definition, step=step)
    if not form.is_valid():
        return render(request, "outcomes/self_question.html", context | {"form": form})
    if step + 1 < len(form.questions):
        values = {k: form.cleaned_data[k] for k in form.fields} | {"step": step + 1}
        following = SelfQuestionForm(definition=definition, step=step + 1, initial=values)
        return render(request, "outcomes/self_question.html", context | {"form": following})
    case_value = form.cleaned_data["case"]
    case = _case_of(cases, case_value) if case_value else None
    if case_value and case is None:
        raise Http404("No such case")
    actor = request.actor
    if actor is None:
        return forbidden(request, NOT_YOURS)
    try:
        assessment = services.assessment_record(
            actor=actor,
            person=person,
            instrument=instrument,
            case=case,
            timepoint=form.cleaned_data["timepoint"],
            completed_on=timezone.localdate(),
            answered_by=AnsweredBy.PERSON,
            answers=form.answers(),
            request=request,
        )
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "outcomes/self_question.html", context | {"form": form})
    messages.success(request, "Thank you. The answers are saved. " + _saved(assessment))
    return redirect("outcomes:self_done", pk=person.pk)


@require_GET
def assessment_self_done_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    person = person_for_page(request.actor, pk)
    return render(request, "outcomes/self_done.html", {"person": person})


@require_GET
def assessment_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    assessment = policy.get_outcome_assessment_for_actor(
        actor, pk, shaped=lambda q: q.select_related("instrument", "organisation", "recorded_by")
    )
    selectors.audit_reads(actor=actor, assessments=[assessment], request=request)
    definition = assessment.instrument.parsed
    rows = [
        (
            question,
            question.label_of(assessment.answers[question.code])
            if question.code in assessment.answers
            else "Not asked",
            assessment.bands.get(question.code, ""),
        )
        for question in definition.questions
    ]
    band_labels = {(q.code, b.code): b.label for q in definition.questions for b in q.bands}
    return render(
        request,
        "outcomes/detail.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "active_section": "outcomes",
            "rows": [(q, answer, band_labels.get((q.code, band), "")) for q, answer, band in rows],
        },
    )


@require_http_methods(["GET", "POST"])
def end_of_support_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    case = policy.get_case_for_actor(actor, pk)
    if hasattr(case, "end_of_support"):
        end = policy.get_end_of_support_for_actor(actor, case)
        return render(
            request,
            "outcomes/end_of_support.html",
            {
                "case": case,
                "person": case.person,
                "end": end,
                "goal_outcomes": list(end.goal_outcomes.select_related("goal")),
            },
        )
    if actor is None or not policy.can_record_end_of_support(actor, case):
        return forbidden(
            request,
            "Outcomes are recorded once the case is closed, by your organisation's staff on it.",
        )
    goals = list(case.goals.order_by("pathway", "created_at"))
    form = EndOfSupportForm(
        bound_data(request),
        goals=goals,
        initial={"reason": ENDING_FROM_CLOSE.get(case.close_reason, "")},
    )
    if response := run_form(
        request,
        form,
        lambda data: services.end_of_support_record(
            actor=actor,
            case=case,
            reason=data["reason"],
            in_own_words=data["in_own_words"],
            ratings=form.ratings(),
            request=request,
        ),
        success_url=reverse("outcomes:end_of_support", args=[case.pk]),
        message="Outcomes at the end of support saved",
    ):
        return response
    return render_form(
        request,
        "outcomes/end_of_support_form.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "cancel_url": reverse("cases:detail", args=[case.pk]),
        },
    )


@require_GET
def summary_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if actor is None or not policy.can_view_outcome_summary(actor, actor.organisation):
        return forbidden(request, NO_SUMMARY)
    services_ = selectors.summary_scopes(actor=actor)
    chosen = next((s for s in services_ if str(s.pk) == request.GET.get("service")), None)
    return render(
        request,
        "outcomes/summary.html",
        {
            "services": services_,
            "service": chosen,
            "summaries": selectors.outcome_summary(organisation=actor.organisation, service=chosen),
            "definition": selectors.SUMMARY_DEFINITION,
        },
    )


@require_GET
def schedule_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if actor is None or not (
        policy.can_view_outcome_summary(actor, actor.organisation)
        or policy.can_change_outcome_schedule(actor, actor.organisation)
    ):
        return forbidden(request, NO_SUMMARY)
    schedules = selectors.schedules_of(actor.organisation_id)
    names = {i.code: i.name for i in selectors.current_instruments()}
    rows = [(None, schedules.get(None))] + [
        (service, schedules.get(service.pk)) for service in selectors.summary_scopes(actor=actor)
    ]
    return render(
        request,
        "outcomes/schedules.html",
        {
            "rows": rows,
            "names": names,
            "can_change": policy.can_change_outcome_schedule(actor, actor.organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def schedule_edit_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if actor is None or not policy.can_change_outcome_schedule(actor, actor.organisation):
        return forbidden(request, "Only your organisation's managers and caseworkers set this.")
    service: Service | None = None
    if wanted := request.GET.get("service"):
        service = next(
            (s for s in selectors.summary_scopes(actor=actor) if str(s.pk) == wanted), None
        )
        if service is None:
            raise Http404("No such service")
    existing = selectors.schedules_of(actor.organisation_id).get(service.pk if service else None)
    initial: dict[str, Any] = {"at_exit": True, "follow_up_months": [3, 6, 12]}
    if existing is not None:
        initial = {
            "instrument_codes": existing.instrument_codes,
            "review_every_weeks": existing.review_every_weeks,
            "at_exit": existing.at_exit,
            "follow_up_months": existing.follow_up_months,
        }
    form = ScheduleForm(
        bound_data(request),
        instruments=selectors.current_instruments(),
        service=service,
        initial=initial,
    )
    if response := run_form(
        request,
        form,
        lambda data: services.schedule_set(
            actor=actor,
            organisation=actor.organisation,
            service=service,
            request=request,
            **data,
        ),
        success_url=reverse("outcomes:schedules"),
        message="Schedule saved",
    ):
        return response
    return render_form(
        request,
        "outcomes/schedule_form.html",
        {"form": form, "cancel_url": reverse("outcomes:schedules")},
    )
