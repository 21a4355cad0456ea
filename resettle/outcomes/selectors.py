"""Reads for outcomes, filtered for the actor: the instruments in use, a person's assessments
by instrument over time, a service's outcome summary (DESIGN §5: change between baseline and
the latest review, only for people with both), and the assessments due on a worker's cases."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership, Organisation
from resettle.audit.services import record_reads
from resettle.cases.models import Case, CaseState
from resettle.directory.models import Service
from resettle.outcomes.definitions import MISSING, Question
from resettle.outcomes.models import (
    FOLLOW_UP_MONTHS,
    Assessment,
    Instrument,
    Schedule,
    Timepoint,
)
from resettle.people.models import Person
from resettle.plans.models import Goal

SUMMARY_DEFINITION = (
    "Outcomes: change between baseline and the latest review per instrument (the same version "
    "of it); only people with both count. People with a baseline and no review yet, or a "
    "review without a baseline, are counted separately below, never dropped."
)
# A scheduled assessment is overdue this long after it fell due.
OVERDUE_AFTER = timedelta(days=14)
# A follow-up stays on the list this long after it fell due, then is left as not done.
FOLLOW_UP_LISTED_FOR = timedelta(days=62)
EXIT_LISTED_FOR = timedelta(days=28)


def current_instruments() -> list[Instrument]:
    """The latest version of each instrument, by name."""
    latest: dict[str, Instrument] = {}
    for instrument in Instrument.objects.order_by("code", "-version"):
        latest.setdefault(instrument.code, instrument)
    return sorted(latest.values(), key=lambda i: i.name)


def instrument_by_code(code: str) -> Instrument | None:
    """The latest version of the instrument with this code."""
    return Instrument.objects.filter(code=code).order_by("-version").first()


def recordable_cases(actor: Membership | None, person: Person) -> list[Case]:
    """The person's cases the actor may record outcomes on, live first: closed ones take
    follow-ups without being reopened."""
    cases = policy.cases_for_person(actor, person).select_related("organisation", "person")
    return sorted(
        (case for case in cases if policy.can_record_assessment(actor, person, case)),
        key=lambda c: (c.state == CaseState.CLOSED, -c.opened_on.toordinal()),
    )


def person_assessments(*, actor: Membership | None, person: Person) -> QuerySet[Assessment]:
    return (
        policy.assessments_for_person(actor, person)
        .select_related("instrument", "organisation", "case")
        .order_by("completed_on", "created_at")
    )


def audit_reads(
    *, actor: Membership | None, assessments: Iterable[Assessment], request: HttpRequest | None
) -> None:
    """Another organisation's assessments are read under the outcomes category: recorded."""
    if actor is None:
        return
    reads = [
        (a.person_id, category_of("outcomes.Assessment"))
        for a in assessments
        if a.organisation_id != actor.organisation_id
    ]
    if reads:
        record_reads(actor=actor, reads=reads, request=request)


# A person's chart ---------------------------------------------------------------------------


@dataclass
class Series:
    question: Question
    points: list[tuple[Assessment, int | None]]


@dataclass
class InstrumentHistory:
    instrument: Instrument
    assessments: list[Assessment]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[Assessment, list[str]]]:
        """Each assessment with its scores, and "Missing" or "Refused" where it has none."""
        return [
            (
                a,
                [
                    str(a.scores[s.question.code])
                    if s.question.code in a.scores
                    else s.question.label_of(a.answers.get(s.question.code, MISSING))
                    for s in self.series
                ],
            )
            for a in self.assessments
        ]


def histories(assessments: Iterable[Assessment]) -> list[InstrumentHistory]:
    """The assessments by instrument version, each scored question as a series over time."""
    grouped: dict[Any, list[Assessment]] = defaultdict(list)
    instruments: dict[Any, Instrument] = {}
    for assessment in assessments:
        grouped[assessment.instrument_id].append(assessment)
        instruments[assessment.instrument_id] = assessment.instrument
    result = []
    for key, rows in grouped.items():
        instrument = instruments[key]
        series = [
            Series(q, [(a, a.scores.get(q.code)) for a in rows])
            for q in instrument.parsed.scored_questions
            if q.rater == "person"
        ]
        result.append(InstrumentHistory(instrument, rows, series))
    return sorted(result, key=lambda h: (h.instrument.name, h.instrument.version))


# A service's outcome summary ------------------------------------------------------------------


@dataclass
class QuestionChange:
    question: Question
    people: int
    baseline_mean: float | None
    latest_mean: float | None
    change_mean: float | None
    improved: int
    same: int
    worse: int


@dataclass
class InstrumentSummary:
    instrument: Instrument
    with_both: int
    only_baseline: int
    only_review: int
    questions: list[QuestionChange] = field(default_factory=list)


def summary_scopes(*, actor: Membership | None) -> list[Service]:
    """The services of the actor's organisation whose outcome summary or schedule they may
    read."""
    if actor is None or not (
        policy.can_view_outcome_summary(actor, actor.organisation)
        or policy.can_change_outcome_schedule(actor, actor.organisation)
    ):
        return []
    return list(Service.objects.filter(organisation_id=actor.organisation_id).order_by("name"))


def schedules_of(organisation_id: Any) -> dict[Any, Schedule]:
    """The organisation's outcome schedules by service id (None: cases of no service)."""
    return {s.service_id: s for s in Schedule.objects.filter(organisation_id=organisation_id)}


def outcome_summary(
    *, organisation: Organisation, service: Service | None
) -> list[InstrumentSummary]:
    """For one service of the organisation (or all its work, without one): per instrument
    version, change between baseline and latest review. Counts only, no one named; the view
    asks `policy.can_view_outcome_summary` first."""
    rows = Assessment.objects.filter(
        organisation=organisation, timepoint__in=[Timepoint.BASELINE, Timepoint.REVIEW]
    )
    if service is not None:
        rows = rows.filter(service=service)
    baseline: dict[tuple, dict] = {}
    latest: dict[tuple, dict] = {}
    for person_id, instrument_id, timepoint, scores in rows.order_by(
        "completed_on", "created_at"
    ).values_list("person_id", "instrument_id", "timepoint", "scores"):
        key = (instrument_id, person_id)
        if timepoint == Timepoint.BASELINE:
            baseline.setdefault(key, scores)  # the first baseline
        else:
            latest[key] = scores  # the latest review
    instrument_ids = {key[0] for key in baseline} | {key[0] for key in latest}
    summaries = []
    for instrument in Instrument.objects.filter(pk__in=instrument_ids):
        both = [key for key in baseline if key[0] == instrument.pk and key in latest]
        summary = InstrumentSummary(
            instrument=instrument,
            with_both=len(both),
            only_baseline=sum(1 for k in baseline if k[0] == instrument.pk and k not in latest),
            only_review=sum(1 for k in latest if k[0] == instrument.pk and k not in baseline),
        )
        for question in instrument.parsed.scored_questions:
            if question.rater != "person":
                continue
            pairs = [
                (baseline[k][question.code], latest[k][question.code])
                for k in both
                if question.code in baseline[k] and question.code in latest[k]
            ]
            changes = [after - before for before, after in pairs]
            summary.questions.append(
                QuestionChange(
                    question=question,
                    people=len(pairs),
                    baseline_mean=mean(b for b, _ in pairs) if pairs else None,
                    latest_mean=mean(a for _, a in pairs) if pairs else None,
                    change_mean=mean(changes) if changes else None,
                    improved=sum(1 for c in changes if c and question.improved(c)),
                    same=sum(1 for c in changes if c == 0),
                    worse=sum(1 for c in changes if c and not question.improved(c)),
                )
            )
        summaries.append(summary)
    return sorted(summaries, key=lambda s: (s.instrument.name, s.instrument.version))


# Due assessments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    case: Case
    instrument_code: str
    instrument_name: str
    timepoint: str
    due_on: date
    overdue: bool

    @property
    def timepoint_label(self) -> str:
        return Timepoint(self.timepoint).label


def _schedule_for(case: Case, schedules: dict[tuple, Schedule]) -> Schedule | None:
    service_id = case.referral.service_id if case.referral_id and case.referral else None
    return schedules.get((case.organisation_id, service_id)) or schedules.get(
        (case.organisation_id, None)
    )


def _due_for_case(
    case: Case,
    schedule: Schedule,
    done: dict[tuple, list[tuple[str, date]]],
    names: dict[str, str],
    on: date,
) -> list[Due]:
    items: list[Due] = []

    def add(code: str, timepoint: str, due_on: date) -> None:
        items.append(
            Due(case, code, names.get(code, code), timepoint, due_on, due_on + OVERDUE_AFTER < on)
        )

    for code in schedule.instrument_codes:
        if code not in names:
            continue
        history = done.get((case.pk, code), [])
        timepoints = {timepoint for timepoint, _ in history}
        if case.state != CaseState.CLOSED:
            if Timepoint.BASELINE not in timepoints:
                add(code, Timepoint.BASELINE, case.opened_on)
                continue
            if schedule.review_every_weeks:
                last = max(d for t, d in history if t in (Timepoint.BASELINE, Timepoint.REVIEW))
                next_review = last + timedelta(weeks=schedule.review_every_weeks)
                if next_review <= on:
                    add(code, Timepoint.REVIEW, next_review)
            continue
        assert case.closed_on is not None  # a closed case has its date
        if (
            schedule.at_exit
            and Timepoint.EXIT not in timepoints
            and on <= case.closed_on + EXIT_LISTED_FOR
        ):
            add(code, Timepoint.EXIT, case.closed_on)
        for timepoint, months in FOLLOW_UP_MONTHS.items():
            due_on = case.closed_on + relativedelta(months=months)
            if (
                months in schedule.follow_up_months
                and timepoint not in timepoints
                and due_on <= on <= due_on + FOLLOW_UP_LISTED_FOR
            ):
                add(code, timepoint, due_on)
    return items


def due_assessments(*, actor: Membership | None, on: date) -> list[Due]:
    """The assessments the schedules make due on the actor's own cases (as worker or mentor):
    baselines and reviews on live cases, exit and follow-ups on cases closed lately. One query
    where the organisation has set no schedule, four however many cases."""
    if actor is None or not policy.can_view_case_records(actor):
        return []
    schedules = {
        (s.organisation_id, s.service_id): s
        for s in Schedule.objects.filter(organisation_id=actor.organisation_id)
    }
    if not schedules:
        return []
    cases = list(
        policy.cases_visible_to(actor)
        .filter(organisation_id=actor.organisation_id)
        .filter(Q(worker_id=actor.user_id) | Q(mentor_id=actor.user_id))
        .filter(
            Q(closed_on__isnull=True)
            | Q(closed_on__gte=on - relativedelta(months=12) - FOLLOW_UP_LISTED_FOR)
        )
        .select_related("person", "referral")
    )
    if not cases:
        return []
    names = {i.code: i.name for i in current_instruments()}
    done: dict[tuple, list[tuple[str, date]]] = defaultdict(list)
    for case_id, code, timepoint, completed_on in Assessment.objects.filter(
        case_id__in=[c.pk for c in cases]
    ).values_list("case_id", "instrument__code", "timepoint", "completed_on"):
        done[(case_id, code)].append((timepoint, completed_on))
    items: list[Due] = []
    for case in cases:
        schedule = _schedule_for(case, schedules)
        if schedule is not None:
            items.extend(_due_for_case(case, schedule, done, names, on))
    return sorted(items, key=lambda d: (d.due_on, d.case.person.family_name, d.instrument_name))


# One plan from every organisation's goals -------------------------------------------------


@dataclass
class PlanPathway:
    label: str
    goals: list[Goal]


def plan_outcomes(*, actor: Membership | None, person: Person) -> list[PlanPathway]:
    """The person's goals the actor may see, from every organisation, as one plan by pathway:
    each goal with the organisation that works on it and, once its case closed, its rating."""
    goals = (
        policy.goals_for_person(actor, person)
        .select_related("case__organisation", "outcome")
        .order_by("pathway", "created_at")
    )
    by_pathway: dict[str, PlanPathway] = {}
    for goal in goals:
        by_pathway.setdefault(
            goal.pathway, PlanPathway(goal.get_pathway_display(), [])
        ).goals.append(goal)
    return list(by_pathway.values())
