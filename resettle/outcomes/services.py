"""Every write to outcomes: recording an assessment (answers checked against the instrument's
scale, scores and bands worked out from them), what came of each goal when support ended, and a
service's outcome schedule. Checked and validated before anything is saved, and audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.cases.models import Case
from resettle.core.exceptions import PermissionDenied
from resettle.directory.models import Service
from resettle.outcomes.models import (
    FOLLOW_UP_MONTHS,
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
from resettle.people.models import Person

ASSESSMENT = "outcome_assessment"
END_OF_SUPPORT = "end_of_support"
SCHEDULE = "outcome_schedule"
NOT_YOURS = (
    "You can record outcomes only for people your organisation works with, on its own cases "
    "(a peer mentor: on the cases they mentor)."
)
FOLLOW_UP_BEFORE_END = (
    "A follow-up is after support ends: close the case first, and date the follow-up after it "
    "closed."
)


def _date_errors(
    *, completed_on: date | None, timepoint: str, case: Case | None, errors: dict[str, list[str]]
) -> None:
    if completed_on is None:
        errors.setdefault("completed_on", []).append("Enter the date it was completed")
        return
    if completed_on > timezone.localdate():
        errors.setdefault("completed_on", []).append("The date cannot be in the future")
    if case is None:
        if timepoint in FOLLOW_UP_MONTHS:
            errors.setdefault("timepoint", []).append(FOLLOW_UP_BEFORE_END)
        return
    if completed_on < case.opened_on:
        errors.setdefault("completed_on", []).append(
            f"The date must be on or after the case opened, {case.opened_on:%-d %B %Y}"
        )
    if timepoint in FOLLOW_UP_MONTHS:
        if case.closed_on is None or completed_on <= case.closed_on:
            errors.setdefault("timepoint", []).append(FOLLOW_UP_BEFORE_END)
    elif case.closed_on is not None and completed_on > case.closed_on:
        errors.setdefault("timepoint", []).append(
            f"The case closed on {case.closed_on:%-d %B %Y}: after that only follow-ups are "
            "recorded"
        )


def _service_of(case: Case | None) -> Service | None:
    """The service the case came through, when it is the case's organisation's own."""
    if case is None or case.referral is None:
        return None
    service = case.referral.service
    return service if service.organisation_id == case.organisation_id else None


def assessment_setting_errors(
    *, person: Person, case: Case | None, timepoint: str, completed_on: date | None
) -> dict[str, list[str]]:
    """What is wrong with recording at this time point and date on this case (before any
    answers are given: self-completion checks it before handing the device over)."""
    errors: dict[str, list[str]] = {}
    if timepoint not in Timepoint.values:
        errors["timepoint"] = ["Choose the time point: baseline, review, exit or a follow-up"]
    if case is not None and case.person_id != person.pk:
        errors["case"] = ["The case is not this person's"]
    _date_errors(completed_on=completed_on, timepoint=timepoint, case=case, errors=errors)
    return errors


@transaction.atomic
def assessment_record(
    *,
    actor: Membership,
    person: Person,
    instrument: Instrument,
    timepoint: str,
    completed_on: date | None,
    answered_by: str,
    answers: Any,
    case: Case | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Record a person's answers to one instrument version at one time point."""
    if not policy.can_record_assessment(actor, person, case):
        raise PermissionDenied(NOT_YOURS)
    errors = assessment_setting_errors(
        person=person, case=case, timepoint=timepoint, completed_on=completed_on
    )
    if answered_by not in AnsweredBy.values:
        errors["answered_by"] = ["Choose who answered: the person, their worker or a proxy"]
    definition = instrument.parsed
    try:
        cleaned = definition.clean_answers(answers)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field if field == "answers" else f"answers.{field}", []).extend(
                messages
            )
        cleaned = {}
    if errors or completed_on is None:
        raise ValidationError(errors)
    scores, bands = definition.score(cleaned)
    assessment = Assessment(
        person=person,
        case=case,
        organisation=actor.organisation,
        service=_service_of(case),
        instrument=instrument,
        timepoint=timepoint,
        completed_on=completed_on,
        answered_by=answered_by,
        answers=cleaned,
        scores=scores,
        bands=bands,
        recorded_by=actor.user,
    )
    assessment.full_clean()
    assessment.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=ASSESSMENT,
        object_id=assessment.pk,
        person=person,
        category=Category.OUTCOMES,
        changes={
            "instrument": [None, f"{instrument.code} v{instrument.version}"],
            "timepoint": [None, timepoint],
            "completed_on": [None, str(completed_on)],
        },
        request=request,
    )
    return assessment


@transaction.atomic
def end_of_support_record(
    *,
    actor: Membership,
    case: Case,
    reason: str,
    ratings: dict[Any, tuple[str, str]],
    in_own_words: str = "",
    request: HttpRequest | None = None,
) -> EndOfSupport:
    """What came of a closed case: each of its goals rated, why support ended, and (if the
    person wants to say) what helped, in their words. Recorded once: rows are not rewritten."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not policy.can_record_end_of_support(actor, case):
        raise PermissionDenied(
            "Only your organisation's staff on this case can record its outcomes, once it is closed"
        )
    errors: dict[str, list[str]] = {}
    if EndOfSupport.objects.filter(case=case).exists():
        errors["reason"] = ["The outcomes of this case are recorded already"]
    if reason not in EndingReason.values:
        errors.setdefault("reason", []).append("Select why support ended")
    goals = list(case.goals.all())
    rated = {str(key): value for key, value in ratings.items()}
    for goal in goals:
        rating, _note = rated.get(str(goal.pk), ("", ""))
        if rating not in GoalRating.values:
            errors[f"goal_{goal.pk}"] = [f'Rate the goal "{goal.title}"']
    unknown = set(rated) - {str(goal.pk) for goal in goals}
    if unknown:
        errors.setdefault("reason", []).append("A goal rated is not one of this case's goals")
    end = EndOfSupport(
        case=case,
        person_id=case.person_id,
        reason=reason,
        in_own_words=in_own_words.strip(),
        recorded_by=actor.user,
    )
    try:
        end.full_clean(validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    end.save()
    outcomes = []
    for goal in goals:
        rating, note = rated[str(goal.pk)]
        outcome = GoalOutcome(end_of_support=end, goal=goal, rating=rating, note=note.strip())
        outcome.full_clean(exclude=["end_of_support"])
        outcomes.append(outcome)
    GoalOutcome.objects.bulk_create(outcomes)
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=END_OF_SUPPORT,
        object_id=end.pk,
        person=case.person,
        category=Category.OUTCOMES,
        changes={"reason": [None, reason], "goals_rated": [None, str(len(outcomes))]},
        request=request,
    )
    return end


@transaction.atomic
def schedule_set(
    *,
    actor: Membership,
    organisation: Organisation,
    service: Service | None,
    instrument_codes: list[str],
    review_every_weeks: int | None,
    at_exit: bool,
    follow_up_months: list[int],
    request: HttpRequest | None = None,
) -> Schedule:
    """Which instruments a service (or the organisation, for cases of no service) asks when."""
    if not policy.can_change_outcome_schedule(actor, organisation):
        raise PermissionDenied("Only your organisation's managers and caseworkers set this")
    errors: dict[str, list[str]] = {}
    if service is not None and service.organisation_id != organisation.pk:
        errors["service"] = ["Choose one of your organisation's services"]
    known = set(Instrument.objects.values_list("code", flat=True))
    if not instrument_codes or set(instrument_codes) - known:
        errors["instrument_codes"] = ["Choose at least one instrument"]
    allowed = set(FOLLOW_UP_MONTHS.values())
    if set(follow_up_months) - allowed:
        errors["follow_up_months"] = ["Follow-ups are at 3, 6 or 12 months"]
    schedule = Schedule.objects.filter(organisation=organisation, service=service).first()
    schedule = schedule or Schedule(organisation=organisation, service=service)
    schedule.instrument_codes = sorted(set(instrument_codes))
    schedule.review_every_weeks = review_every_weeks
    schedule.at_exit = at_exit
    schedule.follow_up_months = sorted(set(follow_up_months))
    try:
        schedule.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    schedule.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=SCHEDULE,
        object_id=schedule.pk,
        changes={"instrument_codes": [None, ",".join(schedule.instrument_codes)]},
        request=request,
    )
    return schedule
