"""The outcome-events and exports API: success, refusals and bad input (4xx, never 500)."""

from datetime import date, timedelta

import pytest

from resettle.audit.models import AuditAction, AuditEvent
from resettle.custody.models import CustodyEvent, CustodyEventKind
from resettle.evaluation.cohorts import JDL_COLUMNS
from resettle.evaluation.models import ExportJob, OutcomeEvent
from resettle.evaluation.services import evaluation_create
from resettle.evaluation.tests.conftest import EVALUATOR, released

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/outcome-events"
EXPORTS = "/api/v1/exports"


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.probation, cast.caseworker, given_name="Sam", family_name="Okafor")


def _event(**changes) -> dict:
    return {
        "person": "",
        "kind": "caution",
        "occurred_on": (date.today() - timedelta(days=2)).isoformat(),
        "offence_category": "public_order",
        "source": "police",
    } | changes


def test_probation_creates_lists_and_reads_outcome_events_with_recalls(
    cast, api_as, person, offence_agreement
):
    released(
        person,
        cast.probation.user,
        started=date.today() - timedelta(days=300),
        released_on=date.today() - timedelta(days=90),
    )
    recall = CustodyEvent.objects.create(
        period=person.custody_periods.get(),
        kind=CustodyEventKind.RECALLED,
        on=date.today() - timedelta(days=30),
        recall_reason="out_of_touch",
        recorded_by=cast.probation.user,
    )
    api = api_as(cast.probation)
    created = api.post(EVENTS, _event(person=str(person.pk)))
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "caution"
    assert created["Location"].endswith(f"{EVENTS}/{created.json()['id']}")
    listed = api.get(EVENTS, {"person": str(person.pk)}).json()
    assert listed["count"] == 2
    assert [r["kind"] for r in listed["results"]] == ["caution", "recall"]
    assert listed["results"][1]["source"] == "custody_record"
    assert listed["results"][1]["offence_category"] == "out_of_touch"
    assert api.get(EVENTS, {"kind": "recall"}).json()["count"] == 1
    one = api.get(f"{EVENTS}/{recall.pk}")
    assert one.status_code == 200
    assert one.json()["recorded"] is False
    assert AuditEvent.objects.filter(action=AuditAction.READ, category="offence").exists()


def test_the_outcome_list_keeps_its_query_count(
    cast, api_as, person, offence_agreement, count_queries, make_person
):
    api = api_as(cast.probation)
    api.post(EVENTS, _event(person=str(person.pk)))
    with count_queries() as few:
        assert api.get(EVENTS).json()["count"] == 1
    for n in range(5):
        other = make_person(cast.probation, family_name=f"Other{n}")
        api.post(EVENTS, _event(person=str(other.pk)))
    with count_queries() as many:
        assert api.get(EVENTS).json()["count"] == 6
    assert len(many) == len(few) > 0


def test_a_caseworker_sees_no_outcome_events_and_may_not_record(
    cast, api_as, person, offence_agreement
):
    OutcomeEvent.objects.create(
        person=person,
        kind="arrest",
        occurred_on=date.today(),
        offence_category="theft",
        source="police",
        organisation=cast.probation_unit,
        recorded_by=cast.probation.user,
    )
    api = api_as(cast.caseworker)
    assert api.get(EVENTS).json()["count"] == 0
    assert api.get(f"{EVENTS}/{OutcomeEvent.objects.get().pk}").status_code == 404
    assert api.post(EVENTS, _event(person=str(person.pk))).status_code == 403


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "recall"},
        {"occurred_on": "not a date"},
        {"occurred_on": (date.today() + timedelta(days=3)).isoformat()},
        {"offence_category": "mischief"},
        {"note": "x" * 1001},
        {"person": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_bad_outcome_events_are_400_and_nothing_saved(
    cast, api_as, person, offence_agreement, changes
):
    body = _event(person=str(person.pk)) | changes
    response = api_as(cast.probation).post(EVENTS, body)
    assert response.status_code == 400, response.content
    assert not OutcomeEvent.objects.exists()


def test_outcome_events_need_a_token(api_as):
    assert api_as(None).get(EVENTS).status_code == 401
    assert api_as(None).get(f"{EVENTS}/not-an-id").status_code in (401, 404)


def test_a_bad_kind_filter_is_400(cast, api_as):
    assert api_as(cast.probation).get(EVENTS, {"kind": "parking"}).status_code == 400


# Exports ----------------------------------------------------------------------------------------


def test_an_analyst_asks_for_a_jdl_file_follows_it_and_downloads_it(
    cast, api_as, full_cohort, export_agreement, django_capture_on_commit_callbacks
):
    api = api_as(cast.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(EXPORTS, {"kind": "jdl_cohort", "cohort": str(full_cohort.pk)})
    assert asked.status_code == 202, asked.content
    status = api.get(asked["Location"])
    assert status.json()["state"] == "done"
    assert status.json()["progress"] == 100
    download = api.get(status.json()["download_url"])
    assert download.status_code == 200
    assert download.content.decode().splitlines()[0] == ",".join(JDL_COLUMNS)


def test_an_unfinished_file_is_409(cast, api_as, full_cohort, export_agreement):
    api = api_as(cast.analyst)
    job = api.post(EXPORTS, {"kind": "jdl_cohort", "cohort": str(full_cohort.pk)}).json()
    assert job["state"] == "queued"
    assert api.get(f"{EXPORTS}/{job['id']}/download").status_code == 409


def test_an_extract_is_refused_403_without_an_agreement_naming_the_evaluator(
    cast, api_as, full_cohort
):
    evaluation = evaluation_create(
        actor=cast.analyst, cohort=full_cohort, data={"name": "X", "evaluator": EVALUATOR}
    )
    response = api_as(cast.analyst).post(
        EXPORTS, {"kind": "evaluator_extract", "evaluation": str(evaluation.pk)}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(reason__startswith="Refused").count() == 1


def test_a_small_cohort_is_422_with_its_count(cast, api_as, cohort, supported, export_agreement):
    supported()
    response = api_as(cast.manager).post(EXPORTS, {"kind": "jdl_cohort", "cohort": str(cohort.pk)})
    assert response.status_code == 422
    assert "1 in this cohort qualify" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "jdl_cohort"},
        {"kind": "everything"},
        {"kind": "jdl_cohort", "cohort": "00000000-0000-4000-8000-000000000000"},
        {"kind": "evaluator_extract", "cohort": "00000000-0000-4000-8000-000000000000"},
        {"kind": "jdl_cohort", "cohort": "nope"},
    ],
)
def test_bad_export_requests_are_400(cast, api_as, export_agreement, body):
    assert api_as(cast.analyst).post(EXPORTS, body).status_code == 400
    assert not ExportJob.objects.exists()


def test_exports_are_for_analysts_and_managers_only(cast, api_as, cohort):
    response = api_as(cast.caseworker).post(
        EXPORTS, {"kind": "jdl_cohort", "cohort": str(cohort.pk)}
    )
    assert response.status_code == 403


def test_another_users_export_is_404(cast, api_as, cohort):
    job = ExportJob.objects.create(
        organisation=cast.lead_charity,
        requested_by=cast.analyst.user,
        kind="jdl_cohort",
        cohort=cohort,
    )
    assert api_as(cast.manager).get(f"{EXPORTS}/{job.pk}").status_code == 404
    assert api_as(cast.analyst).get(f"{EXPORTS}/{job.pk}").status_code == 200


def test_asking_again_with_the_same_idempotency_key_makes_one_job(
    cast, api_as, full_cohort, export_agreement
):
    api = api_as(cast.analyst)
    body = {"kind": "jdl_cohort", "cohort": str(full_cohort.pk)}
    first = api.post(EXPORTS, body, headers={"Idempotency-Key": "jdl-1"})
    again = api.post(EXPORTS, body, headers={"Idempotency-Key": "jdl-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert ExportJob.objects.count() == 1
