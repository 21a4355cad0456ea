"""The evaluation pages: success and refusal for each, the cohort's exclusions, the file."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.audit.models import AuditAction, AuditEvent
from resettle.custody.models import CustodyEvent, CustodyEventKind
from resettle.evaluation.cohorts import JDL_COLUMNS
from resettle.evaluation.models import Cohort, CohortResult, Evaluation, ExportJob, OutcomeEvent
from resettle.evaluation.tests.conftest import END, EVALUATOR, START, released

pytestmark = pytest.mark.django_db


# A person's outcomes ----------------------------------------------------------------------------


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.probation, cast.caseworker, given_name="Sam", family_name="Okafor")


def test_probation_records_and_lists_outcomes_with_recalls_from_custody(
    cast, client_as, person, offence_agreement
):
    released(
        person,
        cast.probation.user,
        started=date.today() - timedelta(days=400),
        released_on=date.today() - timedelta(days=100),
    )
    period = person.custody_periods.get()
    CustodyEvent.objects.create(
        period=period,
        kind=CustodyEventKind.RECALLED,
        on=date.today() - timedelta(days=20),
        recall_reason="breach_of_conditions",
        recorded_by=cast.probation.user,
    )
    client = client_as(cast.probation)
    on = date.today() - timedelta(days=5)
    response = client.post(
        reverse("evaluation:outcome_create", args=[person.pk]),
        {
            "kind": "conviction",
            "occurred_on_day": on.day,
            "occurred_on_month": on.month,
            "occurred_on_year": on.year,
            "offence_category": "burglary",
            "source": "court",
        },
    )
    assert response.status_code == 302
    assert OutcomeEvent.objects.get().kind == "conviction"
    page = client.get(reverse("evaluation:person_outcomes", args=[person.pk]))
    body = page.content.decode()
    assert "Conviction" in body and "Burglary" in body
    assert "Recall to custody" in body and "Breach of licence conditions" in body
    assert AuditEvent.objects.filter(action=AuditAction.READ, category="offence").exists()


def test_a_bad_outcome_is_shown_again_with_its_errors(cast, client_as, person, offence_agreement):
    response = client_as(cast.probation).post(
        reverse("evaluation:outcome_create", args=[person.pk]), {"kind": "arrest"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"occurred_on", "offence_category", "source"}
    assert not OutcomeEvent.objects.exists()


def test_a_caseworker_sees_that_offence_information_is_not_shared(
    cast, client_as, person, offence_agreement
):
    OutcomeEvent.objects.create(
        person=person,
        kind="arrest",
        occurred_on=date.today(),
        offence_category="theft",
        source="police",
        note="SECRET-NOTE",
        organisation=cast.probation_unit,
        recorded_by=cast.probation.user,
    )
    client = client_as(cast.caseworker)
    response = client.get(reverse("evaluation:person_outcomes", args=[person.pk]))
    assert response.status_code == 200
    assert "not shared with your organisation" in response.content.decode()
    assert "SECRET-NOTE" not in response.content.decode()
    create = client.get(reverse("evaluation:outcome_create", args=[person.pk]))
    assert create.status_code == 403


def test_outcome_pages_are_404_for_someone_not_working_with_the_person(
    cast, client_as, person, offence_agreement
):
    client = client_as(cast.prison)
    assert client.get(reverse("evaluation:person_outcomes", args=[person.pk])).status_code == 404
    assert client.get(reverse("evaluation:outcome_create", args=[person.pk])).status_code == 404


def test_outcome_pages_send_the_signed_out_to_sign_in(client_as, person):
    response = client_as(None).get(reverse("evaluation:person_outcomes", args=[person.pk]))
    assert response.status_code == 302


# Cohorts ----------------------------------------------------------------------------------------


def test_an_analyst_builds_a_cohort_and_sees_who_does_not_qualify_and_why(
    cast, client_as, supported
):
    supported(family_name="Kept")
    supported(given_name="Nodob", family_name="Person", date_of_birth=None)
    client = client_as(cast.analyst)
    response = client.post(
        reverse("evaluation:cohort_create"),
        {
            "name": "New Leaf",
            "service_from_day": START.day,
            "service_from_month": START.month,
            "service_from_year": START.year,
            "service_to_day": END.day,
            "service_to_month": END.month,
            "service_to_year": END.year,
        },
    )
    cohort = Cohort.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("evaluation:cohort_detail", args=[cohort.pk]))
    body = page.content.decode()
    assert page.context["qualifying"] == 1
    assert "Nodob Person" in body
    assert "No date of birth recorded" in body
    assert ", ".join(JDL_COLUMNS) in body
    # The names shown are read of their identity.
    assert AuditEvent.objects.filter(action=AuditAction.READ, category="identity").count() == 1


def test_a_cohort_ending_in_the_future_is_refused(cast, client_as):
    later = date.today() + timedelta(days=5)
    response = client_as(cast.analyst).post(
        reverse("evaluation:cohort_create"),
        {
            "name": "Later",
            "service_from_day": START.day,
            "service_from_month": START.month,
            "service_from_year": START.year,
            "service_to_day": later.day,
            "service_to_month": later.month,
            "service_to_year": later.year,
        },
    )
    assert response.status_code == 200
    assert "service_to" in response.context["form"].errors
    assert not Cohort.objects.exists()


def test_the_cohort_page_keeps_its_query_count_as_the_cohort_grows(
    cast, client_as, cohort, supported, count_queries
):
    supported(family_name="One", date_of_birth=None)
    client = client_as(cast.analyst)
    url = reverse("evaluation:cohort_detail", args=[cohort.pk])
    with count_queries() as few:
        client.get(url)
    for n in range(10):
        supported(family_name=f"More{n}", date_of_birth=None)
    with count_queries() as many:
        assert client.get(url).context["qualifying"] == 0
    assert len(many) == len(few) > 0


def test_exporting_a_full_cohort_makes_a_file_to_download(
    cast, client_as, full_cohort, export_agreement, django_capture_on_commit_callbacks
):
    client = client_as(cast.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:cohort_export", args=[full_cohort.pk]))
    job = ExportJob.objects.get()
    assert response.url == reverse("evaluation:export_detail", args=[job.pk])
    detail = client.get(response.url)
    assert "Ready: 61 people" in detail.content.decode()
    download = client.get(reverse("evaluation:export_download", args=[job.pk]))
    assert download["Content-Type"] == "text/csv"
    assert download.content.decode().splitlines()[0] == ",".join(JDL_COLUMNS)


def test_exporting_a_small_cohort_shows_the_count(
    cast, client_as, cohort, supported, export_agreement
):
    supported()
    response = client_as(cast.analyst).post(reverse("evaluation:cohort_export", args=[cohort.pk]))
    assert response.status_code == 200
    assert "1 in this cohort qualify" in response.content.decode()
    assert "<title>Error: " in response.content.decode()
    assert not ExportJob.objects.exists()


def test_exporting_without_an_agreement_is_refused(cast, client_as, full_cohort):
    response = client_as(cast.analyst).post(
        reverse("evaluation:cohort_export", args=[full_cohort.pk])
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(reason__startswith="Refused").count() == 1


def test_results_are_stored_against_the_cohort_and_shown_with_their_caveats(
    cast, client_as, cohort
):
    client = client_as(cast.manager)
    data = {
        "received_on_day": date.today().day,
        "received_on_month": date.today().month,
        "received_on_year": date.today().year,
        "treatment_size": 58,
        "comparison_size": 11000,
        "rate": "31.00",
        "rate_low": "20.00",
        "rate_high": "43.00",
        "comparison_rate": "41.00",
        "comparison_rate_low": "40.00",
        "comparison_rate_high": "42.00",
        "frequency": "1.10",
        "frequency_low": "0.60",
        "frequency_high": "1.60",
        "comparison_frequency": "1.50",
        "comparison_frequency_low": "1.40",
        "comparison_frequency_high": "1.60",
        "caveats": "Small cohort: results are indicative only.",
    }
    response = client.post(reverse("evaluation:result_create", args=[cohort.pk]), data)
    assert response.status_code == 302
    assert CohortResult.objects.get().rate == 31
    page = client.get(reverse("evaluation:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Small cohort: results are indicative only." in page
    assert "31.00% (20.00 to 43.00)" in page
    bad = client.post(
        reverse("evaluation:result_create", args=[cohort.pk]), data | {"rate": "50.00"}
    )
    assert "rate" in bad.context["form"].errors
    assert CohortResult.objects.count() == 1


def test_an_evaluation_and_its_extract(
    cast, client_as, full_cohort, export_agreement, django_capture_on_commit_callbacks
):
    client = client_as(cast.analyst)
    client.post(
        reverse("evaluation:evaluation_create", args=[full_cohort.pk]),
        {"name": "Impact study", "evaluator": EVALUATOR},
    )
    evaluation = Evaluation.objects.get()
    assert (
        client.get(reverse("evaluation:evaluation_detail", args=[evaluation.pk])).status_code == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:evaluation_extract", args=[evaluation.pk]))
    download = client.get(reverse("evaluation:export_download", args=[ExportJob.objects.get().pk]))
    assert response.status_code == 302
    assert download["Content-Type"] == "application/zip"


@pytest.fixture
def evaluation_records(cast, cohort):
    evaluation = Evaluation.objects.create(
        organisation=cast.lead_charity,
        cohort=cohort,
        name="Impact",
        evaluator=EVALUATOR,
        created_by=cast.analyst.user,
    )
    job = ExportJob.objects.create(
        organisation=cast.lead_charity,
        requested_by=cast.analyst.user,
        kind="jdl_cohort",
        cohort=cohort,
    )
    return {"cohort": cohort, "evaluation": evaluation, "export": job}


EVALUATOR_ROUTES = (
    ("GET", "evaluation:cohort_list", None),
    ("GET", "evaluation:cohort_create", None),
    ("POST", "evaluation:cohort_create", None),
    ("GET", "evaluation:cohort_detail", "cohort"),
    ("POST", "evaluation:cohort_export", "cohort"),
    ("GET", "evaluation:result_create", "cohort"),
    ("POST", "evaluation:result_create", "cohort"),
    ("GET", "evaluation:evaluation_create", "cohort"),
    ("POST", "evaluation:evaluation_create", "cohort"),
    ("GET", "evaluation:evaluation_detail", "evaluation"),
    ("POST", "evaluation:evaluation_extract", "evaluation"),
    ("GET", "evaluation:export_detail", "export"),
    ("GET", "evaluation:export_download", "export"),
)


def _send(client, method: str, name: str, record):
    url = reverse(name, args=[record.pk] if record is not None else [])
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize("who", ["caseworker", "probation", "admin", "mentor", "outsider"])
def test_every_evaluation_page_refuses_other_roles(cast, client_as, evaluation_records, who):
    client = client_as(getattr(cast, who))
    for method, name, about in EVALUATOR_ROUTES:
        record = evaluation_records[about] if about else None
        assert _send(client, method, name, record).status_code == 403, (method, name)
    assert not Cohort.objects.exclude(pk=evaluation_records["cohort"].pk).exists()


def test_every_evaluation_page_sends_the_signed_out_to_sign_in(client_as, evaluation_records):
    client = client_as(None)
    for method, name, about in EVALUATOR_ROUTES:
        record = evaluation_records[about] if about else None
        response = _send(client, method, name, record)
        assert response.status_code == 302 and "sign-in" in response.url, (method, name)


def test_another_organisations_cohort_and_files_are_404(cast, client_as, cohort, make_person):
    housing_analyst = make_membership(
        user=make_user(username="housing-analyst"),
        organisation=cast.housing_provider,
        role=Role.ANALYST,
    )
    job = ExportJob.objects.create(
        organisation=cast.lead_charity,
        requested_by=cast.analyst.user,
        kind="jdl_cohort",
        cohort=cohort,
    )
    client = client_as(housing_analyst)
    assert client.get(reverse("evaluation:cohort_detail", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("evaluation:export_detail", args=[job.pk])).status_code == 404
    # Another analyst of the same organisation did not ask for it.
    assert (
        client_as(cast.manager)
        .get(reverse("evaluation:export_download", args=[job.pk]))
        .status_code
        == 404
    )


def test_the_cohort_list_keeps_its_query_count(cast, client_as, count_queries):
    def cohort(n: int) -> Cohort:
        return Cohort.objects.create(
            organisation=cast.lead_charity,
            name=f"Cohort {n}",
            service_from=START,
            service_to=END,
            created_by=cast.analyst.user,
        )

    cohort(0)
    client = client_as(cast.analyst)
    with count_queries() as few:
        client.get(reverse("evaluation:cohort_list"))
    for n in range(1, 6):
        cohort(n)
    with count_queries() as many:
        assert len(client.get(reverse("evaluation:cohort_list")).context["page_obj"]) == 6
    assert len(many) == len(few)


def test_a_persons_outcomes_page_keeps_its_query_count(
    cast, client_as, person, offence_agreement, count_queries
):
    def event() -> None:
        OutcomeEvent.objects.create(
            person=person,
            kind="arrest",
            occurred_on=date.today(),
            offence_category="theft",
            source="police",
            organisation=cast.probation_unit,
            recorded_by=cast.probation.user,
        )

    event()
    client = client_as(cast.probation)
    url = reverse("evaluation:person_outcomes", args=[person.pk])
    with count_queries() as few:
        client.get(url)
    for _ in range(5):
        event()
    with count_queries() as many:
        assert len(client.get(url).context["rows"]) == 6
    assert len(many) == len(few)


def test_a_file_being_built_shows_its_progress_and_a_refresh_link(
    cast, client_as, evaluation_records
):
    job = evaluation_records["export"]
    ExportJob.objects.filter(pk=job.pk).update(state="running", progress=40)
    client = client_as(cast.analyst)
    page = client.get(reverse("evaluation:export_detail", args=[job.pk])).content.decode()
    assert "Being built: 40% done." in page
    assert 'hx-trigger="every 2s"' in page
    # Not ready: the download goes back to the progress page.
    response = client.get(reverse("evaluation:export_download", args=[job.pk]))
    assert response.url == reverse("evaluation:export_detail", args=[job.pk])
