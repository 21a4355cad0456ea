"""Reads of action plans, already filtered by the policy: the actor's own organisation's goals,
and partners' only where outcomes are shared. Reads of partners' plans are recorded."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_read, record_reads
from resettle.core.pathways import Pathway
from resettle.people.models import Person
from resettle.plans.models import Goal, GoalStep, GoalUpdate, PlanReview

# What reading a partner's goal is, from the registry.
GOAL = category_of("plans.Goal")


@dataclass
class PathwayGoals:
    pathway: str
    label: str
    goals: list[Goal] = field(default_factory=list)


@dataclass
class PersonPlan:
    pathways: list[PathwayGoals]
    reviews: list[PlanReview]
    goal_count: int = 0


def goals_shown(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals with what their pages show: case, steps and updates."""
    return goals.select_related("case__organisation", "created_by").prefetch_related(
        Prefetch("steps", queryset=GoalStep.objects.select_related("owner_organisation")),
        Prefetch("updates", queryset=GoalUpdate.objects.select_related("by")),
    )


def audit_partner_reads(
    *, actor: Membership | None, person: Person, goals: list[Goal], request: HttpRequest | None
) -> None:
    if actor is not None and any(g.case.organisation_id != actor.organisation_id for g in goals):
        record_read(actor=actor, person=person, categories=[GOAL], request=request)


def audit_partner_reads_for_list(
    *, actor: Membership | None, goals: list[Goal], request: HttpRequest | None
) -> None:
    """audit_partner_reads for a page of many people's goals: one event per person whose
    partners' goals it shows, all in one insert, so the page costs the same queries however many
    people it shows."""
    if actor is None:
        return
    reads = [(g.person_id, GOAL) for g in goals if g.case.organisation_id != actor.organisation_id]
    record_reads(actor=actor, reads=reads, request=request)


def person_plan(
    *,
    actor: Membership | None,
    person: Person,
    status: str = "",
    request: HttpRequest | None = None,
) -> PersonPlan:
    goals = goals_shown(policy.goals_for_person(actor, person))
    if status == "open":
        goals = goals.filter(status__in=["not_started", "in_progress"])
    elif status:
        goals = goals.filter(status=status)
    goals_list = list(goals.order_by("pathway", "created_at"))
    audit_partner_reads(actor=actor, person=person, goals=goals_list, request=request)
    by_pathway: dict[str, PathwayGoals] = {}
    for pathway in Pathway:
        by_pathway[pathway.value] = PathwayGoals(pathway.value, pathway.label)
    for goal in goals_list:
        by_pathway[goal.pathway].goals.append(goal)
    visible_cases = policy.cases_for_person(actor, person)
    reviews = list(
        PlanReview.objects.filter(person=person, case__in=visible_cases)
        .select_related("by", "case__organisation")
        .order_by("-reviewed_on", "-created_at")
    )
    if not policy.can_read(actor, person, "plans.PlanReview"):
        own = actor.organisation_id if actor is not None else None
        reviews = [r for r in reviews if r.case.organisation_id == own]
    return PersonPlan(
        pathways=[p for p in by_pathway.values() if p.goals],
        reviews=reviews,
        goal_count=len(goals_list),
    )


def get_step_for_goal(goal: Goal, step_id: Any) -> GoalStep:
    return policy.get_or_404(
        GoalStep.objects.select_related("goal__case").filter(goal=goal), step_id, "step"
    )
