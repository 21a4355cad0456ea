"""The organisation list, detail and edit pages, and the organisation_update service."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resettle.accounts import services
from resettle.accounts.models import Membership, Organisation, OrganisationKind, Role
from resettle.accounts.tests.factories import make_organisation, make_user
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.models import Notification
from resettle.partnerships.models import Partnership

pytestmark = pytest.mark.django_db

LIST_URL = reverse("accounts:organisation_list")


def detail_url(organisation):
    return reverse("accounts:organisation_detail", args=[organisation.pk])


def edit_url(organisation):
    return reverse("accounts:organisation_edit", args=[organisation.pk])


def names(response):
    return [o.name for o in response.context["page_obj"]]


# List


def test_list_shows_the_partnership_but_not_outsiders(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(LIST_URL)
    assert len(names(response)) == 7
    assert cast.outside_organisation.name not in names(response)


def test_list_filters_by_kind(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(LIST_URL, {"kind": OrganisationKind.HOUSING})
    assert names(response) == [cast.housing_provider.name]


def test_list_ignores_an_unknown_kind(client, cast):
    client.force_login(cast.caseworker.user)
    assert len(names(client.get(LIST_URL, {"kind": "nonsense"}))) == 7


def test_list_sorts_by_name_both_ways(client, cast):
    client.force_login(cast.caseworker.user)
    ascending = names(client.get(LIST_URL))
    assert ascending == sorted(ascending)
    assert names(client.get(LIST_URL, {"sort": "-name"})) == ascending[::-1]


def test_list_pages_by_twenty_five_and_keeps_the_filter(client, cast):
    extra = [make_organisation(name=f"Sport trust {n:02}", kind="sport_trust") for n in range(30)]
    cast.partnership.organisations.add(*extra)
    client.force_login(cast.caseworker.user)
    first = client.get(LIST_URL, {"kind": "sport_trust"})
    assert len(names(first)) == 25
    assert 'href="?kind=sport_trust&amp;page=2"' in first.content.decode()
    second = client.get(LIST_URL, {"kind": "sport_trust", "page": 2})
    assert len(names(second)) == 6


def test_list_query_count_does_not_grow_with_organisations(count_queries, client, cast):
    client.force_login(cast.caseworker.user)

    def queries() -> int:
        with count_queries() as captured:
            client.get(LIST_URL)
        return len(captured)

    before = queries()
    cast.partnership.organisations.add(*[make_organisation() for _ in range(30)])
    assert queries() == before


# Detail


def test_detail_of_own_organisation_names_its_members(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(detail_url(cast.lead_charity))
    content = response.content.decode()
    assert response.context["member_count"] == 5
    assert ">safeguarding<" in content
    assert cast.partnership.name in content


def test_detail_of_a_partner_counts_members_without_names(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(detail_url(cast.housing_provider))
    assert response.context["member_count"] == 1
    assert ">housing<" not in response.content.decode()


def test_detail_shows_only_partnerships_shared_with_the_actor(client, cast):
    private = Partnership.objects.create(name="Housing-only network")
    private.organisations.add(cast.housing_provider)
    client.force_login(cast.caseworker.user)
    content = client.get(detail_url(cast.housing_provider)).content.decode()
    assert cast.partnership.name in content
    assert "Housing-only network" not in content


def test_detail_of_an_organisation_outside_the_partnerships_is_not_found(client, cast):
    client.force_login(cast.caseworker.user)
    assert client.get(detail_url(cast.outside_organisation)).status_code == 404


# Edit


def test_org_admin_can_change_their_organisations_details(client, cast):
    client.force_login(cast.admin.user)
    assert client.get(edit_url(cast.lead_charity)).status_code == 200
    response = client.post(
        edit_url(cast.lead_charity),
        {
            "name": "New Leaf North",
            "kind": OrganisationKind.LEAD_CHARITY,
            "description": "Resettlement support",
            "email": "hello@newleaf.example",
            "phone": "0161 496 0000",
        },
    )
    assert response.status_code == 302
    assert response.url == detail_url(cast.lead_charity)
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.name == "New Leaf North"
    assert cast.lead_charity.email == "hello@newleaf.example"


def test_edit_shows_errors_in_a_summary(client, cast):
    client.force_login(cast.admin.user)
    response = client.post(
        edit_url(cast.lead_charity),
        {"name": "", "kind": OrganisationKind.LEAD_CHARITY, "email": "not-an-email"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_name">Enter the organisation&#x27;s name</a>' in content
    assert "Enter an email address in the correct format" in content
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.name == "New Leaf Northshire"


@pytest.mark.parametrize("who", ["caseworker", "manager"])
def test_other_roles_in_the_organisation_may_not_edit(client, cast, who):
    client.force_login(getattr(cast, who).user)
    assert client.get(edit_url(cast.lead_charity)).status_code == 403
    response = client.post(edit_url(cast.lead_charity), {"name": "Taken over", "kind": "other"})
    assert response.status_code == 403
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.name == "New Leaf Northshire"


def test_another_organisations_admin_may_not_edit(client, cast):
    from resettle.accounts.models import Role
    from resettle.accounts.tests.factories import make_membership

    housing_admin = make_membership(
        organisation=cast.housing_provider, role=Role.ORGANISATION_ADMIN
    )
    client.force_login(housing_admin.user)
    assert client.get(edit_url(cast.lead_charity)).status_code == 403
    assert (
        client.post(edit_url(cast.lead_charity), {"name": "X", "kind": "other"}).status_code == 403
    )


def test_edit_link_shows_only_to_those_who_may_edit(client, cast):
    client.force_login(cast.admin.user)
    assert (
        "Change organisation details" in client.get(detail_url(cast.lead_charity)).content.decode()
    )
    client.force_login(cast.caseworker.user)
    assert (
        "Change organisation details"
        not in client.get(detail_url(cast.lead_charity)).content.decode()
    )


def test_service_refuses_anyone_but_the_organisations_admin(cast):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=cast.caseworker, organisation=cast.lead_charity, name="X"
        )
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=cast.admin, organisation=cast.housing_provider, name="X")


def test_service_validates_before_saving(cast):
    with pytest.raises(ValidationError):
        services.organisation_update(
            actor=cast.admin, organisation=cast.lead_charity, email="not-an-email"
        )
    assert Organisation.objects.get(pk=cast.lead_charity.pk).email != "not-an-email"


# The kind: set only by Resettle's operators


def test_an_org_admin_cannot_change_their_organisations_kind_through_the_service(cast):
    with pytest.raises(PermissionDenied, match="only Resettle's operators"):
        services.organisation_update(
            actor=cast.admin, organisation=cast.lead_charity, kind=OrganisationKind.PROBATION
        )
    assert Organisation.objects.get(pk=cast.lead_charity.pk).kind == OrganisationKind.LEAD_CHARITY


def test_the_edit_page_has_no_kind_and_ignores_one_posted(client, cast):
    client.force_login(cast.admin.user)
    assert "kind" not in client.get(edit_url(cast.lead_charity)).context["form"].fields
    response = client.post(
        edit_url(cast.lead_charity), {"name": "New Leaf", "kind": OrganisationKind.PROBATION}
    )
    assert response.status_code == 302
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.kind == OrganisationKind.LEAD_CHARITY
    assert cast.lead_charity.name == "New Leaf"


def test_a_change_is_audited_and_the_partners_admins_are_told(client, cast):
    partner = make_organisation(name="Partner Housing", kind=OrganisationKind.HOUSING)
    cast.partnership.organisations.add(partner)
    partner_admin = Membership.objects.create(
        user=make_user(username="partneradmin"), organisation=partner, role=Role.ORGANISATION_ADMIN
    )
    client.force_login(cast.admin.user)
    client.post(edit_url(cast.lead_charity), {"name": "New Leaf"})
    event = AuditEvent.objects.get(object_type="organisation")
    assert event.object_id == str(cast.lead_charity.pk)
    assert event.changes["name"][1] == "New Leaf"
    assert event.username == cast.admin.user.username
    told = Notification.objects.filter(recipient=partner_admin.user)
    assert told.get().organisation == cast.lead_charity
    assert not Notification.objects.filter(recipient=cast.admin.user).exists()


def test_an_operator_changes_the_kind_in_the_admin_audited_and_partners_told(client, cast):
    operator = make_user(username="operator")
    operator.is_superuser = operator.is_staff = True
    operator.save()
    client.force_login(operator)
    organisation = cast.football_trust
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    response = client.post(
        url,
        {
            "name": organisation.name,
            "kind": OrganisationKind.OTHER,
            "description": organisation.description,
            "email": organisation.email,
            "phone": organisation.phone,
        },
    )
    assert response.status_code == 302, response.content
    organisation.refresh_from_db()
    assert organisation.kind == OrganisationKind.OTHER
    event = AuditEvent.objects.get(object_type="organisation")
    assert event.changes["kind"] == [OrganisationKind.SPORT_TRUST, OrganisationKind.OTHER]
    assert event.username == "operator"
    assert Notification.objects.filter(recipient=cast.admin.user).exists()
