"""Choosing which organisation a user with several memberships is acting for."""

import pytest
from django.urls import reverse

from resettle.accounts.middleware import SESSION_KEY
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership

pytestmark = pytest.mark.django_db

URL = reverse("accounts:switch_organisation")


@pytest.fixture
def housing_membership(cast):
    return make_membership(
        user=cast.caseworker.user, organisation=cast.housing_provider, role=Role.REFERRER
    )


def test_page_offers_each_of_the_users_current_memberships(client, cast, housing_membership):
    client.force_login(cast.caseworker.user)
    content = client.get(URL).content.decode()
    assert f"{cast.lead_charity.name} (Caseworker)" in content
    assert f"{cast.housing_provider.name} (Referrer)" in content


def test_choosing_a_membership_makes_it_the_acting_one(client, cast, housing_membership):
    client.force_login(cast.caseworker.user)
    response = client.post(URL, {"membership": str(housing_membership.pk)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(housing_membership.pk)
    home = client.get(reverse("web:home"))
    assert home.wsgi_request.actor == housing_membership
    assert f"You are now working for {cast.housing_provider.name}" in home.content.decode()


def test_someone_elses_membership_is_refused(client, cast, housing_membership):
    client.force_login(cast.caseworker.user)
    response = client.post(URL, {"membership": str(cast.admin.pk)})
    assert response.status_code == 200
    assert "Select one of your own organisations" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(reverse("web:home")).wsgi_request.actor == cast.caseworker


def test_an_ended_membership_is_refused(client, cast, housing_membership):
    housing_membership.ended_on = housing_membership.created_at.date()
    housing_membership.save()
    client.force_login(cast.caseworker.user)
    response = client.post(URL, {"membership": str(housing_membership.pk)})
    assert "Select one of your own organisations" in response.content.decode()


def test_submitting_nothing_asks_for_a_choice(client, cast, housing_membership):
    client.force_login(cast.caseworker.user)
    response = client.post(URL, {})
    assert "Select the organisation you are working for" in response.content.decode()
