"""Offence and risk over the API: the same rules as the pages, problem details for refusals,
and ETag/If-Match on ending a licence condition."""

import pytest

from resettle.api.tests.conftest import assert_problem, error_fields
from resettle.audit.models import AuditAction, AuditEvent
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.offending.tests.conftest import WORDING, days

pytestmark = pytest.mark.django_db

PARTNERS = ["caseworker", "safeguarding", "coordinator", "mentor"]


def record_url(person) -> str:
    return f"/api/v1/people/{person.pk}/offence-and-risk"


def sentence_body(person, **changes) -> dict:
    return {
        "person": str(person.pk),
        "index_offence_category": "drugs",
        "sentence_type": "immediate_custody",
        "length_months": 20,
        "sentenced_on": days(-300).isoformat(),
    } | changes


def risk_body(person, **changes) -> dict:
    return {
        "person": str(person.pk),
        "assessed_on": days(0).isoformat(),
        "rosh_level": "high",
        "mappa_category": "2",
        "mappa_level": "2",
    } | changes


def condition_body(person, **changes) -> dict:
    return {
        "person": str(person.pk),
        "kind": "non_contact",
        "wording": "No contact with the victim",
        "starts_on": days(0).isoformat(),
    } | changes


# Reading ----------------------------------------------------------------------------------------


def test_probation_reads_the_record_with_its_history(api_as, cast, person, recorded):
    response = api_as(cast.probation).get(record_url(person))

    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body["sentences"]] == [
        str(recorded.sentence.pk),
        str(recorded.earlier_sentence.pk),
    ]
    current, earlier = body["risk_assessments"]
    assert current["id"] == str(recorded.risk.pk) and current["current"] is True
    assert current["supersedes"] == str(recorded.earlier_risk.pk)
    assert (current["mappa_category"], current["mappa_level"]) == ("2", "1")
    assert earlier["current"] is False
    live, ended = body["licence_conditions"]
    assert live["wording"] == WORDING and live["in_force"] is True and live["ends_on"] is None
    assert ended["in_force"] is False and ended["ends_on"] == days(-30).isoformat()
    assert body["sentences"][0]["recorded_by"]["organisation"] == str(cast.probation_unit.pk)
    assert AuditEvent.objects.filter(action=AuditAction.READ, category="offence").count() == 1


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_who_sees_the_person_is_refused_their_offence_record(
    api_as, cast, person, recorded, who
):
    api = api_as(getattr(cast, who))

    body = assert_problem(api.get(record_url(person)), 403)
    assert "not shared" in body["detail"]
    for url in (
        f"/api/v1/sentences/{recorded.sentence.pk}",
        f"/api/v1/risk-assessments/{recorded.risk.pk}",
        f"/api/v1/licence-conditions/{recorded.condition.pk}",
    ):
        response = api.get(url)
        assert_problem(response, 404)
        assert WORDING not in response.content.decode()


def test_someone_not_working_with_the_person_gets_404_and_the_signed_out_401(
    api_as, cast, person, recorded
):
    assert_problem(api_as(cast.outsider).get(record_url(person)), 404)
    assert_problem(api_as(None).get(record_url(person)), 401)
    assert_problem(api_as(cast.outsider).get(f"/api/v1/sentences/{recorded.sentence.pk}"), 404)


def test_one_record_each_for_probation(api_as, cast, person, recorded):
    api = api_as(cast.probation)

    sentence = api.get(f"/api/v1/sentences/{recorded.sentence.pk}").json()
    earlier = api.get(f"/api/v1/risk-assessments/{recorded.earlier_risk.pk}").json()
    condition = api.get(f"/api/v1/licence-conditions/{recorded.condition.pk}")

    assert sentence["length_months"] == 30 and sentence["indeterminate"] is False
    assert earlier["current"] is False
    assert condition.json()["version"] == 1 and condition["ETag"]


# Recording --------------------------------------------------------------------------------------


def test_probation_records_each_part(api_as, cast, person):
    api = api_as(cast.probation)

    sentence = api.post("/api/v1/sentences", sentence_body(person))
    risk = api.post("/api/v1/risk-assessments", risk_body(person))
    condition = api.post("/api/v1/licence-conditions", condition_body(person))

    for response in (sentence, risk, condition):
        assert response.status_code == 201, response.content
    assert sentence["Location"].endswith(f"/api/v1/sentences/{sentence.json()['id']}")
    assert Sentence.objects.get().index_offence_category == "drugs"
    assert risk.json()["current"] is True and RiskAssessment.objects.get().mappa_level == "2"
    assert LicenceCondition.objects.get().kind == "non_contact"
    assert api.get(condition["Location"]).status_code == 200


def test_invalid_input_is_400_with_the_fields(api_as, cast, person):
    api = api_as(cast.probation)

    mappa = api.post("/api/v1/risk-assessments", risk_body(person, mappa_category="none"))
    life = api.post(
        "/api/v1/sentences", sentence_body(person, sentence_type="life", length_months=5)
    )
    kind = api.post("/api/v1/licence-conditions", condition_body(person, kind="whatever"))

    assert error_fields(mappa) == {"mappa_level"}
    assert error_fields(life) == {"length_months"}
    assert error_fields(kind) == {"kind"}
    assert not (Sentence.objects.exists() or RiskAssessment.objects.exists())


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_may_not_record(api_as, cast, person, who):
    api = api_as(getattr(cast, who))

    assert_problem(api.post("/api/v1/sentences", sentence_body(person)), 403)
    assert_problem(api.post("/api/v1/risk-assessments", risk_body(person)), 403)
    assert_problem(api.post("/api/v1/licence-conditions", condition_body(person)), 403)
    assert not Sentence.objects.exists()


def test_naming_someone_you_cannot_see_is_invalid_input(api_as, cast, person):
    response = api_as(cast.outsider).post("/api/v1/sentences", sentence_body(person))

    assert error_fields(response) == {"person"}


def test_probation_corrects_a_sentence_with_the_etag_it_read(api_as, cast, person, recorded):
    api = api_as(cast.probation)
    url = f"/api/v1/sentences/{recorded.sentence.pk}"
    etag = api.get(url)["ETag"]

    response = api.patch(
        url, {"length_days": 14, "reason": "Days were left out"}, headers={"If-Match": etag}
    )
    stale = api.patch(url, {"length_days": 15, "reason": "Again"}, headers={"If-Match": etag})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["length_months"], body["length_days"], body["version"]) == (30, 14, 2)
    assert response["ETag"] != etag
    assert_problem(stale, 409)
    recorded.sentence.refresh_from_db()
    assert recorded.sentence.length_days == 14


def test_a_correction_needs_a_reason_and_valid_values(api_as, cast, person, recorded):
    api = api_as(cast.probation)
    url = f"/api/v1/sentences/{recorded.sentence.pk}"

    assert error_fields(api.patch(url, {"length_days": 14})) == {"reason"}
    assert error_fields(api.patch(url, {"sentence_type": None, "reason": "x"})) == {"sentence_type"}


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_cannot_correct_a_sentence_it_cannot_see(api_as, cast, person, recorded, who):
    response = api_as(getattr(cast, who)).patch(
        f"/api/v1/sentences/{recorded.sentence.pk}", {"length_days": 1, "reason": "x"}
    )

    assert_problem(response, 404)


# Ending a licence condition ---------------------------------------------------------------------


def test_probation_ends_a_condition_with_the_etag_it_read(api_as, cast, person, recorded):
    api = api_as(cast.probation)
    url = f"/api/v1/licence-conditions/{recorded.condition.pk}"
    etag = api.get(url)["ETag"]

    response = api.post(f"{url}/end", {"ends_on": days(0).isoformat()}, headers={"If-Match": etag})

    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == days(0).isoformat()
    assert response.json()["in_force"] is False
    assert response["ETag"] != etag
    again = api.post(f"{url}/end", {"ends_on": days(0).isoformat()})
    assert "already has an end date" in assert_problem(again, 422)["detail"]


def test_ending_with_a_stale_etag_is_409_and_changes_nothing(api_as, cast, person, recorded):
    api = api_as(cast.probation)
    url = f"/api/v1/licence-conditions/{recorded.condition.pk}"
    etag = api.get(url)["ETag"]
    LicenceCondition.objects.filter(pk=recorded.condition.pk).update(version=2)

    response = api.post(f"{url}/end", {"ends_on": days(0).isoformat()}, headers={"If-Match": etag})

    assert_problem(response, 409)
    assert response["ETag"] != etag
    recorded.condition.refresh_from_db()
    assert recorded.condition.ends_on is None


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_cannot_end_a_condition_it_cannot_see(api_as, cast, person, recorded, who):
    url = f"/api/v1/licence-conditions/{recorded.condition.pk}/end"

    response = api_as(getattr(cast, who)).post(url, {"ends_on": days(0).isoformat()})

    assert_problem(response, 404)
