"""Instruments and assessments over the API: shapes, filters, refusals and bad input (4xx,
never 500), and a list whose query count does not grow."""

import pytest

from resettle.audit.models import AuditEvent
from resettle.outcomes.models import Assessment
from resettle.outcomes.tests.conftest import ONS4_ANSWERS, close, days, instrument, record

pytestmark = pytest.mark.django_db
INSTRUMENTS = "/api/v1/instruments"
URL = "/api/v1/assessments"


def body(person, on_case, **changes) -> dict:
    return {
        "person": str(person.pk),
        "case": str(on_case.pk),
        "instrument": "ons4",
        "timepoint": "baseline",
        "completed_on": days(190).isoformat(),
        "answered_by": "person",
        "answers": dict(ONS4_ANSWERS),
    } | changes


def test_instruments_are_listed_and_read_with_their_questions(cast, api_as):
    api = api_as(cast.caseworker)
    listed = api.get(INSTRUMENTS).json()
    assert {r["code"] for r in listed["results"]} >= {
        "ons4",
        "physical_activity",
        "pathway_self_rating",
        "support_needs",
    }
    assert set(listed) >= {"count", "next", "previous", "results"}
    ons4 = api.get(f"{INSTRUMENTS}/{instrument('ons4').pk}").json()
    assert set(ons4) >= {"id", "code", "version", "name", "questions"}
    anxiety = ons4["questions"][3]
    assert anxiety["code"] == "anxiety" and anxiety["better"] == "lower"
    assert [b["code"] for b in anxiety["bands"]] == ["very_low", "low", "medium", "high"]
    assert api.get(f"{INSTRUMENTS}/not-an-id").status_code == 404
    assert api_as(None).get(INSTRUMENTS).status_code == 401


def test_a_caseworker_records_lists_and_reads_an_assessment(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    created = api.post(URL, body(person, case))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) >= {
        "id",
        "person",
        "instrument",
        "instrument_version",
        "timepoint",
        "completed_on",
        "answered_by",
        "answers",
        "scores",
    }
    assert data["instrument"] == "ons4" and data["instrument_version"] == 1
    assert data["scores"]["anxiety"] == 7 and data["bands"]["anxiety"] == "high"
    listed = api.get(URL, {"person": str(person.pk), "instrument": "ons4", "timepoint": "baseline"})
    assert listed.json()["count"] == 1
    assert api.get(URL, {"timepoint": "review"}).json()["count"] == 0
    assert api.get(f"{URL}/{data['id']}").status_code == 200


def test_bad_input_is_a_problem_never_a_500(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    off_scale = api.post(URL, body(person, case, answers=ONS4_ANSWERS | {"happiness": 11}))
    assert off_scale.status_code == 400
    assert off_scale.json()["errors"][0]["field"] == "answers.happiness"
    assert api.post(URL, body(person, case, answers=ONS4_ANSWERS | {"mood": 3})).status_code == 400
    assert api.post(URL, body(person, case, answers=[1, 2])).status_code == 400
    assert api.post(URL, body(person, case, instrument="wemwbs")).status_code == 400
    assert api.post(URL, body(person, case, timepoint="later")).status_code == 400
    assert api.post(URL, body(person, case, completed_on="yesterday")).status_code == 400
    assert api.post(URL, body(person, case, case="not-a-uuid")).status_code == 400
    assert api.post(URL, body(person, case, instrument_version=9)).status_code == 400
    assert api.get(URL, {"timepoint": "soon"}).status_code == 400
    assert api.get(URL, {"person": "nope"}).status_code in (400, 404)
    assert api.get(f"{URL}/not-an-id").status_code == 404
    assert not Assessment.objects.exists()


def test_a_follow_up_before_the_case_ended_is_a_rule_broken(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    early = api.post(URL, body(person, case, timepoint="follow_up_3m"))
    assert early.status_code == 422
    close(case, days(100))
    later = api.post(
        URL, body(person, case, timepoint="follow_up_3m", completed_on=days(5).isoformat())
    )
    assert later.status_code == 201, later.json()


def test_refusals(cast, person, case, api_as):
    assessment = record(cast.caseworker, person, case=case, on=days(190))
    # The mentor works with the person but outcomes are not shared: not found, not listed.
    mentor = api_as(cast.mentor)
    assert mentor.get(f"{URL}/{assessment.pk}").status_code == 404
    assert mentor.get(URL).json()["count"] == 0
    assert mentor.post(URL, body(person, case)).status_code in (400, 403)
    outsider = api_as(cast.outsider)
    assert outsider.get(f"{URL}/{assessment.pk}").status_code == 404
    assert outsider.get(URL, {"person": str(person.pk)}).status_code == 404
    assert outsider.post(URL, body(person, case)).status_code == 400
    assert api_as(None).get(URL).status_code == 401
    assert Assessment.objects.count() == 1


def test_a_partner_reading_under_an_agreement_is_audited(cast, person, case, api_as, share):
    assessment = record(cast.caseworker, person, case=case, on=days(190))
    share(categories=["outcomes"], kinds=["mentoring"])
    assert api_as(cast.mentor).get(f"{URL}/{assessment.pk}").status_code == 200
    assert AuditEvent.objects.filter(
        person_id=person.pk, category="outcomes", action="read"
    ).exists()


def test_the_list_reads_a_fixed_number_of_queries(cast, person, case, api_as, count_queries):
    api = api_as(cast.caseworker)
    record(cast.caseworker, person, case=case, on=days(190))
    api.get(URL)
    with count_queries() as few:
        api.get(URL)
    for n in range(10):
        record(cast.caseworker, person, case=case, timepoint="review", on=days(180 - n))
    with count_queries() as many:
        assert api.get(URL).json()["count"] == 11
    assert len(few) == len(many)
