"""Outcomes (DESIGN §11): the charities, mentors and sport trusts measure what they aim for.
Each organisation has an outcome schedule; most of their cases have an ONS4 and activity
baseline near the start and reviews every 12 weeks, some improving, some not, some stopping
before their first review; closed cases have an exit assessment and follow-ups at 3, 6 and 12
months where the time has come (fewer each time), and their goals rated. Reads `result.cases`
and the goals the plans step made."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from resettle.cases.models import Case, CaseState
from resettle.demo.generator.contacts import _staff_by_organisation
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.outcomes.instruments_loader import load_instruments
from resettle.outcomes.models import (
    ENDING_FROM_CLOSE,
    AnsweredBy,
    Assessment,
    EndingReason,
    EndOfSupport,
    GoalOutcome,
    GoalRating,
    Instrument,
    Schedule,
    Timepoint,
)
from resettle.plans.models import Goal, GoalStatus

# Who measures what: the lead charity and the women's centre wellbeing and the pathways, the
# mentors wellbeing, the sport trusts wellbeing and activity.
MEASURED: dict[str, list[str]] = {
    "lead": ["ons4", "pathway_self_rating"],
    "womens": ["ons4", "pathway_self_rating"],
    "mentoring": ["ons4"],
    "trust_millbrook": ["ons4", "physical_activity"],
    "trust_ashcombe": ["ons4", "physical_activity"],
    "trust_eastgate": ["ons4", "physical_activity"],
}
REVIEW_WEEKS = 12
# How each person's scores move from one review to the next.
TRAJECTORIES = {"improves": 55.0, "flat": 30.0, "worsens": 15.0}
DRIFT = {"improves": 1, "flat": 0, "worsens": -1}
# Months after support ends, and how many are reached for each follow-up.
FOLLOW_UPS = {
    Timepoint.FOLLOW_UP_3M: (3, 0.6),
    Timepoint.FOLLOW_UP_6M: (6, 0.45),
    Timepoint.FOLLOW_UP_12M: (12, 0.3),
}
RATING = {
    GoalStatus.ACHIEVED: GoalRating.ACHIEVED,
    GoalStatus.PARTLY_ACHIEVED: GoalRating.PARTLY,
    GoalStatus.NOT_ACHIEVED: GoalRating.NOT_ACHIEVED,
}
WORDS = (
    "Having someone who turned up when they said they would.",
    "The football got me out of the flat.",
    "Help with the forms. I couldn't have done the housing on my own.",
    "Talking to someone who'd been through it.",
)
# A family member's words, child or adult.
FAMILY_WORDS = (
    "The family days were the best bit.",
    "Having someone to talk to who understood.",
    "Knowing what to expect before the first visit.",
)


class _Person:
    """One case's person as the demo answers for them: where they start and which way they go."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self.trajectory = step.pick(TRAJECTORIES)
        self.wellbeing = {
            "life_satisfaction": step.rng.randint(2, 6),
            "worthwhile": step.rng.randint(3, 7),
            "happiness": step.rng.randint(2, 6),
            "anxiety": step.rng.randint(4, 9),
        }
        self.minutes = step.rng.choice((0, 10, 20, 45, 60, 90))
        self.pathways = {p: step.rng.randint(1, 3) for p in _pathway_codes()}

    def move(self) -> None:
        drift, rng = DRIFT[self.trajectory], self.step.rng
        for key, value in self.wellbeing.items():
            change = drift + rng.choice((-1, 0, 0, 1))
            if key == "anxiety":
                change = -change
            self.wellbeing[key] = min(10, max(0, value + change))
        self.minutes = max(0, self.minutes + drift * rng.randint(20, 60) + rng.randint(-10, 10))
        for key, value in self.pathways.items():
            self.pathways[key] = min(5, max(1, value + (drift if rng.random() < 0.5 else 0)))

    def answers(self, code: str) -> dict[str, Any]:
        if code == "ons4":
            answers: dict[str, Any] = dict(self.wellbeing)
            if self.step.chance(0.05):
                answers["anxiety"] = "refused"
            return answers
        if code == "physical_activity":
            return {"minutes": min(self.minutes, 5040)}
        answers = {}
        for key, value in self.pathways.items():
            answers[key] = value
            answers[f"{key}_worker"] = min(5, max(1, value + self.step.rng.choice((-1, 0, 0))))
        return answers


def _pathway_codes() -> list[str]:
    return [
        "accommodation",
        "education_employment",
        "health",
        "drugs_alcohol",
        "finance_benefit_id",
        "children_families",
        "attitudes_behaviour",
    ]


def create_outcomes(result: DemoResult) -> None:
    load_instruments()
    step = Step(result, "outcomes")
    instruments = {
        i.code: i for i in Instrument.objects.order_by("code", "-version") if i.version == 1
    }
    staff = _staff_by_organisation(result)
    measured = {
        result.organisations[key].pk: codes
        for key, codes in MEASURED.items()
        if key in result.organisations
    }
    schedules = [
        Schedule(
            id=step.new_id(),
            organisation_id=organisation_id,
            instrument_codes=codes,
            review_every_weeks=REVIEW_WEEKS,
            at_exit=True,
            follow_up_months=[3, 6, 12],
        )
        for organisation_id, codes in measured.items()
    ]
    assessments: list[Assessment] = []
    for case in result.cases:
        if not isinstance(case, Case) or case.organisation_id not in measured:
            continue
        recorder = case.mentor_id or case.worker_id or staff.get(case.organisation_id)
        if recorder is None or step.chance(0.15):
            continue
        assessments.extend(
            _case_assessments(step, case, recorder, measured[case.organisation_id], instruments)
        )
    save_all(Schedule, schedules, "outcome schedules", result)
    save_all(Assessment, assessments, "outcome assessments", result)
    _end_of_support(step, result, staff)


def _case_assessments(
    step: Step, case: Case, recorder: Any, codes: list[str], instruments: dict[str, Instrument]
) -> list[Assessment]:
    today = step.today
    end = case.closed_on if case.state == CaseState.CLOSED and case.closed_on else today
    person = _Person(step)
    dates: list[tuple[str, date]] = [
        (Timepoint.BASELINE, min(end, case.opened_on + timedelta(days=step.rng.randint(0, 14))))
    ]
    # Some stop before their first review.
    if not step.chance(0.2):
        on = dates[0][1] + timedelta(weeks=REVIEW_WEEKS)
        while on < end:
            dates.append((Timepoint.REVIEW, on))
            on += timedelta(weeks=REVIEW_WEEKS)
    if case.state == CaseState.CLOSED and case.closed_on:
        if step.chance(0.6):
            dates.append((Timepoint.EXIT, case.closed_on))
        for follow_up, (months, chance) in FOLLOW_UPS.items():
            due = case.closed_on + relativedelta(months=months)
            if due + timedelta(days=14) <= today and step.chance(chance):
                dates.append((follow_up, due + timedelta(days=step.rng.randint(0, 14))))
    rows = []
    for index, (timepoint, on) in enumerate(dates):
        if index:
            person.move()
        for code in codes:
            instrument = instruments[code]
            answers = instrument.parsed.clean_answers(person.answers(code))
            scores, bands = instrument.parsed.score(answers)
            rows.append(
                Assessment(
                    id=step.new_id(),
                    person_id=case.person_id,
                    case_id=case.pk,
                    organisation_id=case.organisation_id,
                    instrument=instrument,
                    timepoint=timepoint,
                    completed_on=on,
                    answered_by=step.pick(
                        {AnsweredBy.PERSON: 70.0, AnsweredBy.WORKER: 28.0, AnsweredBy.PROXY: 2.0}
                    ),
                    answers=answers,
                    scores=scores,
                    bands=bands,
                    recorded_by_id=recorder,
                )
            )
    return rows


def _end_of_support(step: Step, result: DemoResult, staff: dict) -> None:
    """Most closed cases with goals have each goal rated and the reason support ended."""
    closed = {
        case.pk: case
        for case in result.cases
        if isinstance(case, Case) and case.state == CaseState.CLOSED
    }
    goals: dict[Any, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(case_id__in=list(closed)).order_by("case_id", "created_at"):
        goals[goal.case_id].append(goal)
    family = {person.pk for person in result.family_members}
    ends, outcomes = [], []
    for case_id in sorted(goals, key=str):
        case = closed[case_id]
        recorder = case.worker_id or case.mentor_id or staff.get(case.organisation_id)
        if recorder is None or step.chance(0.2):
            continue
        end = EndOfSupport(
            id=step.new_id(),
            case_id=case_id,
            person_id=case.person_id,
            reason=ENDING_FROM_CLOSE.get(case.close_reason, EndingReason.OTHER),
            in_own_words=(
                step.rng.choice(FAMILY_WORDS if case.person_id in family else WORDS)
                if step.chance(0.5)
                else ""
            ),
            recorded_by_id=recorder,
        )
        ends.append(end)
        for goal in goals[case_id]:
            rating = RATING.get(GoalStatus(goal.status), GoalRating.NO_LONGER_RELEVANT)
            outcomes.append(
                GoalOutcome(id=step.new_id(), end_of_support=end, goal=goal, rating=rating)
            )
    save_all(EndOfSupport, ends, "end-of-support outcomes", result)
    save_all(GoalOutcome, outcomes, "goal outcomes", result)
