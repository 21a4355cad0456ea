"""The demo's suitability assessments: what the football-trust walk-through relies on."""

from datetime import date

import pytest

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.demo.generator import delete_demo, generate
from resettle.people.models import Person
from resettle.suitability import selectors
from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
# Enough people that the football trust has each showcase case.
DEMO_PEOPLE = 150


def _generate(seed: int = 7) -> None:
    generate(DEMO_PEOPLE, seed, TODAY, password="a-demo-password")


def _as(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _snapshot() -> list[tuple]:
    return sorted(
        SuitabilityAssessment.objects.values_list(
            "id", "person_id", "supersedes_id", "assessed_on", "review_on",
            "sessions_with_under_18s_present", "named_people_to_avoid",
        )
    )  # fmt: skip


def test_the_coordinator_has_a_mix_of_answers_to_act_on():
    generate(DEMO_PEOPLE, 7, date.today(), password="a-demo-password")
    coordinator = _as("coordinator")
    people = [p for p in Person.objects.all() if policy.can_view_suitability(coordinator, p)]
    # Accepted referrals bring the coordinator people without an assessment too.
    histories = [selectors.assessment_history(person=p) for p in people]
    current = [history[0] for history in histories if history]

    assert len([a for a in current if a.expired]) == 1
    assert any(a.named_contact_restriction == "yes" for a in current)
    assert any(a.measures for a in current)
    assert {a.assessor_organisation.kind for a in current} >= {"probation"}
    assert not any(policy.can_see_named_people_to_avoid(coordinator, a) for a in current)


def test_the_probation_login_has_the_coordinators_review_request_waiting():
    generate(DEMO_PEOPLE, 7, date.today(), password="a-demo-password")

    requests = selectors.review_requests_for_assessor(actor=_as("probation"))

    assert [r.organisation.name for r in requests] == ["Millbrook Rovers Community Trust"]
    assert requests[0].assessment.expired
    assert SuitabilityReviewRequest.objects.count() == 1


def test_other_people_have_assessments_and_some_history_too():
    _generate()
    coordinator_people = set(Person.objects.filter(working_relationships__organisation__name=(
        "Millbrook Rovers Community Trust")).values_list("pk", flat=True))  # fmt: skip

    others = SuitabilityAssessment.objects.exclude(person_id__in=coordinator_people)

    assert others.exists()
    assert SuitabilityAssessment.objects.filter(supersedes__isnull=False).exists()


def test_every_assessment_passes_model_validation():
    _generate()
    for assessment in SuitabilityAssessment.objects.all():
        assessment.full_clean()


def test_the_same_seed_gives_the_same_assessments():
    _generate()
    first = _snapshot()
    delete_demo()
    _generate()

    assert first and _snapshot() == first
