"""The reports pages and files: who may open them, the picker's errors, and files that open in a
spreadsheet with the definitions and parameters inside."""

import csv
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from odf.opendocument import load as load_ods
from odf.table import Table
from openpyxl import load_workbook

from resettle.audit.models import AuditAction, AuditEvent
from resettle.reports.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:quarterly_return")
DOWNLOAD = reverse("reports:quarterly_return_download")


def own(cast) -> str:
    return f"organisation:{cast.lead_charity.pk}"


def test_the_index_lists_the_reports_for_managers(client_as, cast):
    response = client_as(cast.manager).get(reverse("reports:index"))

    assert response.status_code == 200
    assert "Quarterly return" in response.text
    assert 'href="/reports/"' in response.text  # the menu has Reports


@pytest.mark.parametrize("who", ["caseworker", "mentor", "coordinator", "outsider"])
def test_people_who_work_with_records_are_refused_the_reports(client_as, cast, who):
    client = client_as(getattr(cast, who))

    for url in (reverse("reports:index"), PAGE, DOWNLOAD):
        response = client.get(url)
        assert response.status_code == 403
        assert "Reports are for partnership managers" in response.text


def test_the_page_shows_the_figures_with_their_definitions(client_as, cast, quarter):
    response = client_as(cast.admin).get(PAGE, {"scope": own(cast), "quarter": QUARTER})

    assert response.status_code == 200
    text = response.text
    assert "People supported" in text and "Distinct people with at least one attended" in text
    assert "every count is exact" in text
    assert "Prefer not to say" in text and "Not recorded" in text


def test_an_admin_cannot_ask_for_another_organisations_figures(client_as, cast):
    response = client_as(cast.admin).get(PAGE, {"scope": f"organisation:{cast.football_trust.pk}"})

    assert response.status_code == 403
    assert "You may not see reports for that organisation" in response.text


def test_a_manager_sees_the_partnership_suppressed(client_as, cast, quarter):
    response = client_as(cast.manager).get(
        PAGE, {"scope": f"partnership:{cast.partnership.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 200
    assert "fewer than 5" in response.text
    assert "People supported by more than one organisation" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"quarter": "2031-Q1"}, "That quarter has not started yet"),
        ({"start_day": "2", "start_month": "5", "start_year": "2026"}, "Enter the end date"),
        (
            {
                "start_day": "2",
                "start_month": "5",
                "start_year": "2026",
                "end_day": "1",
                "end_month": "5",
                "end_year": "2026",
            },
            "The end date must be the same as or after the start date",
        ),
    ],
)
def test_a_bad_period_is_explained_and_nothing_is_counted(client_as, cast, query, message):
    response = client_as(cast.admin).get(PAGE, query)

    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem" in response.text
    assert "Figures</caption>" not in response.text


def test_an_unknown_file_format_is_refused(client_as, cast):
    response = client_as(cast.admin).get(DOWNLOAD, {"format": "pdf"})

    assert response.status_code == 400
    assert "Choose a file format: CSV, XLSX or ODS" in response.text


def test_the_csv_carries_the_parameters_definitions_and_figures(client_as, cast, quarter):
    response = client_as(cast.admin).get(
        DOWNLOAD, {"scope": own(cast), "quarter": QUARTER, "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"quarterly-return_new-leaf-northshire_{QUARTER}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Item", "Count", "Shown as", "Definition"]
    assert rows[3][:3] == ["About", "Period", ""]
    supported = next(row for row in rows if row[:2] == ["Figure", "People supported"])
    assert supported[2:4] == ["5", "5"] and supported[4].startswith("Distinct people")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="report:quarterly-return")
    assert event.changes["format"] == [None, "csv"]


def test_the_xlsx_opens_with_a_definitions_sheet(client_as, cast, quarter):
    response = client_as(cast.admin).get(
        DOWNLOAD, {"scope": own(cast), "quarter": QUARTER, "format": "xlsx"}
    )

    book = load_workbook(BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["About", "Figures", "Breakdowns", "Definitions"]
    figures = {row[0]: row[1] for row in book["Figures"].iter_rows(values_only=True)}
    assert figures["People supported"] == 5
    assert figures["Referrals received"] == 3
    terms = {row[0] for row in book["Definitions"].iter_rows(values_only=True)}
    assert {"New starts", "Ethnicity", "Secondary beneficiaries (family members)"} <= terms


def test_the_ods_opens_with_every_sheet(client_as, cast, quarter):
    response = client_as(cast.manager).get(
        DOWNLOAD,
        {"scope": f"partnership:{cast.partnership.pk}", "quarter": QUARTER, "format": "ods"},
    )

    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    document = load_ods(BytesIO(response.content))
    tables = document.spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in tables] == [
        "About",
        "Figures",
        "Breakdowns",
        "Definitions",
    ]
    assert "fewer than 5" in str(tables[0])
