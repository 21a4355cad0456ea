"""A safeguarding lead's home lists their organisation's open break-glass accesses, each with an
"End access" button; a lead may end their own or a colleague's, nobody else may (404)."""

# The break-glass tests' fixtures are imported, and so named again as test arguments.
# ruff: noqa: F811

import pytest
from django.urls import reverse

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.services import break_glass_end
from resettle.access.tests.test_break_glass import (  # noqa: F401 (fixtures)
    offence_agreement,
    open_offence,
    person,
)
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.models import Notification

pytestmark = pytest.mark.django_db

HOME = reverse("web:home")


@pytest.fixture
def colleague(cast):
    """A second safeguarding lead in the lead charity."""
    return make_membership(
        user=make_user(username="colleague", first_name="Charlie", last_name="Lead"),
        organisation=cast.lead_charity,
        role=Role.CASEWORKER,
        is_safeguarding_lead=True,
    )


def test_a_leads_home_lists_open_break_glass_with_an_end_button(client_as, cast, person):
    open_offence(cast, person)
    body = client_as(cast.safeguarding).get(HOME).content.decode()
    assert "Open break-glass access" in body
    assert "Riley" in body
    assert "Offence and sentence" in body or "Offence" in body
    assert "End access" in body
    assert reverse("access:break_glass_report") in body


def test_a_leads_home_says_when_none_is_open(client_as, cast):
    body = client_as(cast.safeguarding).get(HOME).content.decode()
    assert "No one in New Leaf Northshire has break-glass access open now" in body


def test_a_caseworker_who_is_not_a_lead_sees_no_such_list(client_as, cast, person):
    open_offence(cast, person)
    assert b"Open break-glass access" not in client_as(cast.caseworker).get(HOME).content


def test_the_opener_ends_their_own_from_home(client_as, cast, person):
    access = open_offence(cast, person)
    response = client_as(cast.safeguarding).post(
        reverse("access:break_glass_end", args=[access.pk])
    )
    assert response.url == HOME
    access.refresh_from_db()
    assert access.closed_at is not None
    assert not policy.can_view_category(cast.safeguarding, person, Category.OFFENCE)
    assert AuditEvent.objects.filter(object_id=str(access.pk), action="state_change").exists()


def test_a_colleague_lead_ends_it_and_the_opener_is_told(client_as, cast, person, colleague):
    access = open_offence(cast, person)
    assert b"Riley" in client_as(colleague).get(HOME).content
    response = client_as(colleague).post(reverse("access:break_glass_end", args=[access.pk]))
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.closed_at is not None
    told = Notification.objects.get(recipient=cast.safeguarding.user, subject__contains="ended")
    assert "Charlie Lead" in told.subject


@pytest.mark.parametrize("who", ["caseworker", "admin", "manager", "probation", "outsider"])
def test_anyone_else_gets_the_same_404_as_for_no_one(client_as, cast, person, who):
    access = open_offence(cast, person)
    response = client_as(getattr(cast, who)).post(
        reverse("access:break_glass_end", args=[access.pk])
    )
    assert response.status_code == 404
    access.refresh_from_db()
    assert access.closed_at is None
    with pytest.raises(PermissionDenied):
        break_glass_end(actor=getattr(cast, who), access=access)


def test_a_lead_of_another_organisation_cannot_end_it(client_as, cast, person):
    access = open_offence(cast, person)
    other_lead = make_membership(
        organisation=cast.housing_provider, role=Role.CASEWORKER, is_safeguarding_lead=True
    )
    assert (
        client_as(other_lead).post(reverse("access:break_glass_end", args=[access.pk])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        break_glass_end(actor=other_lead, access=access)


def test_an_ended_access_is_a_404(client_as, cast, person):
    access = open_offence(cast, person)
    client = client_as(cast.safeguarding)
    client.post(reverse("access:break_glass_end", args=[access.pk]))
    assert client.post(reverse("access:break_glass_end", args=[access.pk])).status_code == 404


def test_ending_needs_a_post(client_as, cast, person):
    access = open_offence(cast, person)
    url = reverse("access:break_glass_end", args=[access.pk])
    assert client_as(cast.safeguarding).get(url).status_code == 405


def test_signed_out_ending_asks_to_sign_in(client_as, cast, person):
    access = open_offence(cast, person)
    response = client_as(None).post(reverse("access:break_glass_end", args=[access.pk]))
    assert response.url.startswith(reverse("accounts:login"))
