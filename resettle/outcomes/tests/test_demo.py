"""The demo's outcomes: baselines and reviews for most people, some better, some not, some with
a baseline only; follow-ups on closed cases; goals rated at the end of support; the same seed
gives the same rows."""

from datetime import date

import pytest

from resettle.demo.generator import delete_demo, generate
from resettle.outcomes.models import Assessment, EndOfSupport, GoalOutcome, Schedule
from resettle.outcomes.selectors import outcome_summary

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _digest() -> list:
    return list(
        Assessment.objects.order_by("id").values_list(
            "id", "person_id", "instrument__code", "timepoint", "completed_on", "scores"
        )
    )


def test_the_demo_measures_outcomes_with_realistic_change():
    result = generate(60, 3, TODAY, password="a-demo-password")
    assessments = Assessment.objects.select_related("instrument", "case")
    assert assessments.filter(timepoint="baseline").exists()
    assert assessments.filter(timepoint="review").exists()
    assert assessments.filter(timepoint__startswith="follow_up").exists()
    for follow_up in assessments.filter(timepoint__startswith="follow_up"):
        assert follow_up.case.closed_on < follow_up.completed_on <= TODAY
    for assessment in assessments[:200]:
        assessment.full_clean()
        assert assessment.instrument.parsed.clean_answers(assessment.answers) == assessment.answers
    lead = result.organisations["lead"]
    [ons4] = [
        s for s in outcome_summary(organisation=lead, service=None) if s.instrument.code == "ons4"
    ]
    assert ons4.with_both > 0 and ons4.only_baseline > 0
    life = next(q for q in ons4.questions if q.question.code == "life_satisfaction")
    assert life.improved > 0 and life.worse + life.same > 0
    assert Schedule.objects.filter(organisation=lead).exists()
    assert EndOfSupport.objects.exists() and GoalOutcome.objects.exists()


def test_the_same_seed_gives_the_same_outcomes_and_reset_removes_them():
    generate(30, 5, TODAY, password="a-demo-password")
    first = _digest()
    delete_demo()
    assert not Assessment.objects.exists() and not Schedule.objects.exists()
    generate(30, 5, TODAY, password="a-demo-password")
    assert _digest() == first
