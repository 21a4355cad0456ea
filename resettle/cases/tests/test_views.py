"""The case action pages, made from the lifecycle table: each confirms, acts and says so; an
action the state does not allow goes back to the case; closing the last work with a person
leaves the case for the people list, as its record has closed to the organisation."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from resettle.cases import services
from resettle.cases.models import CaseState
from resettle.custody.tests.conftest import days

pytestmark = pytest.mark.django_db


def _client(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _date(name: str, value: date) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


@pytest.fixture
def case(cast, person):
    return services.case_open(actor=cast.caseworker, person=person, opened_on=days(-10))


def test_pausing_through_the_page_goes_back_to_the_case(cast, case):
    client = _client(cast.caseworker)
    url = reverse("cases:pause", args=[case.pk])
    assert "Pause this case" in client.get(url).content.decode()
    response = client.post(url, {**_date("on", days(0)), "reason": "In hospital"})
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == CaseState.PAUSED


def test_an_invalid_pause_shows_the_errors_and_changes_nothing(cast, case):
    response = _client(cast.caseworker).post(
        reverse("cases:pause", args=[case.pk]), _date("on", days(1))
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason"}
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_an_action_the_state_does_not_allow_goes_back_to_the_case(cast, case):
    response = _client(cast.caseworker).get(reverse("cases:resume", args=[case.pk]))
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_a_partner_that_sees_the_case_is_refused_the_page(cast, case):
    assert _client(cast.probation).get(reverse("cases:pause", args=[case.pk])).status_code == 403


def test_closing_the_last_work_leaves_the_case_for_the_people_list(cast, case):
    client = _client(cast.caseworker)
    response = client.post(
        reverse("cases:close", args=[case.pk]),
        {**_date("closed_on", days(0)), "close_reason": "goals_met"},
    )
    assert response["Location"] == reverse("people:list")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("record is closed" in m for m in said)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_closing_is_confirmed_with_the_red_warning_button_and_pausing_is_not(cast, case):
    client = _client(cast.caseworker)
    close = client.get(reverse("cases:close", args=[case.pk])).content.decode()
    pause = client.get(reverse("cases:pause", args=[case.pk])).content.decode()
    assert 'class="govuk-button govuk-button--warning"' in close
    assert ">Close case</button>" in close
    assert "govuk-button--warning" not in pause


def test_an_allocation_the_service_refuses_is_shown_beside_the_form(cast, case, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"worker": "This worker has left"})

    monkeypatch.setattr(services, "case_update", refuse)
    response = _client(cast.caseworker).post(reverse("cases:edit", args=[case.pk]), {})
    assert response.status_code == 200
    assert response.context["form"].errors["worker"] == ["This worker has left"]
