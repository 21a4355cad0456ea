"""Principals and the per-request Access: each kind's own rules, answers kept for one request
only, and a principal whose access ends refused on its next request."""

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.core import Access, access_for
from resettle.access.principals import (
    PersonPrincipal,
    StaffPrincipal,
    SystemPrincipal,
    SystemPurpose,
)
from resettle.accounts.models import Membership
from resettle.people.tests.sharing import make_agreement, make_consent

pytestmark = pytest.mark.django_db


def test_the_person_themselves_is_refused_everything_even_their_own_record(cast, make_person):
    person = make_person(cast.caseworker)
    own_view = PersonPrincipal(person)
    assert not policy.people_visible_to(own_view).exists()
    assert not policy.can_view_person(own_view, person)
    assert policy.categories_visible(own_view, person) == frozenset()
    assert not policy.cases_visible_to(own_view).exists()
    assert not policy.referrals_visible_to(own_view).exists()
    assert not policy.can_edit_person(own_view, person)
    assert not policy.can_record_consent(own_view, person)
    assert not policy.organisations_visible_to(own_view).exists()
    with pytest.raises(Http404):
        policy.get_person_for_actor(own_view, person.pk)


def test_the_system_sees_who_everyone_is_and_nothing_more(cast, make_person, agreement_for_health):
    person = make_person(cast.caseworker)
    linkage = SystemPrincipal(SystemPurpose.LINKAGE)
    assert policy.can_view_person(linkage, person)
    assert policy.categories_visible(linkage, person) == frozenset({Category.IDENTITY})
    assert not policy.people_with_category(linkage, Category.HEALTH).exists()
    assert not policy.cases_for_person(linkage, person).exists()
    assert not policy.contacts_for_person(linkage, person).exists()
    assert not policy.can_edit_person(linkage, person)
    assert not policy.can_refer(linkage, person)


def test_a_system_run_is_audited_when_it_starts(cast):
    from resettle.access.services import system_principal_start
    from resettle.audit.models import AuditEvent

    principal = system_principal_start(purpose=SystemPurpose.SCHEDULED_REPORT)
    assert principal.purpose == SystemPurpose.SCHEDULED_REPORT
    event = AuditEvent.objects.get(object_type="system_principal")
    assert event.reason == SystemPurpose.SCHEDULED_REPORT.label


@pytest.fixture
def agreement_for_health(cast):
    return make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        kinds=["lead_charity"],
    )


def test_an_access_asks_the_database_once_per_person(cast, make_person, count_queries):
    person = make_person(cast.caseworker)
    access = Access(StaffPrincipal(cast.caseworker))
    assert access.categories(person)
    with count_queries() as queries:
        for _ in range(3):
            assert policy.can_view_person(access, person)
            assert policy.can_edit_person(access, person)
            assert policy.categories_visible(access, person)
    assert len(queries) == 0


def test_a_write_makes_the_access_work_its_answers_out_again(cast, make_person):
    person = make_person(cast.caseworker)
    access = Access(StaffPrincipal(cast.caseworker))
    assert access.can_view_person(person)
    person.working_relationships.all().delete()
    assert not access.can_view_person(person)


def test_a_membership_is_asked_afresh_unless_it_is_a_requests_actor(cast, make_person):
    person = make_person(cast.caseworker)
    assert access_for(cast.caseworker) is not access_for(cast.caseworker)
    actor = Membership.objects.get(pk=cast.caseworker.pk)
    bound = Access.for_request(actor)
    assert access_for(actor) is bound
    assert access_for(bound) is bound
    assert policy.can_view_person(actor, person)


def test_each_request_gets_its_own_access(client, cast):
    client.force_login(cast.caseworker.user)
    first = client.get(reverse("web:home")).wsgi_request.access
    second = client.get(reverse("web:home")).wsgi_request.access
    assert first is not second
    assert first.membership == cast.caseworker


def test_another_user_on_the_same_browser_gets_an_access_of_their_own(client, cast):
    client.force_login(cast.caseworker.user)
    first = client.get(reverse("web:home")).wsgi_request.access
    client.force_login(cast.probation.user)
    second = client.get(reverse("web:home")).wsgi_request.access
    assert second is not first
    assert second.membership == cast.probation
    assert first.membership == cast.caseworker


# A principal losing access midway is refused on its next request (on every route:
# test_access_ends_midway.py) --------------------------------------------------------------


@pytest.mark.parametrize("ends", ["consent withdrawn", "agreement ended"])
def test_a_category_that_stops_being_shared_is_gone_on_the_next_request(
    client, cast, make_person, ends
):
    person = make_person(cast.caseworker)
    agreement = make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        kinds=["lead_charity"],
        basis="consent",
    )
    consent = make_consent(person, categories=[Category.HEALTH], kinds=["lead_charity"])
    client.force_login(cast.caseworker.user)
    url = reverse("people:detail", args=[person.pk])
    assert Category.HEALTH in client.get(url).wsgi_request.access.categories(person)
    if ends == "consent withdrawn":
        consent.withdrawn_on = date.today()
        consent.save()
    else:
        agreement.ends_on = date.today()
        agreement.save()
    assert Category.HEALTH not in client.get(url).wsgi_request.access.categories(person)
