"""/api/v1/suitability-assessments: the same rules as the pages, with problem details."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.api.tests.conftest import assert_problem, error_fields
from resettle.audit.models import AuditAction, AuditEvent
from resettle.suitability import services
from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest
from resettle.suitability.tests.conftest import NAMES, answers, record

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/v1/suitability-assessments"


def detail(assessment) -> str:
    return f"{ASSESSMENTS}/{assessment.pk}"


def review(assessment) -> str:
    return f"{detail(assessment)}/request-review"


def body_for(person, **changes) -> dict:
    data = answers(**changes)
    return {
        "person": str(person.pk),
        "assessed_on": data.pop("assessed_on").isoformat(),
        "review_on": data.pop("review_on").isoformat(),
        "assessor_contact": data.pop("assessor_contact"),
        "answers": data,
    }


@pytest.fixture
def restricted(cast, person, agreement) -> SuitabilityAssessment:
    return record(
        cast.probation, person, named_contact_restriction="yes", named_people_to_avoid=NAMES
    )


def test_a_football_trust_reads_the_answers_but_never_the_names(api_as, cast, restricted):
    response = api_as(cast.coordinator).get(ASSESSMENTS, {"person": str(restricted.person_id)})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert {"id", "person", "answers", "review_on", "assessed_by", "expired"} <= item.keys()
    assert item["answers"]["sessions_with_under_18s_present"] == "no"
    assert item["answers"]["named_contact_restriction"] == "yes"
    assert item["answers"]["named_people_to_avoid"] is None
    assert item["assessed_by"]["contact"] == "01632 960101"
    assert item["expired"] is False
    assert item["current"] is True
    assert "Rivers" not in response.content.decode()
    detail_response = api_as(cast.coordinator).get(detail(restricted))
    assert detail_response.json()["answers"]["named_people_to_avoid"] is None
    assert "Rivers" not in detail_response.content.decode()


def test_the_assessors_organisation_reads_the_names(api_as, cast, restricted):
    response = api_as(cast.probation).get(detail(restricted))

    assert response.status_code == 200
    assert response.json()["answers"]["named_people_to_avoid"] == NAMES


def test_there_is_no_offence_or_risk_narrative_in_the_shape(api_as, cast, restricted):
    item = api_as(cast.coordinator).get(detail(restricted)).json()

    text = str(item).lower()
    assert "offence" not in text
    assert "narrative" not in text


def test_the_list_is_newest_first_and_says_which_is_current(api_as, cast, person, agreement):
    first = record(cast.probation, person, assessed_on=date.today() - timedelta(days=30))
    second = record(cast.probation, person)

    results = (
        api_as(cast.coordinator).get(ASSESSMENTS, {"person": str(person.pk)}).json()["results"]
    )

    assert [r["id"] for r in results] == [str(second.pk), str(first.pk)]
    assert [r["current"] for r in results] == [True, False]
    assert results[1]["superseded_by"] == str(second.pk)


def test_each_read_is_in_the_audit_trail(api_as, cast, restricted):
    api_as(cast.coordinator).get(detail(restricted))

    read = AuditEvent.objects.get(action=AuditAction.READ)
    assert read.category == Category.RISK_SUITABILITY
    assert read.person_id == restricted.person_id


def test_without_the_agreement_the_list_is_403_and_the_record_404(
    api_as, cast, person, assessors_only
):
    assessment = record(cast.probation, person)
    client = api_as(cast.coordinator)

    assert_problem(client.get(ASSESSMENTS, {"person": str(person.pk)}), 403)
    assert_problem(client.get(detail(assessment)), 404)
    assert_problem(client.post(review(assessment), {"note": ""}), 404)
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


@pytest.mark.parametrize("who", ["outsider", "housing", "analyst", "manager"])
def test_others_get_404_for_every_operation(api_as, cast, restricted, who):
    client = api_as(getattr(cast, who))
    person = restricted.person

    assert_problem(client.get(ASSESSMENTS, {"person": str(person.pk)}), 404)
    assert_problem(client.get(detail(restricted)), 404)
    assert_problem(client.post(ASSESSMENTS, body_for(person)), 404)
    assert_problem(client.post(review(restricted), {"note": ""}), 404)


def test_an_unknown_assessment_is_404(api_as, cast, agreement):
    assert_problem(api_as(cast.probation).get(f"{ASSESSMENTS}/{cast.partnership.pk}"), 404)


def test_the_person_filter_is_required(api_as, cast):
    assert error_fields(api_as(cast.coordinator).get(ASSESSMENTS)) == {"person"}


def test_anonymous_requests_are_401(api_as, restricted):
    assert_problem(api_as(None).get(detail(restricted)), 401)


def test_an_assessor_creates_an_assessment(api_as, cast, person, agreement):
    response = api_as(cast.probation).post(ASSESSMENTS, body_for(person))

    assert response.status_code == 201, response.content
    created = SuitabilityAssessment.objects.get(person=person)
    assert response.json()["id"] == str(created.pk)
    assert response["Location"].endswith(detail(created))
    assert created.assessed_by == cast.probation.user


def test_creating_again_with_the_same_idempotency_key_creates_once(api_as, cast, person, agreement):
    client = api_as(cast.probation)
    headers = {"Idempotency-Key": "suitability-1"}

    first = client.post(ASSESSMENTS, body_for(person), headers=headers)
    again = client.post(ASSESSMENTS, body_for(person), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert SuitabilityAssessment.objects.count() == 1


def test_a_partner_may_not_create(api_as, cast, person, agreement):
    assert_problem(api_as(cast.coordinator).post(ASSESSMENTS, body_for(person)), 403)
    assert not SuitabilityAssessment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"review_on": date.today() - timedelta(days=2)}, {"review_on"}),
        ({"review_on": date.today() + timedelta(days=400)}, {"review_on"}),
        ({"named_contact_restriction": "yes"}, {"answers.named_people_to_avoid"}),
        ({"measures": ""}, {"answers.measures"}),
    ],
    ids=["review-in-the-past", "review-beyond-12-months", "names-missing", "measures-missing"],
)
def test_invalid_assessments_are_400_with_fields_and_save_nothing(
    api_as, cast, person, agreement, changes, fields
):
    response = api_as(cast.probation).post(ASSESSMENTS, body_for(person, **changes))

    assert error_fields(response) == fields
    assert not SuitabilityAssessment.objects.exists()


def test_missing_answers_are_400(api_as, cast, person, agreement):
    body = body_for(person)
    del body["answers"]["sessions_with_under_18s_present"]
    body["answers"]["two_staff_needed"] = ""

    response = api_as(cast.probation).post(ASSESSMENTS, body)

    assert error_fields(response) == {
        "answers.sessions_with_under_18s_present",
        "answers.two_staff_needed",
    }
    assert not SuitabilityAssessment.objects.exists()


def test_a_partner_requests_a_review(api_as, cast, restricted):
    response = api_as(cast.coordinator).post(review(restricted), {"note": "Tuesday group?"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessment"] == str(restricted.pk)
    assert body["organisation"] == str(cast.football_trust.pk)
    assert body["done_at"] is None
    assert SuitabilityReviewRequest.objects.get().note == "Tuesday group?"


def test_a_second_request_is_422_and_the_assessor_gets_403(api_as, cast, restricted):
    services.suitability_review_request(actor=cast.coordinator, assessment=restricted)

    assert_problem(api_as(cast.coordinator).post(review(restricted), {"note": ""}), 422)
    assert_problem(api_as(cast.probation).post(review(restricted), {"note": ""}), 403)
    assert SuitabilityReviewRequest.objects.count() == 1


def test_the_list_costs_the_same_queries_however_long_the_history(
    count_queries, api_as, cast, make_person, agreement, django_assert_num_queries
):
    short = make_person(cast.probation, cast.coordinator)
    record(cast.probation, short)
    long = make_person(cast.probation, cast.coordinator, given_name="Lee")
    for days in (90, 60, 30, 0):
        record(cast.probation, long, assessed_on=date.today() - timedelta(days=days))
    client = api_as(cast.coordinator)
    client.get(ASSESSMENTS, {"person": str(short.pk)})

    with count_queries() as one:
        client.get(ASSESSMENTS, {"person": str(short.pk)})
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(ASSESSMENTS, {"person": str(long.pk)})
