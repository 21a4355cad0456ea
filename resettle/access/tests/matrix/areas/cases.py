"""The authorization matrix for the cases routes: their decisions, and the records they need.

DESIGN §4, as written: an organisation's own cases are visible to its case-level
staff who see the person (a mentor: their mentees'); another organisation's only with the case
notes category. Cases are opened and changed by caseworkers, referrers and coordinators of the
case's own organisation; a gate meeting is planned by the case's own staff (a mentor on the
cases they mentor)."""

from datetime import date, timedelta

from django.utils import timezone

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import (
    ENDED,
    ENDED_DAYS_AGO,
    OTHER,
    OWN,
    SHARED,
    WITHDRAWN,
    World,
)
from resettle.cases.models import Case, CaseState, CloseReason, Task, TaskKind

TODAY = date.today()
WRITE = ("GET", "POST")


def _case_visible(actor, scope, world) -> bool:
    """own and withdrawn: the actor's organisation's case; shared: the hub's case, which is
    case notes."""
    if scope == SHARED:
        return Category.CASE_NOTES in o.categories(actor, scope, world)
    return True


visible = (_case_visible, o.Outcome.NOT_FOUND)
own_case = o.scope_in(OWN, WITHDRAWN, otherwise=o.Outcome.FORBIDDEN)
manager = o.role_in(*o.CREATE_ROLES)
case_rule = o.person(visible)
manage_rule = o.person(visible, manager, own_case)
today = TODAY.isoformat()

DECISIONS: dict[str, Decision] = {
    "cases:person": Decision(o.person(), about="person"),
    "cases:open": Decision(o.person(manager), about="person", methods=WRITE),
    "cases:detail": Decision(case_rule, about="case"),
    "cases:edit": Decision(manage_rule, about="case", methods=WRITE),
    "cases:pause": Decision(manage_rule, about="case", methods=WRITE),
    "cases:resume": Decision(manage_rule, about="case", methods=WRITE),
    "cases:close": Decision(manage_rule, about="case", methods=WRITE),
    "cases:reopen": Decision(manage_rule, about="case", methods=WRITE),
    "cases:gate_meeting": Decision(o.person(visible, own_case), about="case", methods=WRITE),
    "GET /api/v1/cases": Decision(o.signed_in()),
    "POST /api/v1/cases": Decision(
        o.person(manager),
        about="person",
        body=lambda r: {"person": str(r.person.pk), "opened_on": today},
    ),
    "GET /api/v1/cases/{case_id}": Decision(case_rule, about="case"),
    "PATCH /api/v1/cases/{case_id}": Decision(manage_rule, about="case", body=lambda r: {}),
    "POST /api/v1/cases/{case_id}/pause": Decision(
        manage_rule, about="case", body=lambda r: {"on": today, "reason": "In hospital"}
    ),
    "POST /api/v1/cases/{case_id}/resume": Decision(
        manage_rule, about="case", body=lambda r: {"on": today}
    ),
    "POST /api/v1/cases/{case_id}/close": Decision(
        manage_rule, about="case", body=lambda r: {"closed_on": today, "close_reason": "other"}
    ),
    "POST /api/v1/cases/{case_id}/reopen": Decision(
        manage_rule, about="case", body=lambda r: {"on": today}
    ),
    "GET /api/v1/cases/{case_id}/events": Decision(case_rule, about="case"),
    # A task goes with its case: seen by whoever sees the case, completed by the case's own
    # staff (a mentor on the cases they mentor), as a gate meeting is planned.
    "GET /api/v1/tasks": Decision(o.signed_in()),
    "GET /api/v1/tasks/{task_id}": Decision(case_rule, about="task"),
    "POST /api/v1/tasks/{task_id}/complete": Decision(
        o.person(visible, own_case), about="task", body=lambda r: {}
    ),
}


def build(world: World) -> None:
    """Each scope's person has a case at the organisation working with them (closed where the
    work has ended); the shared person also one at the hub, which is the case their routes are
    tried on (another organisation's)."""
    orgs, cast = world.organisations, world.cast
    opened = TODAY - timedelta(days=20)
    for (key, scope), person in world.people.items():
        extra = world.per_person[person.pk]["extra"]
        if scope == OTHER:
            extra["case"] = Case.objects.create(
                person=person, organisation=orgs["hub"], opened_on=opened
            )
            continue
        mentor = cast.mentor.user if key == "mentoring_charity" else None
        if scope in ENDED:
            # The work has ended: its case is closed on the day the relationship ended.
            closed_on = TODAY - timedelta(days=ENDED_DAYS_AGO[scope])
            extra["case"] = Case.objects.create(
                person=person,
                organisation=orgs[key],
                mentor=mentor,
                opened_on=closed_on - timedelta(days=20),
                state=CaseState.CLOSED,
                closed_on=closed_on,
                close_reason=CloseReason.OTHER,
            )
            continue
        own = Case.objects.create(
            person=person, organisation=orgs[key], mentor=mentor, opened_on=opened
        )
        extra["case"] = own
        if scope == SHARED:
            extra["case"] = Case.objects.create(
                person=person, organisation=orgs["hub"], opened_on=opened
            )
    for extra in (world.per_person[person.pk]["extra"] for person in world.people.values()):
        case = extra["case"]
        extra["task"] = Task.objects.create(
            case=case,
            kind=TaskKind.REVIEW,
            title="Review the plan",
            due_at=timezone.now() + timedelta(days=7),
            assigned_to=case.mentor,
        )
