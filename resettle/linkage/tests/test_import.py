"""`manage.py import_people`: an organisation's person records from a CSV or XLSX file, every
row checked before any is written, imported again by `source_id` without duplicates, and then
linked and exported like any other record."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils.text import slugify
from openpyxl import Workbook

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.principals import SystemPrincipal, SystemPurpose
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.dataprotection import pack, retention
from resettle.dataprotection.models import RecordType, RetentionRule
from resettle.linkage import imports, services
from resettle.linkage.models import PersonLink, RunState, SourceRecord
from resettle.people.models import Address, Identifier, Person, PersonName, WorkingRelationship

pytestmark = pytest.mark.django_db

PNC = "2012/0052494Q"


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(imports.COLUMNS, "")
    return row | values


WILLIAM = _row(
    source_id="P-1",
    given_name="William",
    family_name="Smith",
    date_of_birth="1980-03-04",
    sex="M",
    postcode="l1 2ab",
    email="william@example.org",
    prison_number="a1234bc",
    pnc=PNC,
)
JANE = _row(
    source_id="P-2", given_name="Jane", family_name="Doe", date_of_birth="02/01/1990", sex="Female"
)


def _csv(tmp_path, rows, header=imports.COLUMNS, name="people.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def _import(cast, path, organisation=None):
    out, err = io.StringIO(), io.StringIO()
    slug = slugify((organisation or cast.probation_unit).name)
    call_command("import_people", str(path), "--organisation", slug, stdout=out, stderr=err)
    return out.getvalue()


def _refused(cast, path, organisation=None) -> list[str]:
    """The problems the command listed, checking that it failed and changed nothing."""
    before = _snapshot()
    err = io.StringIO()
    slug = slugify((organisation or cast.probation_unit).name)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_people", str(path), "--organisation", slug, stderr=err)
    assert _snapshot() == before
    return err.getvalue().splitlines()


def _snapshot() -> dict[str, list]:
    return {
        model.__name__: sorted(map(str, model.objects.values_list("pk", "updated_at")))
        for model in (Person, PersonName, Identifier, Address, WorkingRelationship, SourceRecord)
    } | {"audit": list(AuditEvent.objects.values_list("pk", flat=True))}


def _imported(cast, source_id: str) -> Person:
    return SourceRecord.objects.get(organisation=cast.probation_unit, source_id=source_id).person


# Importing ----------------------------------------------------------------------------------------


def test_it_imports_a_csv_file_as_records_the_organisation_holds(cast, tmp_path):
    out = _import(cast, _csv(tmp_path, [WILLIAM, JANE]))
    assert "created 2, updated 0, unchanged 0" in out
    william = _imported(cast, "P-1")
    assert (william.given_name, william.family_name) == ("William", "Smith")
    assert (william.date_of_birth, william.sex) == (date(1980, 3, 4), "male")
    assert william.email == "william@example.org"
    assert william.family_key  # the search keys are set, as on save
    assert dict(william.identifiers.values_list("scheme", "value")) == {
        "prison_number": "A1234BC",
        "pnc": PNC,
    }
    assert list(william.addresses.values_list("postcode", "to_date")) == [("L1 2AB", None)]
    jane = _imported(cast, "P-2")
    assert (jane.date_of_birth, jane.sex) == (date(1990, 1, 2), "female")
    assert not jane.addresses.exists() and not jane.identifiers.exists()
    # An open working relationship: the organisation's staff may open the records.
    relationship = WorkingRelationship.objects.get(person=william)
    assert relationship.organisation == cast.probation_unit and relationship.ended_on is None
    assert policy.can_view_person(cast.probation, william)
    assert not policy.can_view_person(cast.caseworker, william)


def test_the_import_is_audited_once_with_counts_and_per_record(cast, tmp_path):
    _import(cast, _csv(tmp_path, [WILLIAM, JANE]))
    william = _imported(cast, "P-1")
    summary = AuditEvent.objects.get(object_type="people_import")
    assert summary.object_id == str(cast.probation_unit.pk)
    assert summary.changes["created"] == [None, "2"]
    assert summary.changes["unchanged"] == [None, "0"]
    assert AuditEvent.objects.filter(object_type="person", action="create").count() == 2
    address = AuditEvent.objects.get(object_type="address", person_id=william.pk)
    assert address.category == Category.CONTACT
    started = AuditEvent.objects.get(object_type="system_principal")
    assert started.object_id == SystemPurpose.PEOPLE_IMPORT


def test_it_imports_an_xlsx_workbook_with_dates_and_numbers_as_cells(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.COLUMNS))
    sheet.append([1001, "Ann", "Lee", datetime(1975, 5, 5), "female", "M1 1AA"])
    sheet.append([])  # a blank row is skipped, and the rows after it keep their numbers
    sheet.append(["1002", "Bo", "", "05/06/1999", "", "", "bo@example.org", "", "X123456"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    assert "created 2" in _import(cast, path)
    ann = _imported(cast, "1001")
    assert (ann.given_name, ann.date_of_birth, ann.sex) == ("Ann", date(1975, 5, 5), "female")
    bo = _imported(cast, "1002")
    # One name is enough.
    assert (bo.given_name, bo.family_name, bo.sex) == ("Bo", "", "not_recorded")
    assert bo.date_of_birth == date(1999, 6, 5)
    assert bo.identifiers.get().value == "X123456"


def test_a_workbook_is_known_by_its_content_whatever_its_name(cast, tmp_path):
    book = Workbook()
    book.active.append(list(imports.COLUMNS))
    book.active.append(["7", "Ann", "Lee"])
    path = tmp_path / "export.dat"
    book.save(path)
    assert "created 1" in _import(cast, path)


def test_a_re_import_updates_the_record_it_made_and_adds_none(cast, tmp_path):
    _import(cast, _csv(tmp_path, [WILLIAM, JANE]))
    william = _imported(cast, "P-1")
    william.addresses.update(from_date=date.today() - timedelta(days=30))  # imported a month ago
    changed = WILLIAM | {
        "family_name": "Smyth",
        "postcode": "M1 1AA",
        "prison_number": "",
        "crn": "X123456",
        "email": "",
    }
    out = _import(cast, _csv(tmp_path, [changed, JANE], name="again.csv"))
    assert "created 0, updated 1, unchanged 1" in out
    assert Person.objects.count() == 2
    assert WorkingRelationship.objects.count() == 2
    william.refresh_from_db()
    assert (william.family_name, william.email) == ("Smyth", "")
    assert dict(william.identifiers.values_list("scheme", "value")) == {
        "crn": "X123456",
        "pnc": PNC,
    }
    # Addresses are history: the new postcode is the current address, the old one ended.
    addresses = dict(william.addresses.values_list("postcode", "to_date"))
    assert addresses == {"L1 2AB": date.today() - timedelta(days=1), "M1 1AA": None}
    # The change is audited as a person's page would, identifiers under their own category.
    updates = AuditEvent.objects.filter(object_type="person", action="update", person_id=william.pk)
    by_category = {event.category: event.changes for event in updates}
    assert by_category[Category.IDENTITY] == {"family_name": ["Smith", "Smyth"]}
    assert by_category[Category.CONTACT] == {"email": ["william@example.org", ""]}
    assert by_category[Category.CRIMINAL_JUSTICE_IDS] == {
        "crn": ["", "X123456"],
        "prison_number": ["A1234BC", ""],
    }
    # Moved again the same day: the address that started today ends today.
    _import(cast, _csv(tmp_path, [changed | {"postcode": "L8 1AA"}], name="third.csv"))
    addresses = dict(william.addresses.values_list("postcode", "to_date"))
    assert addresses["M1 1AA"] == date.today() and addresses["L8 1AA"] is None


def test_unchanged_rows_change_nothing(cast, tmp_path):
    path = _csv(tmp_path, [WILLIAM, JANE])
    _import(cast, path)
    before = _snapshot()
    out = _import(cast, path)
    assert "created 0, updated 0, unchanged 2" in out
    after = _snapshot()
    # Only the import's own audit events are new.
    new_events = set(after.pop("audit")) - set(before.pop("audit"))
    assert after == before
    assert set(
        AuditEvent.objects.filter(pk__in=new_events).values_list("object_type", flat=True)
    ) == {
        "system_principal",
        "people_import",
    }


def test_a_blank_postcode_leaves_the_addresses_and_another_organisation_has_its_own_ids(
    cast, tmp_path
):
    _import(cast, _csv(tmp_path, [WILLIAM]))
    out = _import(cast, _csv(tmp_path, [WILLIAM | {"postcode": ""}], name="again.csv"))
    assert "unchanged 1" in out
    # The same source_id from another organisation is another record.
    other = WILLIAM | {"prison_number": "", "pnc": ""}
    _import(cast, _csv(tmp_path, [other], name="housing.csv"), organisation=cast.housing_provider)
    assert Person.objects.count() == 2


def test_an_identifier_can_pass_between_two_records_of_the_file(cast, tmp_path):
    _import(cast, _csv(tmp_path, [WILLIAM, JANE]))
    swapped = [WILLIAM | {"pnc": ""}, JANE | {"pnc": PNC}]
    assert "updated 2" in _import(cast, _csv(tmp_path, swapped, name="again.csv"))
    assert Identifier.objects.get(value=PNC).person == _imported(cast, "P-2")


# Refusing bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (
            {"date_of_birth": "1980-13-01"},
            "row 3: date_of_birth: Enter a real date, written as YYYY-MM-DD or DD/MM/YYYY",
        ),
        ({"date_of_birth": "4 March 1980"}, "row 3: date_of_birth: Enter a real date"),
        ({"date_of_birth": "03-04-1980"}, "row 3: date_of_birth: Enter a real date"),
        (
            {"date_of_birth": (date.today() + timedelta(days=1)).isoformat()},
            "row 3: date_of_birth: The date of birth is in the future",
        ),
        ({"date_of_birth": "1800-01-01"}, "row 3: date_of_birth: Date of birth must be within"),
        ({"source_id": ""}, "row 3: source_id: Enter the record's id in your own system"),
        (
            {"given_name": "", "family_name": ""},
            "row 3: given_name: Enter a given name or a family name (or both)",
        ),
        ({"given_name": "J0hn"}, "row 3: given_name: Names can only include letters"),
        ({"source_id": "P-1"}, "row 3: source_id: The same source_id is on row 2"),
        ({"sex": "X"}, "row 3: sex: Enter female, male, not recorded or prefer not to say"),
        ({"pnc": "2012/0052494A"}, "row 3: pnc: Enter a real PNC ID"),
        ({"pnc": PNC}, "row 3: pnc: The same PNC ID is on row 2"),
        ({"crn": "12345"}, "row 3: crn: Enter a probation case reference (CRN)"),
        ({"ni_number": "DA123456C"}, "row 3: ni_number: Enter a real National Insurance number"),
        ({"postcode": "NOT A POSTCODE"}, "row 3: postcode: Enter a real UK postcode"),
        ({"email": "not an email"}, "row 3: email: Enter a valid email address"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(cast, tmp_path, bad, problem):
    lines = _refused(cast, _csv(tmp_path, [WILLIAM, JANE | bad]))
    assert len(lines) == 1
    assert lines[0].startswith(problem), lines


def test_an_unknown_or_missing_column_refuses_the_file(cast, tmp_path):
    header = [*imports.COLUMNS[:-1], "nhs_number"]
    lines = _refused(cast, _csv(tmp_path, [WILLIAM], header=header))
    assert lines[0].startswith("row 1: nhs_number: This column is not recognised. The columns")
    assert lines[1] == "row 1: ni_number: This column is missing"


def test_every_problem_of_every_row_is_listed_with_the_spreadsheet_row(cast, tmp_path):
    path = tmp_path / "people.csv"
    lines = [
        ",".join(imports.COLUMNS),
        "P-1,William,Smith,1980-03-04,,,,,,,",
        "",  # a blank line is a row of the spreadsheet too
        'P-2,"Jane\nMary",Doe,31/02/1990,,,,,,,',  # a quoted line break: one spreadsheet row
        "P-3,,,,,,,,,,,extra",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _refused(cast, path) == [
        "row 4: given_name: Names can only include letters, spaces, hyphens, apostrophes and "
        "full stops",
        "row 4: date_of_birth: Enter a real date, written as YYYY-MM-DD or DD/MM/YYYY (like "
        "1980-03-27 or 27/03/1980)",
        "row 5: given_name: Enter a given name or a family name (or both)",
        "row 5: column L: This column has no header",
    ]


def test_an_identifier_another_person_holds_refuses_the_file(cast, tmp_path, make_person):
    make_person(cast.caseworker, identifiers={"pnc": PNC})
    lines = _refused(cast, _csv(tmp_path, [WILLIAM]))
    assert lines == ["row 2: pnc: This PNC ID is already recorded for another person"]


def test_an_unknown_organisation_is_refused(cast, tmp_path):
    before = _snapshot()
    with pytest.raises(CommandError, match="No organisation has the slug or name 'nowhere'"):
        call_command("import_people", str(_csv(tmp_path, [WILLIAM])), "--organisation", "nowhere")
    assert _snapshot() == before


def test_a_file_that_is_not_utf8_csv_or_a_workbook_is_refused(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(",".join(imports.COLUMNS).encode() + b"\nP-1,Ren\xe9e,Smith\n")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        _import(cast, path)
    fake = tmp_path / "people.xlsx"
    fake.write_text("source_id\n", encoding="utf-8")
    with pytest.raises(CommandError, match="is not an XLSX workbook"):
        _import(cast, fake)
    assert not Person.objects.exists()


def test_only_the_system_principal_for_imports_may_import(cast, tmp_path):
    sheet = imports.read_sheet(_csv(tmp_path, [WILLIAM]))
    for principal in (cast.admin, SystemPrincipal(SystemPurpose.LINKAGE), None):
        with pytest.raises(PermissionDenied):
            imports.people_import(
                principal=principal, organisation=cast.probation_unit, sheet=sheet
            )
    assert not Person.objects.exists()


# Linkage, export and retention --------------------------------------------------------------------


def test_an_imported_record_links_to_the_person_another_organisation_holds(
    cast, tmp_path, make_person
):
    held = make_person(
        cast.caseworker, given_name="Bill", family_name="Smith", date_of_birth=date(1980, 3, 4)
    )
    Address.objects.create(person=held, kind="home", line_1="1 Road", postcode="L1 2AB")
    _import(cast, _csv(tmp_path, [WILLIAM, JANE]))
    run = services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)
    run = services.linkage_run_execute(run_id=run.pk)
    assert run.state == RunState.DONE, run.error
    clusters = dict(PersonLink.objects.filter(run=run).values_list("person_id", "cluster_id"))
    assert clusters[held.pk] == clusters[_imported(cast, "P-1").pk]
    assert clusters[held.pk] != clusters[_imported(cast, "P-2").pk]

    out = tmp_path / "links.csv"
    call_command("export_links", "--out", str(out), stdout=io.StringIO())
    rows = {row["person_id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    william = rows[str(_imported(cast, "P-1").pk)]
    assert (william["organisation"], william["source_id"]) == (cast.probation_unit.name, "P-1")
    assert rows[str(held.pk)]["source_id"] == ""


def test_anonymising_a_record_forgets_its_source_id(cast, tmp_path):
    _import(cast, _csv(tmp_path, [WILLIAM]))
    gone = _imported(cast, "P-1")
    long_ago = date.today() - timedelta(days=365 * 8)
    WorkingRelationship.objects.filter(person=gone).update(
        started_on=long_ago - timedelta(days=30), ended_on=long_ago
    )
    RetentionRule.objects.create(
        partnership=cast.partnership,
        record_type=RecordType.PEOPLE_NO_LONGER_SUPPORTED,
        action="anonymise",
        years=6,
    )
    retention.apply_retention(date.today())
    gone.refresh_from_db()
    assert gone.given_name == retention.ANONYMISED_GIVEN_NAME
    assert not SourceRecord.objects.filter(person=gone).exists()
    # Imported again, the row makes a new record rather than filling the anonymised one in.
    _import(cast, _csv(tmp_path, [WILLIAM | {"prison_number": "", "pnc": ""}], name="again.csv"))
    assert _imported(cast, "P-1") != gone


def test_the_subject_access_pack_gives_the_organisations_own_source_id_only(cast, tmp_path):
    _import(cast, _csv(tmp_path, [WILLIAM]), organisation=cast.lead_charity)
    person = SourceRecord.objects.get(source_id="P-1").person
    SourceRecord.objects.create(organisation=cast.probation_unit, source_id="N-9", person=person)
    cast.admin.is_data_protection_lead = True
    cast.admin.save()
    built = pack.build(
        scope=policy.subject_access_scope(cast.admin, person), person=person, requested_by="Test"
    )
    (section,) = [s for g in built.groups for s in g.sections if s.key == "source_records"]
    shown = [(f.name, f.text) for record in section.records for f in record.fields]
    assert ("source_id", "P-1") in shown
    assert all(text != "N-9" for _, text in shown)
