"""Action plans (DESIGN §7): for each live or closed case, goals on the person's pathways, in
their own words, with steps owned by the person, the worker or a partner organisation, dated
progress updates and a plan review. A family member's goals are a family's, a child's a child's,
and a young child has no plan of their own. Reads `result.cases` (the cases step), after
contacts."""

import itertools
from datetime import timedelta

from resettle.cases.models import Case, CaseState
from resettle.core.pathways import Pathway
from resettle.demo.generator.contacts import _staff_by_organisation
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.plans.models import Goal, GoalStatus, GoalStep, GoalUpdate, PlanReview, StepOwner

# Each pathway's goal: title, in their own words, barriers, steps, and the partner organisation
# that may own a step.
GoalSpec = tuple[str, str, str, tuple[str, ...], str | None]
GOALS: dict[str, GoalSpec] = {
    Pathway.ACCOMMODATION: (
        "Get a place of my own",
        "I want my own front door, somewhere the kids can stay over.",
        "Rent arrears from before; no deposit.",
        ("Fill in the housing register form", "Ask the council about the deposit scheme"),
        "housing",
    ),
    Pathway.EDUCATION_EMPLOYMENT: (
        "Find steady work",
        "Anything with my hands. I just want to be earning.",
        "Gaps on the CV; worried about disclosing.",
        ("Update the CV", "Book the CSCS card course"),
        "dwp",
    ),
    Pathway.HEALTH: (
        "Register with a GP",
        "Get my prescriptions sorted so I'm not running out.",
        "",
        ("Register at the local surgery", "Book a medication review"),
        None,
    ),
    Pathway.DRUGS_ALCOHOL: (
        "Stay off the drink at weekends",
        "Weekends are when it goes wrong. I want to get through them.",
        "Old friends in the same pub.",
        ("Go to the Saturday recovery group", "Plan the weekends with my mentor"),
        None,
    ),
    Pathway.FINANCE_BENEFIT_ID: (
        "Get ID and a bank account",
        "I can't do anything without ID.",
        "No birth certificate.",
        ("Order a birth certificate", "Open a basic bank account"),
        "dwp",
    ),
    Pathway.CHILDREN_FAMILIES: (
        "See my children regularly",
        "I want to be there for my daughter's birthday.",
        "Contact arrangements go through the family court.",
        ("Ask the family support charity about supervised contact",),
        "family",
    ),
    Pathway.ATTITUDES_BEHAVIOUR: (
        "Keep my temper when things go wrong",
        "Walk away instead of kicking off.",
        "",
        ("Finish the thinking skills course",),
        None,
    ),
}
REVIEW_SUMMARY = "Went through the plan together. Agreed the next steps and who does what."
FAMILY_GOALS: dict[str, GoalSpec] = {
    Pathway.CHILDREN_FAMILIES: (
        "Help the children keep in touch",
        "I want them to see their parent without it upsetting them.",
        "Visits are two buses away.",
        ("Book the next family day", "Apply for help with travel costs"),
        None,
    ),
    Pathway.HEALTH: (
        "Look after myself too",
        "I have been running on empty.",
        "",
        ("Go to the carers' support group", "See the GP about sleep"),
        None,
    ),
    Pathway.FINANCE_BENEFIT_ID: (
        "Manage on one income",
        "I want to stop worrying about the bills.",
        "Debts in both our names.",
        ("Go through the budget together", "Book a debt advice appointment"),
        None,
    ),
}
CHILD_GOALS: dict[str, GoalSpec] = {
    Pathway.CHILDREN_FAMILIES: (
        "Keep in touch while they are away",
        "I want to write every week and go to the family days.",
        "",
        ("Write a letter each week", "Go to the next family day"),
        None,
    ),
    Pathway.HEALTH: (
        "Feel less worried",
        "I get a tummy ache before school.",
        "",
        ("Use the worry box at bedtime", "Talk to the school nurse"),
        None,
    ),
    Pathway.EDUCATION_EMPLOYMENT: (
        "Keep going to school",
        "I want to stay in my class with my friends.",
        "Mornings are hard.",
        ("Meet the school's family worker", "Plan the mornings with my carer"),
        None,
    ),
}
# Children under this age have no plan of their own: the family's worker plans with their carer.
YOUNGEST_WITH_A_PLAN = 5
PROGRESS: tuple[str, ...] = (
    "Made a start; forms sent off.",
    "Waiting to hear back; chased by phone.",
    "Good progress this month.",
    "Set back by the recall; picking it up again now.",
)
FAMILY_PROGRESS: tuple[str, ...] = (
    "Made a start.",
    "Good progress this month.",
    "A hard few weeks; picking it up again now.",
)


def create_plans(result: DemoResult) -> None:
    step = Step(result, "plans")
    staff = _staff_by_organisation(result)
    family = {person.pk for person in result.family_members}
    goals, steps, updates, reviews = [], [], [], []
    for case in result.cases:
        if not isinstance(case, Case):
            continue
        user = case.mentor_id or case.worker_id or staff.get(case.organisation_id)
        if user is None or step.chance(0.25):
            continue
        table, progress = GOALS, PROGRESS
        if case.person_id in family:
            age = case.person.age_on(step.today)
            if age is not None and age < YOUNGEST_WITH_A_PLAN:
                continue
            adult = age is None or age >= 18
            table, progress = (FAMILY_GOALS if adult else CHILD_GOALS), FAMILY_PROGRESS
        chosen = step.rng.sample(list(table), k=min(len(table), step.rng.randint(1, 3)))
        for pathway in chosen:
            goal, goal_steps, goal_updates = _goal(
                step, result, case, user, pathway, table[pathway], progress
            )
            goals.append(goal)
            steps.extend(goal_steps)
            updates.extend(goal_updates)
        if (step.today - case.opened_on).days > 60:
            reviewed = case.opened_on + timedelta(days=step.rng.randint(40, 60))
            due = reviewed + timedelta(days=91)
            reviews.append(
                PlanReview(
                    id=step.new_id(),
                    person_id=case.person_id,
                    case_id=case.pk,
                    reviewed_on=min(reviewed, step.today),
                    by_id=user,
                    summary=REVIEW_SUMMARY,
                    next_review_on=due if due > min(reviewed, step.today) else None,
                )
            )
    save_all(Goal, goals, "goals", result)
    save_all(GoalStep, steps, "goal steps", result)
    save_all(GoalUpdate, updates, "goal updates", result)
    save_all(PlanReview, reviews, "plan reviews", result)


def _goal(
    step: Step,
    result: DemoResult,
    case: Case,
    user,
    pathway: str,
    spec: GoalSpec,
    progress: tuple[str, ...],
):
    title, words, barriers, step_texts, partner_key = spec
    closed = case.state == CaseState.CLOSED
    goal = Goal(
        id=step.new_id(),
        person_id=case.person_id,
        case_id=case.pk,
        pathway=pathway,
        title=title,
        in_own_words=words if step.chance(0.8) else "",
        barriers=barriers,
        created_by_id=user,
        due_on=None if closed else step.today + timedelta(days=step.rng.randint(30, 150)),
    )
    end = case.closed_on if closed and case.closed_on else step.today
    # The status path so far, one dated update for each change, with notes between.
    path = [GoalStatus.NOT_STARTED]
    if (end - case.opened_on).days > 14 or step.chance(0.5):
        path.append(GoalStatus.IN_PROGRESS)
    if closed:
        path.append(
            step.pick(
                {
                    GoalStatus.ACHIEVED: 50.0,
                    GoalStatus.PARTLY_ACHIEVED: 30.0,
                    GoalStatus.NOT_ACHIEVED: 20.0,
                }
            )
        )
    elif len(path) > 1 and step.chance(0.2):
        path.append(GoalStatus.ACHIEVED)
    goal.status = path[-1]
    updates = []
    on = case.opened_on
    for before, after in itertools.pairwise(path):
        on = step.date_between(on, end)
        updates.append(
            GoalUpdate(
                id=step.new_id(),
                goal_id=goal.pk,
                on=on,
                by_id=user,
                status_from=before,
                status_to=after,
                note=step.rng.choice(progress) if step.chance(0.6) else "",
            )
        )
    steps = []
    achieved = goal.status == GoalStatus.ACHIEVED
    for index, text in enumerate(step_texts):
        owner = (
            StepOwner.PERSON
            if index == 0
            else step.pick(
                {StepOwner.WORKER: 50.0, StepOwner.PARTNER: 30.0, StepOwner.PERSON: 20.0}
            )
        )
        partner = result.organisations.get(partner_key) if partner_key else None
        if owner == StepOwner.PARTNER and partner is None:
            owner = StepOwner.WORKER
        done = achieved or (goal.status != GoalStatus.NOT_STARTED and step.chance(0.4))
        steps.append(
            GoalStep(
                id=step.new_id(),
                goal_id=goal.pk,
                text=text,
                owner_kind=owner,
                owner_organisation=partner if owner == StepOwner.PARTNER else None,
                due_on=case.opened_on + timedelta(days=step.rng.randint(14, 90)),
                done_on=step.date_between(case.opened_on, end) if done else None,
                created_by_id=user,
            )
        )
    return goal, steps, updates
