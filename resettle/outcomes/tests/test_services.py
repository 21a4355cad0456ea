"""Recording assessments and end-of-support outcomes: refusals, who may, what is kept."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from resettle.access import policy
from resettle.access.categories import Category
from resettle.audit.models import AuditEvent
from resettle.contacts.tests.conftest import open_case
from resettle.core.exceptions import PermissionDenied
from resettle.outcomes import services
from resettle.outcomes.models import (
    Assessment,
    EndingReason,
    GoalOutcome,
    GoalRating,
    Timepoint,
)
from resettle.outcomes.tests.conftest import close, days, instrument, record
from resettle.plans.models import Goal

pytestmark = pytest.mark.django_db


def test_an_assessment_keeps_answers_scores_bands_and_who_answered(cast, person, case):
    assessment = record(cast.caseworker, person, case=case, on=days(190))
    assert assessment.scores == {
        "life_satisfaction": 4,
        "worthwhile": 5,
        "happiness": 3,
        "anxiety": 7,
    }
    assert assessment.bands == {
        "life_satisfaction": "low",
        "worthwhile": "medium",
        "happiness": "low",
        "anxiety": "high",
    }
    assert assessment.organisation == cast.lead_charity
    assert assessment.answered_by == "person"
    event = AuditEvent.objects.get(object_id=str(assessment.pk))
    assert event.category == Category.OUTCOMES


def test_answers_outside_the_scale_are_refused_and_nothing_is_saved(cast, person, case):
    with pytest.raises(ValidationError) as refused:
        record(
            cast.caseworker,
            person,
            case=case,
            answers={"life_satisfaction": 12, "worthwhile": 5, "happiness": 3, "anxiety": 7},
        )
    assert "answers.life_satisfaction" in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_a_required_question_left_out_is_refused(cast, person, case):
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, case=case, answers={"life_satisfaction": 5})
    assert {"answers.worthwhile", "answers.happiness", "answers.anxiety"} <= set(
        refused.value.message_dict
    )


def test_a_follow_up_before_the_case_ended_is_refused(cast, person, case):
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, case=case, timepoint=Timepoint.FOLLOW_UP_3M)
    assert "close the case first" in refused.value.message_dict["timepoint"][0]
    close(case, days(100))
    with pytest.raises(ValidationError):
        record(cast.caseworker, person, case=case, timepoint=Timepoint.FOLLOW_UP_3M, on=days(120))
    assert not Assessment.objects.exists()


def test_a_closed_case_takes_a_follow_up_without_reopening(cast, person, case):
    close(case, days(100))
    follow_up = record(
        cast.caseworker, person, case=case, timepoint=Timepoint.FOLLOW_UP_3M, on=days(5)
    )
    case.refresh_from_db()
    assert case.state == "closed" and follow_up.case == case


def test_a_baseline_after_the_case_closed_is_refused(cast, person, case):
    close(case, days(100))
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, case=case, on=days(5))
    assert "only follow-ups" in refused.value.message_dict["timepoint"][0]


def test_a_date_in_the_future_or_before_the_case_opened_is_refused(cast, person, case):
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, case=case, on=date.today() + timedelta(days=1))
    assert "completed_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        record(cast.caseworker, person, case=case, on=days(400))


@pytest.mark.parametrize("who", ["outsider", "housing", "analyst", "manager"])
def test_only_the_organisation_working_with_them_records(cast, person, case, who):
    with pytest.raises(PermissionDenied):
        record(getattr(cast, who), person, case=case)


def test_a_mentor_records_only_on_the_cases_they_mentor(cast, person, case):
    with pytest.raises(PermissionDenied):
        record(cast.mentor, person, case=case)
    mentored = open_case(cast.mentor, person, mentor=cast.mentor.user)
    assert record(cast.mentor, person, case=mentored).organisation == cast.mentoring_charity


def test_assessments_are_read_by_their_organisation_and_partners_only_with_outcomes(
    cast, person, case, make_person, share
):
    assessment = record(cast.caseworker, person, case=case)
    assert list(policy.assessments_for_person(cast.caseworker, person)) == [assessment]
    # The mentoring charity works with the person, but no agreement shares outcomes yet.
    assert not policy.assessments_for_person(cast.mentor, person).exists()
    assert not policy.assessments_visible_to(cast.mentor).exists()
    assert not policy.assessments_visible_to(cast.outsider).exists()
    share(categories=[Category.CASE_NOTES], kinds=["mentoring"])
    assert not policy.assessments_visible_to(cast.mentor).exists()
    share(categories=[Category.OUTCOMES], kinds=["mentoring"])
    assert list(policy.assessments_for_person(cast.mentor, person)) == [assessment]
    assert list(policy.assessments_visible_to(cast.mentor)) == [assessment]
    # Outcomes or not, the outsider and someone not working with the person see none.
    assert not policy.assessments_visible_to(cast.outsider).exists()
    assert not policy.assessments_visible_to(cast.housing).exists()


def _goals(cast, case) -> list[Goal]:
    return [
        Goal.objects.create(
            person=case.person,
            case=case,
            pathway=pathway,
            title=title,
            created_by=cast.caseworker.user,
        )
        for pathway, title in [
            ("accommodation", "A place of my own"),
            ("health", "Register with a GP"),
        ]
    ]


def test_end_of_support_rates_every_goal_of_a_closed_case(cast, person, case):
    goals = _goals(cast, case)
    close(case, days(10))
    end = services.end_of_support_record(
        actor=cast.caseworker,
        case=case,
        reason=EndingReason.COMPLETED,
        in_own_words="Having someone who turned up.",
        ratings={
            goals[0].pk: (GoalRating.ACHIEVED, ""),
            goals[1].pk: (GoalRating.PARTLY, "Registered, no review yet"),
        },
    )
    assert {o.goal_id: o.rating for o in end.goal_outcomes.all()} == {
        goals[0].pk: "achieved",
        goals[1].pk: "partly",
    }
    with pytest.raises(ValidationError, match="recorded already"):
        services.end_of_support_record(
            actor=cast.caseworker,
            case=case,
            reason=EndingReason.COMPLETED,
            ratings={g.pk: (GoalRating.ACHIEVED, "") for g in goals},
        )


def test_end_of_support_needs_the_case_closed_and_every_goal_rated(cast, person, case):
    goals = _goals(cast, case)
    with pytest.raises(PermissionDenied):
        services.end_of_support_record(
            actor=cast.caseworker, case=case, reason="completed", ratings={}
        )
    close(case, days(10))
    with pytest.raises(ValidationError) as refused:
        services.end_of_support_record(
            actor=cast.caseworker,
            case=case,
            reason="bored",
            ratings={goals[0].pk: (GoalRating.ACHIEVED, "")},
        )
    assert set(refused.value.message_dict) == {"reason", f"goal_{goals[1].pk}"}
    assert not GoalOutcome.objects.exists()
    with pytest.raises(PermissionDenied):
        services.end_of_support_record(
            actor=cast.mentor,
            case=case,
            reason="completed",
            ratings={g.pk: (GoalRating.ACHIEVED, "") for g in goals},
        )


def test_a_schedule_refuses_an_unknown_instrument_and_other_organisations(cast):
    with pytest.raises(ValidationError):
        services.schedule_set(
            actor=cast.caseworker,
            organisation=cast.lead_charity,
            service=None,
            instrument_codes=["wemwbs"],
            review_every_weeks=12,
            at_exit=True,
            follow_up_months=[3],
        )
    with pytest.raises(PermissionDenied):
        services.schedule_set(
            actor=cast.outsider,
            organisation=cast.lead_charity,
            service=None,
            instrument_codes=["ons4"],
            review_every_weeks=12,
            at_exit=True,
            follow_up_months=[3],
        )
    schedule = services.schedule_set(
        actor=cast.caseworker,
        organisation=cast.lead_charity,
        service=None,
        instrument_codes=["ons4", "physical_activity"],
        review_every_weeks=12,
        at_exit=True,
        follow_up_months=[12, 3, 6],
    )
    assert schedule.follow_up_months == [3, 6, 12]
    assert instrument("ons4") is not None
