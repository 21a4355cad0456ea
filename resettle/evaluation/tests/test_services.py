"""Writes: outcome events, and export jobs (agreements, the minimum, auditing, the files)."""

import csv
import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.audit.models import AuditAction, AuditEvent
from resettle.cases.models import Case
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.directory.models import Service
from resettle.evaluation import services
from resettle.evaluation.cohorts import JDL_COLUMNS
from resettle.evaluation.extracts import EXTRACT_TABLES, pseudonym
from resettle.evaluation.models import Evaluation, ExportKind, ExportState, OutcomeEvent
from resettle.evaluation.tests.conftest import EVALUATOR
from resettle.outcomes.models import Assessment, Instrument
from resettle.people.models import Identifier, Person
from resettle.registers.models import Attendance, Session

pytestmark = pytest.mark.django_db


def _outcome(**changes):
    return {
        "kind": "arrest",
        "occurred_on": date.today() - timedelta(days=3),
        "offence_category": "theft",
        "source": "police",
        "note": "Arrested in town",
    } | changes


def test_probation_records_an_outcome_event_audited_without_its_note(
    cast, make_person, offence_agreement
):
    person = make_person(cast.probation)
    event = services.outcome_event_record(actor=cast.probation, person=person, data=_outcome())
    assert event.organisation == cast.probation_unit
    audit = AuditEvent.objects.get(object_type="outcome_event")
    assert audit.category == "offence"
    assert "Arrested in town" not in str(audit.changes)


def test_a_caseworker_may_not_record_offence_information(cast, make_person, offence_agreement):
    person = make_person(cast.caseworker, cast.probation)
    with pytest.raises(PermissionDenied):
        services.outcome_event_record(actor=cast.caseworker, person=person, data=_outcome())
    assert not OutcomeEvent.objects.exists()


def test_probation_without_an_agreement_giving_offence_information_may_not_record(
    cast, make_person
):
    person = make_person(cast.probation)
    with pytest.raises(PermissionDenied):
        services.outcome_event_record(actor=cast.probation, person=person, data=_outcome())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_on": date.today() + timedelta(days=1)}, "occurred_on"),
        ({"kind": "recall"}, "kind"),
        ({"offence_category": "mischief"}, "offence_category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_outcome_events_are_refused_and_nothing_saved(
    cast, make_person, offence_agreement, changes, field
):
    person = make_person(cast.probation)
    with pytest.raises(ValidationError) as raised:
        services.outcome_event_record(actor=cast.probation, person=person, data=_outcome(**changes))
    assert field in raised.value.message_dict
    assert not OutcomeEvent.objects.exists()


# Exports ------------------------------------------------------------------------------------------


def test_a_jdl_file_without_an_agreement_permitting_it_is_refused_and_audited(cast, full_cohort):
    with pytest.raises(PermissionDenied):
        services.export_request(actor=cast.analyst, cohort=full_cohort)
    refusal = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert refusal.reason.startswith("Refused: no agreement")
    assert refusal.object_id == str(full_cohort.pk)
    assert not full_cohort.exports.exists()


def test_a_cohort_under_60_is_refused_with_its_count_and_audited(
    cast, cohort, supported, export_agreement
):
    for n in range(59):
        supported(family_name=f"Family{n}")
    supported(family_name="Nodob", date_of_birth=None)
    with pytest.raises(ApplicationError) as raised:
        services.export_request(actor=cast.analyst, cohort=cohort)
    assert "at least 60 people; 59 in this cohort qualify" in raised.value.message
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).reason.startswith("Refused: 59")


def test_only_analysts_and_managers_ask_for_files(cast, full_cohort, export_agreement):
    with pytest.raises(PermissionDenied):
        services.export_request(actor=cast.caseworker, cohort=full_cohort)


def test_the_jdl_file_is_built_by_the_task_worker_and_audited(
    cast, full_cohort, export_agreement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(actor=cast.manager, cohort=full_cohort)
    job.refresh_from_db()
    assert job.state == ExportState.DONE
    assert job.progress == 100
    assert job.rows == 61
    assert job.file_name.endswith(".csv")
    lines = bytes(job.content).decode().splitlines()
    assert len(lines) == 62
    asked = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(job.pk))
    assert export_agreement.document_reference in asked.reason
    services.export_download(actor=cast.manager, job=job)
    downloads = AuditEvent.objects.filter(reason__startswith="Downloaded")
    # One for the file, and one in the audit trail of each person it names.
    assert downloads.count() == 62
    assert downloads.filter(person_id__isnull=False, category="identity").count() == 61


def test_a_file_whose_agreement_ended_before_the_build_fails(cast, full_cohort, export_agreement):
    job = services.export_request(actor=cast.analyst, cohort=full_cohort)
    export_agreement.ends_on = date.today()
    export_agreement.save()
    job = services.export_build(job_id=job.pk)
    assert job.state == ExportState.FAILED
    assert not job.content


def _evaluation(cast, cohort, evaluator: str = EVALUATOR, name: str = "Impact") -> Evaluation:
    return services.evaluation_create(
        actor=cast.analyst, cohort=cohort, data={"name": name, "evaluator": evaluator}
    )


def _archive(cast, evaluation) -> zipfile.ZipFile:
    job = services.export_request(actor=cast.analyst, evaluation=evaluation)
    job = services.export_build(job_id=job.pk)
    assert job.state == ExportState.DONE, job.error
    return zipfile.ZipFile(io.BytesIO(bytes(job.content)))


def _extract(cast, evaluation) -> dict[str, list[dict[str, str]]]:
    archive = _archive(cast, evaluation)
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
    }


def test_an_extract_for_an_evaluator_no_agreement_names_is_refused_and_audited(
    cast, full_cohort, export_agreement
):
    evaluation = _evaluation(cast, full_cohort, evaluator="Somewhere Else Ltd")
    with pytest.raises(PermissionDenied) as raised:
        services.export_request(actor=cast.analyst, evaluation=evaluation)
    assert "Somewhere Else Ltd" in raised.value.message
    refusal = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert refusal.reason == "Refused: no agreement names Somewhere Else Ltd"


def test_pseudonyms_are_stable_within_an_evaluation_and_differ_between_evaluations(
    cast, full_cohort, export_agreement
):
    first = _evaluation(cast, full_cohort, name="First")
    second = _evaluation(cast, full_cohort, name="Second")
    once = {r["pseudonym"] for r in _extract(cast, first)["people.csv"]}
    again = {r["pseudonym"] for r in _extract(cast, first)["people.csv"]}
    other = {r["pseudonym"] for r in _extract(cast, second)["people.csv"]}
    assert len(once) == 61
    assert once == again
    assert once.isdisjoint(other)
    person_ids = {str(m.person_id) for m in full_cohort.organisation.cases.all()}
    assert once.isdisjoint(person_ids)


def test_the_extract_holds_no_name_identifier_or_date_of_birth(cast, full_cohort, export_agreement):
    people = list(Person.objects.all())
    Identifier.objects.create(person=people[0], scheme="pnc", value="2011/0099999Z")
    files = _extract(cast, _evaluation(cast, full_cohort))
    text = "\n".join(str(rows) for rows in files.values())
    for person in people:
        assert person.family_name not in text
        assert str(person.pk) not in text
    assert "2011/0099999Z" not in text
    assert "1990-05-17" not in text and "17/05/1990" not in text
    row = files["people.csv"][0]
    assert row["age_band"] == "35-44"
    assert row["postcode_district"] == "NV1"
    assert set(files) == {t.file_name for t in EXTRACT_TABLES} | {
        "summary.csv",
        "data_dictionary.csv",
    }


def test_rare_demographic_values_are_suppressed_and_small_counts_hidden(
    cast, cohort, supported, export_agreement
):
    for n in range(8):
        supported(family_name=f"Many{n}")
    for n in range(2):
        supported(family_name=f"Few{n}", sex="female", ethnicity="white_irish")
    files = _extract(cast, _evaluation(cast, cohort))
    ethnicities = {r["ethnicity"] for r in files["people.csv"]}
    assert ethnicities == {"white_british", "suppressed (fewer than 5 people)"}
    sexes = {r["value"]: r["count"] for r in files["summary.csv"] if r["breakdown"] == "sex"}
    # One small cell alone would be given away by the total: the next is hidden too.
    assert sexes == {"male": "suppressed", "suppressed (fewer than 5 people)": "fewer than 5"}


def test_the_dictionary_describes_every_column(cast, full_cohort, export_agreement):
    archive = _archive(cast, _evaluation(cast, full_cohort))
    dictionary = csv.DictReader(io.StringIO(archive.read("data_dictionary.csv").decode()))
    described = {(r["file"], r["column"]) for r in dictionary}
    for table in EXTRACT_TABLES:
        header = next(csv.reader(io.StringIO(archive.read(table.file_name).decode())))
        assert header == [c.name for c in table.columns]
        assert {(table.file_name, c.name) for c in table.columns} <= described


def test_the_pseudonym_is_a_keyed_hash_of_the_id():
    assert pseudonym("a" * 64, "x") == pseudonym("a" * 64, "x")
    assert pseudonym("a" * 64, "x") != pseudonym("b" * 64, "x")


def test_asking_for_neither_or_both_is_refused(cast, full_cohort):
    with pytest.raises(ValidationError):
        services.export_request(actor=cast.analyst)
    assert ExportKind.JDL_COHORT


def test_the_prison_records_outcomes_too(cast, make_person, offence_agreement):
    person = make_person(cast.prison)
    event = services.outcome_event_record(actor=cast.prison, person=person, data=_outcome())
    assert event.organisation == cast.prison_team


def test_a_file_asked_for_by_someone_who_has_since_left_fails(cast, full_cohort, export_agreement):
    job = services.export_request(actor=cast.analyst, cohort=full_cohort)
    cast.analyst.ended_on = date.today()
    cast.analyst.save()
    job = services.export_build(job_id=job.pk)
    assert job.state == ExportState.FAILED
    assert "no longer evaluates" in job.error


def test_the_extract_carries_sessions_attended_and_outcome_scores(
    cast, full_cohort, export_agreement
):
    person = Case.objects.filter(organisation=cast.lead_charity).first().person
    service = Service.objects.create(
        organisation=cast.lead_charity, name="Walking football", description="Weekly", access="open"
    )
    for week, status in enumerate(("attended", "late", "did_not_attend")):
        starts = timezone.now() - timedelta(weeks=week + 1)
        session = Session.objects.create(
            service=service, starts_at=starts, ends_at=starts + timedelta(hours=1)
        )
        Attendance.objects.create(session=session, person=person, status=status)
    Assessment.objects.create(
        person=person,
        organisation=cast.lead_charity,
        instrument=Instrument.objects.filter(code="ons4").latest("version"),
        timepoint="baseline",
        completed_on=date.today() - timedelta(days=20),
        answered_by="person",
        scores={"life_satisfaction": 4, "anxious": 7},
        bands={"life_satisfaction": "low", "anxious": "high"},
        recorded_by=cast.caseworker.user,
    )

    files = _extract(cast, _evaluation(cast, full_cohort))

    by_sessions = {r["sessions_attended"] for r in files["people.csv"]}
    assert by_sessions == {"0", "2"}  # late counts as there; did-not-attend does not
    scores = files["scores.csv"]
    assert [(r["measure"], r["score"], r["band"], r["timepoint"]) for r in scores] == [
        ("anxious", "7", "high", "baseline"),
        ("life_satisfaction", "4", "low", "baseline"),
    ]
    assert scores[0]["pseudonym"] in {r["pseudonym"] for r in files["people.csv"]}


def test_the_jdl_file_is_also_a_workbook_with_the_same_cells(cast, full_cohort, export_agreement):
    job = services.export_build(
        job_id=services.export_request(actor=cast.analyst, cohort=full_cohort).pk
    )

    download = services.export_download(actor=cast.analyst, job=job, as_xlsx=True)

    assert download.file_name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == list(csv.reader(io.StringIO(bytes(job.content).decode())))
    assert rows[0] == list(JDL_COLUMNS)
    assert AuditEvent.objects.filter(reason=f"Downloaded {download.file_name} (61 people)").exists()


def test_an_extract_is_not_offered_as_a_workbook(cast, full_cohort, export_agreement):
    evaluation = _evaluation(cast, full_cohort)
    job = services.export_build(
        job_id=services.export_request(actor=cast.analyst, evaluation=evaluation).pk
    )

    with pytest.raises(ApplicationError, match="Only a Justice Data Lab file"):
        services.export_download(actor=cast.analyst, job=job, as_xlsx=True)
