"""Evaluation pages: a person's criminal justice outcomes, Justice Data Lab cohorts with their
exclusions, files and results, evaluations and their extracts, and an export's progress and
download. Thin: rules in `access.policy`, reads in `selectors`, writes in `services`."""

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.evaluation import selectors, services
from resettle.evaluation.cohorts import JDL_COLUMNS, JDL_MINIMUM
from resettle.evaluation.forms import (
    CohortForm,
    CohortResultForm,
    EvaluationForm,
    ExportForm,
    OutcomeEventForm,
)
from resettle.evaluation.models import Cohort, Evaluation, ExportState
from resettle.web.form_runner import INVALID_FORM_STATUS, bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import page_of

PAGE_SIZE = 25
EXCLUDED_PAGE_SIZE = 50


def _evaluator_only(request: AuthenticatedRequest) -> HttpResponse | None:
    if not policy.can_evaluate(request.actor):
        return forbidden(request, services.NOT_EVALUATOR)
    return None


# A person's outcomes ----------------------------------------------------------------------------


@require_GET
def person_outcomes_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    context: dict[str, Any] = {"person": person, "active_section": "reoffending"}
    if not policy.can_view_outcome_events(actor, person):
        return render(request, "evaluation/person_outcomes.html", context | {"shared": False})
    page = page_of(request, selectors.outcome_rows(actor=actor, person=person), PAGE_SIZE)
    rows = selectors.as_outcome_rows(page.object_list)
    selectors.audit_outcome_reads(actor=actor, rows=rows, request=request)
    return render(
        request,
        "evaluation/person_outcomes.html",
        context
        | {
            "shared": True,
            "page_obj": page,
            "rows": rows,
            "can_record": policy.can_record_outcome_event(actor, person),
        },
    )


@require_http_methods(["GET", "POST"])
def outcome_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    if actor is None or not policy.can_record_outcome_event(actor, person):
        return forbidden(request, services.NOT_RECORDER)
    form = OutcomeEventForm(bound_data(request))
    url = reverse("evaluation:person_outcomes", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.outcome_event_record(
            actor=actor, person=person, data=data, request=request
        ),
        success_url=url,
        message="Outcome recorded",
    ):
        return response
    return render_form(
        request,
        "evaluation/outcome_form.html",
        {"form": form, "person": person, "active_section": "reoffending", "cancel_url": url},
    )


# Cohorts ----------------------------------------------------------------------------------------


@require_GET
def cohort_list_view(request: AuthenticatedRequest) -> HttpResponse:
    if refused := _evaluator_only(request):
        return refused
    page = page_of(request, selectors.cohort_list(actor=request.actor), PAGE_SIZE)
    return render(request, "evaluation/cohort_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def cohort_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    form = CohortForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.cohort_create(actor=actor, data=data, request=request),
        success_url=lambda cohort: reverse("evaluation:cohort_detail", args=[cohort.pk]),
        message="Cohort built",
    ):
        return response
    return render_form(
        request,
        "evaluation/form.html",
        {"form": form, "cancel_url": reverse("evaluation:cohort_list")},
    )


@require_GET
def cohort_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    cohort = policy.get_cohort_for_actor(actor, pk)
    return _cohort_page(request, cohort, ExportForm())


def _cohort_page(
    request: AuthenticatedRequest, cohort: Cohort, form: ExportForm, status: int = 200
) -> HttpResponse:
    actor = request.actor
    summary = selectors.cohort_summary(actor=actor, cohort=cohort)
    excluded = page_of(request, summary.excluded, EXCLUDED_PAGE_SIZE)
    shown = list(excluded.object_list)
    selectors.audit_cohort_reads(actor=actor, members=shown, request=request)
    return render(
        request,
        "evaluation/cohort_detail.html",
        {
            "cohort": cohort,
            "summary": summary,
            "qualifying": len(summary.qualifying),
            "minimum": JDL_MINIMUM,
            "page_obj": excluded,
            "excluded": shown,
            "columns": JDL_COLUMNS,
            "form": form,
            "results": list(cohort.results.all()),
            "evaluations": list(cohort.evaluations.all()),
            "exports": list(policy.exports_visible_to(actor).filter(cohort=cohort)[:5]),
        },
        status=status,
    )


@require_http_methods(["POST"])
def cohort_export_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    cohort = policy.get_cohort_for_actor(actor, pk)
    form = ExportForm(request.POST)
    try:
        job = services.export_request(actor=actor, cohort=cohort, request=request)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _cohort_page(request, cohort, form, status=INVALID_FORM_STATUS)
    return redirect("evaluation:export_detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
def result_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    cohort = policy.get_cohort_for_actor(actor, pk)
    form = CohortResultForm(bound_data(request))
    url = reverse("evaluation:cohort_detail", args=[cohort.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.cohort_result_record(
            actor=actor, cohort=cohort, data=data, request=request
        ),
        success_url=url,
        message="Results saved",
    ):
        return response
    return render_form(
        request,
        "evaluation/form.html",
        {"form": form, "caption": cohort.name, "cancel_url": url},
    )


# Evaluations ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def evaluation_create_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    cohort = policy.get_cohort_for_actor(actor, pk)
    form = EvaluationForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.evaluation_create(
            actor=actor, cohort=cohort, data=data, request=request
        ),
        success_url=lambda evaluation: reverse(
            "evaluation:evaluation_detail", args=[evaluation.pk]
        ),
        message="Evaluation started",
    ):
        return response
    return render_form(
        request,
        "evaluation/form.html",
        {
            "form": form,
            "caption": cohort.name,
            "cancel_url": reverse("evaluation:cohort_detail", args=[cohort.pk]),
        },
    )


def _evaluation_page(
    request: AuthenticatedRequest, evaluation: Evaluation, form: ExportForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evaluation/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "form": form,
            "exports": list(
                policy.exports_visible_to(request.actor).filter(evaluation=evaluation)[:5]
            ),
        },
        status=status,
    )


@require_GET
def evaluation_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    if refused := _evaluator_only(request):
        return refused
    evaluation = policy.get_evaluation_for_actor(request.actor, pk)
    return _evaluation_page(request, evaluation, ExportForm())


@require_http_methods(["POST"])
def evaluation_extract_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    evaluation = policy.get_evaluation_for_actor(actor, pk)
    try:
        job = services.export_request(actor=actor, evaluation=evaluation, request=request)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    return redirect("evaluation:export_detail", pk=job.pk)


# Exports ----------------------------------------------------------------------------------------


@require_GET
def export_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    if refused := _evaluator_only(request):
        return refused
    job = policy.get_export_for_actor(request.actor, pk)
    finished = job.state in (ExportState.DONE, ExportState.FAILED)
    return render(
        request,
        "evaluation/export_detail.html",
        {"job": job, "finished": finished, "done": job.state == ExportState.DONE},
    )


@require_GET
def export_download_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if refused := _evaluator_only(request):
        return refused
    assert actor is not None
    job = policy.get_export_for_actor(actor, pk)
    try:
        download = services.export_download(
            actor=actor, job=job, as_xlsx=request.GET.get("format") == "xlsx", request=request
        )
    except ApplicationError:
        return redirect("evaluation:export_detail", pk=job.pk)
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response
