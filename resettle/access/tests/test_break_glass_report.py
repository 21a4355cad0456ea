"""The partnership's break-glass report and its CSV download: who may see it, what it names,
filters, sorting, paging, the audit event for the download, and constant query counts."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.access.categories import Category
from resettle.access.models import BreakGlassAccess
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_organisation
from resettle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

REPORT = reverse("access:break_glass_report")
CSV = reverse("access:break_glass_report_csv")
NOT_SHARED = "a person not shared with your organisation"


def broke_glass(actor, person, *, days_ago=0, category=Category.OFFENCE, reason=None, **extra):
    opened = timezone.now() - timedelta(days=days_ago)
    return BreakGlassAccess.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        person=person,
        category=category,
        reason=reason or "A safeguarding concern that could not wait for consent.",
        opened_at=opened,
        expires_at=opened + timedelta(hours=4),
        **extra,
    )


@pytest.fixture
def housing_lead(cast):
    return make_membership(
        organisation=cast.housing_provider, role=Role.CASEWORKER, is_safeguarding_lead=True
    )


@pytest.fixture
def rows(cast, make_person, housing_lead):
    """One break-glass by the lead charity on its own person, one by the housing provider on
    someone only the housing provider works with."""
    ours = make_person(cast.safeguarding, given_name="Riley", family_name="Ours")
    theirs = make_person(housing_lead, given_name="Sasha", family_name="Theirs")
    return {
        "ours": broke_glass(cast.safeguarding, ours, days_ago=10),
        "theirs": broke_glass(housing_lead, theirs, days_ago=2, category=Category.HEALTH),
    }


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8"))))


# Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "admin", "safeguarding"])
def test_managers_admins_and_safeguarding_leads_see_the_report(client_as, cast, rows, who):
    response = client_as(getattr(cast, who)).get(REPORT)
    assert response.status_code == 200
    assert {row.pk for row in response.context["rows"]} == {r.pk for r in rows.values()}


@pytest.mark.parametrize("who", ["caseworker", "mentor", "coordinator", "analyst", "probation"])
def test_other_roles_are_refused_the_report_and_the_download(client_as, cast, rows, who):
    client = client_as(getattr(cast, who))
    assert client.get(REPORT).status_code == 403
    assert client.get(CSV).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_signed_out_visitor_is_sent_to_sign_in(client, rows):
    assert client.get(REPORT).status_code == 302
    assert client.get(CSV).status_code == 302


def test_report_covers_only_the_viewers_partnerships(client_as, cast, rows, make_person):
    elsewhere = make_organisation(name="Another Partnership Charity")
    elsewhere_lead = make_membership(
        organisation=elsewhere, role=Role.CASEWORKER, is_safeguarding_lead=True
    )
    stranger = make_person(elsewhere_lead, given_name="Outside")
    outside_row = broke_glass(elsewhere_lead, stranger)
    listed = {r.pk for r in client_as(cast.manager).get(REPORT).context["rows"]}
    assert outside_row.pk not in listed
    assert {r.pk for r in client_as(elsewhere_lead).get(REPORT).context["rows"]} == {outside_row.pk}


# Names ------------------------------------------------------------------------------------


def test_lead_sees_names_of_people_they_work_with_only(client_as, cast, rows):
    text = client_as(cast.safeguarding).get(REPORT).text
    assert "Riley Ours" in text
    assert "Sasha" not in text
    assert NOT_SHARED.capitalize() in text


def test_manager_sees_no_names(client_as, cast, rows):
    text = client_as(cast.manager).get(REPORT).text
    assert "Riley" not in text
    assert "Sasha" not in text
    assert text.count(NOT_SHARED.capitalize()) == 2


def test_csv_hides_names_the_viewer_cannot_see(client_as, cast, rows):
    response = client_as(cast.safeguarding).get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    people = {row["Category"]: row["Person"] for row in csv_rows(response)}
    assert people == {"Offence and sentence": "Riley Ours", "Health": NOT_SHARED}
    assert b"Sasha" not in response.content


def test_csv_for_a_manager_names_no_one(client_as, cast, rows):
    content = client_as(cast.manager).get(CSV).content
    assert b"Riley" not in content
    assert b"Sasha" not in content


def test_csv_download_is_audited(client_as, cast, rows):
    client_as(cast.manager).get(CSV, {"organisation": str(cast.housing_provider.pk)})
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "break_glass_report"
    assert event.user_id == cast.manager.user_id
    assert event.changes["rows"] == [None, "1"]
    assert event.changes["organisation_id"] == [None, str(cast.housing_provider.pk)]


def test_csv_does_not_let_a_reason_run_as_a_formula(client_as, cast, make_person):
    person = make_person(cast.safeguarding)
    broke_glass(cast.safeguarding, person, reason='=HYPERLINK("http://evil.example","click")')
    [row] = csv_rows(client_as(cast.safeguarding).get(CSV))
    assert row["Reason"].startswith("'=")


# Filters, sorting, paging -----------------------------------------------------------------


def test_filters_by_organisation(client_as, cast, rows):
    response = client_as(cast.manager).get(REPORT, {"organisation": str(cast.lead_charity.pk)})
    assert [r.pk for r in response.context["rows"]] == [rows["ours"].pk]


def test_all_organisations_is_a_choice(client_as, cast, rows):
    response = client_as(cast.manager).get(REPORT, {"organisation": "all"})
    assert len(response.context["rows"]) == 2


def test_filters_by_date_range(client_as, cast, rows):
    since = date.today() - timedelta(days=5)
    response = client_as(cast.manager).get(
        REPORT,
        {
            "opened_from_day": since.day,
            "opened_from_month": since.month,
            "opened_from_year": since.year,
        },
    )
    assert [r.pk for r in response.context["rows"]] == [rows["theirs"].pk]


def test_csv_has_the_same_filtered_rows(client_as, cast, rows):
    response = client_as(cast.manager).get(CSV, {"organisation": str(cast.housing_provider.pk)})
    assert [row["Category"] for row in csv_rows(response)] == ["Health"]


def test_an_end_date_before_the_start_is_an_error(client_as, cast, rows):
    today = date.today()
    response = client_as(cast.manager).get(
        REPORT,
        {
            "opened_from_day": today.day,
            "opened_from_month": today.month,
            "opened_from_year": today.year,
            "opened_to_day": 1,
            "opened_to_month": 1,
            "opened_to_year": 2000,
        },
    )
    assert response.status_code == 200
    assert "Opened to must be the same as or after opened from" in response.text


def test_newest_first_by_default_and_sortable(client_as, cast, rows):
    client = client_as(cast.manager)
    newest_first = [r.pk for r in client.get(REPORT).context["rows"]]
    assert newest_first == [rows["theirs"].pk, rows["ours"].pk]
    oldest_first = [r.pk for r in client.get(REPORT, {"sort": "opened"}).context["rows"]]
    assert oldest_first == [rows["ours"].pk, rows["theirs"].pk]
    by_category = [r.pk for r in client.get(REPORT, {"sort": "category"}).context["rows"]]
    assert by_category == [rows["theirs"].pk, rows["ours"].pk]  # Health before Offence


def test_unknown_sort_falls_back_to_newest_first(client_as, cast, rows):
    response = client_as(cast.manager).get(REPORT, {"sort": "person__family_name"})
    assert [r.pk for r in response.context["rows"]] == [rows["theirs"].pk, rows["ours"].pk]


def test_report_is_paginated(client_as, cast, make_person):
    person = make_person(cast.safeguarding)
    for day in range(27):
        broke_glass(cast.safeguarding, person, days_ago=day + 1)
    client = client_as(cast.manager)
    assert len(client.get(REPORT).context["rows"]) == 25
    assert len(client.get(REPORT, {"page": 2}).context["rows"]) == 2


def test_status_shows_open_closed_and_expired(client_as, cast, make_person):
    person = make_person(cast.safeguarding)
    broke_glass(cast.safeguarding, person, days_ago=0)
    broke_glass(cast.safeguarding, person, days_ago=3)
    broke_glass(cast.safeguarding, person, days_ago=1, closed_at=timezone.now())
    statuses = [row["Status"] for row in csv_rows(client_as(cast.manager).get(CSV))]
    assert statuses == ["Open", "Closed early", "Expired"]


def test_query_count_does_not_grow_with_rows(
    count_queries, client_as, cast, make_person, housing_lead
):
    client = client_as(cast.safeguarding)

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(REPORT).status_code == 200
        return len(captured)

    ours = make_person(cast.safeguarding, given_name="A")
    broke_glass(cast.safeguarding, ours)
    few = queries()
    for index in range(5):
        person = make_person(housing_lead, given_name=f"B{index}")
        broke_glass(housing_lead, person, days_ago=index + 1)
    assert queries() == few


def test_csv_query_count_does_not_grow_with_rows(count_queries, client_as, cast, make_person):
    client = client_as(cast.manager)
    person = make_person(cast.safeguarding)

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(CSV).status_code == 200
        return len(captured)

    broke_glass(cast.safeguarding, person)
    few = queries()
    for day in range(5):
        broke_glass(cast.safeguarding, person, days_ago=day + 1)
    assert queries() == few
