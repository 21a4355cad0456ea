"""The audit trail's page: who has accessed a person's record."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resettle.access.policy import can_view_access_log
from resettle.audit import selectors
from resettle.audit.forms import AccessLogFilterForm
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.http import AuthenticatedRequest
from resettle.web.pages import person_for_page
from resettle.web.tables import page_of

PAGE_SIZE = 50

NO_ACCESS_LOG = (
    "Only caseworkers, referrers and safeguarding leads working with this person can see "
    "who has accessed their record."
)


@login_required
@require_GET
def person_access_log_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = person_for_page(actor, pk)
    if not can_view_access_log(actor, person):
        return render(request, "errors/403.html", {"reason": NO_ACCESS_LOG}, status=403)
    # Looking at who has looked is itself a look, and shows in the list.
    record_event(
        actor=actor,
        action=AuditAction.READ,
        object_type="access_log",
        object_id=person.pk,
        person=person,
        request=request,
    )
    form = AccessLogFilterForm(
        request.GET or None,
        organisations=selectors.person_access_log_organisations(actor=actor, person=person),
    )
    events = selectors.person_access_log(
        actor=actor, person=person, organisation_id=form.organisation_id()
    )
    page = page_of(request, events, PAGE_SIZE)
    return render(
        request,
        "audit/person_access_log.html",
        {
            "person": person,
            "active_section": "access_log",
            "form": form,
            "page_obj": page,
            "events": page.object_list,
            "is_filtered": form.organisation_id() is not None,
        },
    )
