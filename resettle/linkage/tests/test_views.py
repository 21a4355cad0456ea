"""Linkage pages: the review queue shows only what the reviewer may see of each record;
cases in common name only people the user may open; refusals for everyone else."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.appointments.models import AppointmentState
from resettle.appointments.tests.conftest import booked, tomorrow_at
from resettle.cases.models import Case
from resettle.linkage import services
from resettle.linkage.models import LinkageRun, LinkPair, PairDecision, PairStatus, RunKind


def _pair_for_review(cast, make_person):
    ours = make_person(
        cast.caseworker,
        given_name="Daniel",
        family_name="Price",
        date_of_birth=date(1984, 2, 2),
        sex="male",
    )
    theirs = make_person(
        cast.probation, given_name="Danny", family_name="Pryce", date_of_birth=None, sex="male"
    )
    run = services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)
    run = services.linkage_run_execute(run_id=run.pk)
    pair, _ = LinkPair.objects.update_or_create(
        run=run,
        left=min(ours, theirs, key=lambda p: str(p.pk)),
        right=max(ours, theirs, key=lambda p: str(p.pk)),
        defaults={
            "match_weight": 5.0,
            "match_probability": 0.97,
            "agreed": {"given_name": "nickname or known-as name"},
            "disagreed": [],
            "status": PairStatus.REVIEW,
        },
    )
    return pair, ours, theirs


def test_the_review_queue_shows_our_record_and_hides_theirs(cast, make_person, client_as):
    _pair_for_review(cast, make_person)
    response = client_as(cast.admin).get(reverse("linkage:review"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Daniel" in body
    assert "Danny" not in body and "Pryce" not in body
    assert "Not shared" in body


def test_a_record_the_organisation_has_not_started_working_with_is_not_shown(
    cast, make_person, client_as
):
    pair, ours, _theirs = _pair_for_review(cast, make_person)
    ours.working_relationships.update(started_on=date.today() + timedelta(days=1))

    body = client_as(cast.admin).get(reverse("linkage:review")).content.decode()

    assert "Daniel" not in body
    assert client_as(cast.admin).get(reverse("linkage:pair", args=[pair.pk])).status_code == 404


def test_a_reviewer_decides_and_the_decision_is_kept(cast, make_person, client_as):
    pair, *_ = _pair_for_review(cast, make_person)
    response = client_as(cast.admin).post(
        reverse("linkage:pair", args=[pair.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    assert PairDecision.objects.get(left=pair.left, right=pair.right).decision == "accept"


@pytest.mark.parametrize("who", ["caseworker", "manager", "outsider"])
def test_the_review_queue_refuses_others(cast, client_as, who):
    assert client_as(getattr(cast, who)).get(reverse("linkage:review")).status_code == 403


def test_the_review_queue_sends_the_anonymous_to_sign_in(client):
    assert client.get(reverse("linkage:review")).status_code == 302


def test_another_organisations_pair_is_not_found(cast, make_person, client_as):
    pair, *_ = _pair_for_review(cast, make_person)
    outsider_admin = cast.outsider
    outsider_admin.role = "organisation_admin"
    outsider_admin.save()
    response = client_as(outsider_admin).get(reverse("linkage:pair", args=[pair.pk]))
    assert response.status_code == 404


def test_cases_in_common_names_only_who_the_user_may_open(cast, make_person, client_as):
    shared = make_person(cast.caseworker, cast.coordinator, given_name="Alex", family_name="Shared")
    make_person(cast.probation, cast.housing, given_name="Hidden", family_name="Person")
    Case.objects.create(person=shared, organisation=cast.lead_charity, opened_on=date.today())
    response = client_as(cast.caseworker).get(reverse("linkage:cases_in_common"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alex Shared" in body
    assert "Hidden" not in body
    assert "1 not shared with you" in body


def test_cases_in_common_downloads_for_the_meeting(cast, make_person, client_as):
    make_person(cast.caseworker, cast.coordinator, given_name="Alex", family_name="Shared")
    response = client_as(cast.caseworker).get(reverse("linkage:cases_in_common_csv"))
    assert response.status_code == 200
    assert "Alex Shared" in response.content.decode()


def test_cases_in_common_gives_each_organisations_next_appointment(cast, make_person, client_as):
    shared = make_person(cast.caseworker, cast.coordinator, given_name="Alex", family_name="Shared")
    case = Case.objects.create(
        person=shared, organisation=cast.lead_charity, opened_on=date.today()
    )
    soon = tomorrow_at(10)
    booked(cast.caseworker, case, soon)
    booked(cast.caseworker, case, soon + timedelta(days=7))
    cancelled = booked(cast.caseworker, case, soon - timedelta(hours=2))
    cancelled.state = AppointmentState.CANCELLED
    cancelled.cancelled_by = "person"
    cancelled.cancelled_at = timezone.now()
    cancelled.cancelled_by_user = cast.caseworker.user
    cancelled.save()
    client = client_as(cast.caseworker)

    page = client.get(reverse("linkage:cases_in_common")).content.decode()
    sheet = client.get(reverse("linkage:cases_in_common_csv")).content.decode()

    shown = timezone.localtime(soon)
    assert f"next appointment {shown:%-d %b %Y, %H:%M}" in page
    assert f"next appointment {shown:%-d %b %Y %H:%M}" in sheet


@pytest.mark.parametrize("who", ["mentor", "analyst", "outsider"])
def test_cases_in_common_refuses_others(cast, make_person, client_as, who):
    make_person(cast.caseworker, cast.coordinator, given_name="Alex", family_name="Shared")
    response = client_as(getattr(cast, who)).get(reverse("linkage:cases_in_common"))
    assert response.status_code in (403,) or "Alex" not in response.content.decode()


def test_an_admin_starts_a_run_and_sees_it(cast, client_as):
    client = client_as(cast.admin)
    response = client.post(reverse("linkage:run_start"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("linkage:runs")).status_code == 200


def test_after_a_finished_run_the_page_offers_new_and_changed_records_first(
    cast, make_person, client_as
):
    make_person(cast.caseworker, given_name="Daniel", family_name="Price")
    client = client_as(cast.admin)
    page = client.get(reverse("linkage:runs")).content.decode()
    assert "Link the records of" in page and "Link new and changed records" not in page
    services.linkage_run_execute(
        run_id=services.linkage_run_request(actor=cast.admin, partnership=cast.partnership).pk
    )
    page = client.get(reverse("linkage:runs")).content.decode()
    assert "Link new and changed records of" in page
    assert "Link every record of" in page

    response = client.post(reverse("linkage:run_start"), {"partnership": cast.partnership.pk})
    run = LinkageRun.objects.order_by("-created_at").first()
    assert run.kind == RunKind.INCREMENTAL
    services.linkage_run_execute(run_id=run.pk)
    detail = client.get(response["Location"]).content.decode()
    assert "Incremental: new and changed records" in detail
    assert "building on the" in detail

    response = client.post(
        reverse("linkage:run_start"), {"partnership": cast.partnership.pk, "full": "1"}
    )
    assert LinkageRun.objects.order_by("-created_at").first().kind == RunKind.FULL


def test_an_admin_chooses_the_thresholds_and_a_bad_one_is_refused_with_a_message(cast, client_as):
    client = client_as(cast.admin)
    page = client.get(reverse("linkage:runs")).content.decode()
    assert 'name="upper_threshold"' in page and 'value="1.0"' in page
    start = reverse("linkage:run_start")
    partnership = cast.partnership.pk
    for upper, lower, message in (
        ("one", "", "Enter the upper threshold as a match weight"),
        ("0.5", "2", "must be above the lower one"),
    ):
        response = client.post(
            start,
            {"partnership": partnership, "upper_threshold": upper, "lower_threshold": lower},
            follow=True,
        )
        assert message in response.content.decode()
    assert not LinkageRun.objects.exists()

    client.post(start, {"partnership": partnership, "upper_threshold": "4", "lower_threshold": ""})
    run = LinkageRun.objects.get()
    assert (run.upper_threshold, run.lower_threshold) == (4.0, 0.0)


@pytest.mark.parametrize("who", ["caseworker", "manager", "outsider"])
def test_others_may_not_start_a_run(cast, client_as, who):
    response = client_as(getattr(cast, who)).post(reverse("linkage:run_start"), {"full": "1"})
    assert response.status_code == 403
    assert not LinkageRun.objects.exists()


def test_the_anonymous_are_sent_to_sign_in_to_start_a_run(db, client):
    assert client.post(reverse("linkage:run_start"), {"full": "1"}).status_code == 302
    assert not LinkageRun.objects.exists()
