"""The authorization matrix for the plans routes: their decisions, and the records they need.

The rules, from DESIGN §4 (not from the policy): an organisation reads its own
goals, and another organisation's only where outcomes are shared with it; only the case's
organisation (its case-level staff, or a peer mentor on a mentee's case) changes a plan."""

from datetime import date, timedelta

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.areas.contacts import (
    RECORDERS,
    live_case,
    names_a_case_it_works_on,
    own_record,
    partner_record_visible,
)
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OTHER, SHARED, Records, World
from resettle.plans.models import Goal, GoalStep, GoalUpdate, PlanReview

WRITE = ("GET", "POST")
goal_visible = partner_record_visible(Category.OUTCOMES)
goal_read = o.person(goal_visible)
goal_write = o.person(goal_visible, own_record())


def _goal_body(records: Records) -> dict:
    return {
        "case": str(records.own_case.pk),
        "pathway": "accommodation",
        "title": "Find a flat",
    }


DECISIONS: dict[str, Decision] = {
    "plans:person_plan": Decision(o.person(), about="person"),
    "plans:print": Decision(o.person(), about="person"),
    "plans:goal_create": Decision(o.person(), about="person", methods=WRITE),
    "plans:review_create": Decision(o.person(), about="person", methods=WRITE),
    "plans:goal_detail": Decision(goal_read, about="goal"),
    "plans:goal_progress": Decision(goal_write, about="goal", methods=WRITE),
    "plans:step_add": Decision(goal_write, about="goal", methods=WRITE),
    "plans:step_done": Decision(goal_write, about="goal", methods=("POST",)),
    "GET /api/v1/goals": Decision(o.signed_in()),
    "POST /api/v1/goals": Decision(names_a_case_it_works_on(), about="person", body=_goal_body),
    "GET /api/v1/goals/{goal_id}": Decision(goal_read, about="person"),
    "PATCH /api/v1/goals/{goal_id}": Decision(goal_write, about="person", body=lambda r: {}),
}


def _goal(world: World, case, org_key: str, title: str) -> tuple[Goal, GoalStep]:
    user = getattr(world.cast, RECORDERS[org_key]).user
    goal = Goal.objects.create(
        person=case.person,
        case=case,
        pathway="accommodation",
        title=title,
        in_own_words="Somewhere of my own near my kids",
        status="in_progress",
        created_by=user,
    )
    step = GoalStep.objects.create(
        goal=goal, text="Fill in the housing form", owner_kind="person", created_by=user
    )
    GoalUpdate.objects.create(
        goal=goal, on=date.today(), by=user, status_from="not_started", status_to="in_progress"
    )
    return goal, step


def build(world: World) -> None:
    """A goal (with a step and an update) and a review on each scope's organisation case; the
    shared person's routes name the hub's goal (shared under outcomes); the other person's too."""
    hub = world.organisations["hub"]
    for (org_key, scope), person in world.people.items():
        extra = world.per_person[person.pk]["extra"]
        if scope == OTHER:
            extra["goal"], extra["step"] = _goal(world, live_case(person, hub), "hub", "Hub goal")
            continue
        case = extra.get("own_case") or live_case(person, world.organisations[org_key])
        extra["goal"], extra["step"] = _goal(world, case, org_key, "Own goal")
        PlanReview.objects.create(
            person=person,
            case=case,
            reviewed_on=date.today() - timedelta(days=1),
            by=getattr(world.cast, RECORDERS[org_key]).user,
            summary="Matrix review",
        )
        if scope == SHARED:
            hub_case = extra.get("hub_case") or live_case(person, hub)
            extra["goal"], extra["step"] = _goal(world, hub_case, "hub", "Hub goal")
