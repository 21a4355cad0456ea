"""Data-protection pages: finding a person whose records the organisation holds, asking for
their subject access pack (with a confirmation step), following it and downloading it, and the
person's corrections: what was corrected, from what to what, by whom, when and why. Thin: rules
in `access.policy`, reads in `selectors`, writes in `services`."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.rules import dataprotection as rules
from resettle.audit.services import record_read
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.http import AuthenticatedRequest
from resettle.dataprotection import selectors, services
from resettle.dataprotection.forms import (
    CorrectionForm,
    FindPersonForm,
    LegalHoldForm,
    RetentionRuleForm,
    SubjectAccessConfirmForm,
)
from resettle.dataprotection.models import KEPT_FOR, SubjectAccessExport, SubjectAccessState
from resettle.dataprotection.pack import scope_statement
from resettle.people.categories import identifier_schemes_for
from resettle.people.forms import person_initial
from resettle.people.models import Person
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import page_of

PAGE_SIZE = 25
NOT_A_LEAD = (
    "The data-protection pages are for your organisation's data-protection lead. Ask your "
    "organisation admin if you need to answer a subject access request."
)
KEPT_DAYS = KEPT_FOR.days


# Finding someone ---------------------------------------------------------------------------------


@require_GET
def index_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.is_data_protection_lead(actor):
        return forbidden(request, NOT_A_LEAD)
    form = FindPersonForm(request.GET if "query" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid():
        found = selectors.find_people(actor=actor, query=form.cleaned_data["query"])
    page = page_of(request, selectors.recent_exports(actor=actor), PAGE_SIZE)
    return render(
        request,
        "dataprotection/index.html",
        {
            "form": form,
            "found": found,
            "limit": selectors.FIND_LIMIT,
            "page_obj": page,
            "exports": page.object_list,
            "kept_days": KEPT_DAYS,
        },
    )


# Subject access ----------------------------------------------------------------------------------


def _person_and_check(
    request: AuthenticatedRequest, pk: UUID
) -> tuple[Person | None, HttpResponse | None]:
    """The person, and the refusal page (audited) for anyone who may not ask for their pack."""
    person = policy.get_person_for_subject_access(request.actor, pk)
    try:
        services.subject_access_check(actor=request.actor, person=person, request=request)
    except PermissionDenied as exc:
        return None, forbidden(request, exc.message)
    return person, None


def _person_page(
    request: AuthenticatedRequest, person: Person, form: SubjectAccessConfirmForm
) -> HttpResponse:
    actor = request.actor
    assert actor is not None  # a data-protection lead
    return render_form(
        request,
        "dataprotection/person.html",
        {
            "person": person,
            "form": form,
            "scope": scope_statement(actor.organisation.name),
            "exports": list(selectors.person_exports(actor=actor, person=person)[:10]),
            "kept_days": KEPT_DAYS,
            "cancel_url": reverse("dataprotection:index"),
        },
    )


@require_http_methods(["GET", "POST"])
def person_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The confirmation step, then the request."""
    person, refused = _person_and_check(request, pk)
    if refused:
        return refused
    assert person is not None and request.actor is not None
    actor = request.actor
    form = SubjectAccessConfirmForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.subject_access_export_request(
            actor=actor, person=person, request=request
        ),
        success_url=lambda export: reverse(
            "dataprotection:export_detail", args=[person.pk, export.pk]
        ),
        message="You asked for the pack: its state is below",
    ):
        return response
    return _person_page(request, person, form)


@require_GET
def export_detail_view(request: AuthenticatedRequest, pk: UUID, job: UUID) -> HttpResponse:
    person, refused = _person_and_check(request, pk)
    if refused:
        return refused
    assert person is not None
    export: SubjectAccessExport = policy.get_subject_access_export_for_actor(
        request.actor, person, job
    )
    expired = services.is_expired(export)
    finished = export.state not in (SubjectAccessState.QUEUED, SubjectAccessState.RUNNING)
    return render(
        request,
        "dataprotection/export_detail.html",
        {
            "person": person,
            "export": export,
            "finished": finished,
            "done": export.state == SubjectAccessState.DONE and not expired,
            "expired": expired,
            "kept_days": KEPT_DAYS,
        },
    )


@require_GET
def export_download_view(request: AuthenticatedRequest, pk: UUID, job: UUID) -> HttpResponse:
    person, refused = _person_and_check(request, pk)
    if refused:
        return refused
    assert person is not None and request.actor is not None
    export = policy.get_subject_access_export_for_actor(request.actor, person, job)
    try:
        download = services.subject_access_export_download(
            actor=request.actor, export=export, request=request
        )
    except ApplicationError:
        # Not ready, or deleted: its page says which.
        return redirect("dataprotection:export_detail", pk=person.pk, job=export.pk)
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response


# Corrections -------------------------------------------------------------------------------------


@require_GET
def person_corrections_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    page = page_of(request, selectors.correction_events(actor=actor, person=person), PAGE_SIZE)
    corrections = selectors.as_corrections(
        actor=actor, person=person, events=list(page.object_list)
    )
    shown = selectors.categories_in(corrections)
    if shown:
        record_read(actor=actor, person=person, categories=sorted(shown), request=request)
    return render(
        request,
        "dataprotection/person_corrections.html",
        {
            "person": person,
            "active_section": "corrections",
            "page_obj": page,
            "corrections": corrections,
            "can_correct": policy.can_edit_person(actor, person),
        },
    )


@require_http_methods(["GET", "POST"])
def person_correct_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    if actor is None or not policy.can_edit_person(actor, person):
        return forbidden(request, "Your role cannot correct people's records.")
    with_contact = policy.can_view_category(actor, person, Category.CONTACT)
    schemes = identifier_schemes_for(actor, person)
    form = CorrectionForm(
        bound_data(request),
        initial=person_initial(person, with_contact=with_contact, identifier_schemes=schemes),
        with_contact=with_contact,
        identifier_schemes=schemes,
    )
    url = reverse("dataprotection:person_corrections", args=[person.pk])
    if response := run_form(
        request,
        form,
        lambda data: services.person_correct(
            actor=actor,
            person=person,
            data=form.person_data(),
            identifiers=form.identifiers(),
            reason=data["reason"],
        ),
        success_url=url,
        message="The correction has been saved",
    ):
        return response
    context: dict[str, Any] = {
        "form": form,
        "person": person,
        "cancel_url": url,
    }
    return render_form(request, "dataprotection/correction_form.html", context)


# Retention and legal holds -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def retention_view(request: AuthenticatedRequest) -> HttpResponse:
    """The partnerships' retention rules with what each would do today, the form to set one,
    and the erasure log."""
    actor = request.actor
    if actor is None or not policy.is_data_protection_lead(actor):
        return forbidden(request, NOT_A_LEAD)
    form = RetentionRuleForm(bound_data(request), partnerships=rules.retention_partnerships(actor))
    if response := run_form(
        request,
        form,
        lambda data: services.retention_rule_set(
            actor=actor,
            partnership=data["partnership"],
            record_type=data["record_type"],
            years=data["years"],
            request=request,
        ),
        success_url=reverse("dataprotection:retention"),
        message="The retention rule has been saved",
    ):
        return response
    page = page_of(request, selectors.erasure_log(actor=actor), PAGE_SIZE)
    return render_form(
        request,
        "dataprotection/retention.html",
        {
            "form": form,
            "rules": selectors.retention_rules_with_preview(actor=actor),
            "has_partnerships": rules.retention_partnerships(actor).exists(),
            "page_obj": page,
            "log": page.object_list,
        },
    )


def _holds_page(request: AuthenticatedRequest, person: Person, form: LegalHoldForm) -> HttpResponse:
    actor = request.actor
    assert actor is not None
    holds = list(rules.legal_holds_visible_to(actor, person).select_related("organisation"))
    return render_form(
        request,
        "dataprotection/legal_holds.html",
        {
            "person": person,
            "form": form,
            "holds": holds,
            "held": any(hold.lifted_at is None for hold in holds),
            "organisation_id": actor.organisation_id,
            "cancel_url": reverse("dataprotection:index"),
        },
    )


@require_http_methods(["GET", "POST"])
def legal_holds_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The person's legal holds and the form to place one."""
    person, refused = _person_and_check(request, pk)
    if refused:
        return refused
    assert person is not None and request.actor is not None
    actor = request.actor
    form = LegalHoldForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.legal_hold_place(
            actor=actor, person=person, reason=data["reason"], request=request
        ),
        success_url=reverse("dataprotection:legal_holds", args=[person.pk]),
        message="The legal hold has been placed: retention leaves these records alone",
    ):
        return response
    return _holds_page(request, person, form)


@require_POST
def legal_hold_lift_view(request: AuthenticatedRequest, pk: UUID, hold: UUID) -> HttpResponse:
    person, refused = _person_and_check(request, pk)
    if refused:
        return refused
    assert person is not None and request.actor is not None
    found = rules.get_legal_hold_for_actor(request.actor, person, hold)
    url = reverse("dataprotection:legal_holds", args=[person.pk])
    try:
        services.legal_hold_lift(actor=request.actor, hold=found, request=request)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(url)
    messages.success(request, "The legal hold has been lifted")
    return redirect(url)
