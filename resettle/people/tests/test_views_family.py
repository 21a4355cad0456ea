"""A person's family page, adding a family member, and households."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.people.choices import ContactWishes, RelationshipKind
from resettle.people.models import Household, HouseholdMember, Relationship
from resettle.people.services import household_create, relationship_set


@pytest.fixture
def family_information_shared(share):
    """These tests are about the pages, not about sharing (test_views_categories.py is): the
    lead charity and the family charity receive family information under an agreement."""
    return share(
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.LEAD_CHARITY, OrganisationKind.FAMILY_SUPPORT],
    )


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("family_information_shared")]


@pytest.fixture
def family(cast, make_person):
    """Dan and his partner Pam, whom the lead charity and the family charity both work with,
    and his child Kim, whom only the family charity works with."""
    dan = make_person(cast.caseworker, cast.family, given_name="Dan", family_name="Dale")
    pam = make_person(cast.caseworker, cast.family, given_name="Pam", family_name="Dale")
    kim = make_person(
        cast.family, given_name="Kim", family_name="Dale", date_of_birth=date(2016, 4, 4)
    )
    relationship_set(
        actor=cast.caseworker,
        person=dan,
        related_person=pam,
        kind=RelationshipKind.PARTNER,
        lives_with=True,
        contact_wishes=ContactWishes.HAPPY,
    )
    relationship_set(
        actor=cast.family,
        person=dan,
        related_person=kim,
        kind=RelationshipKind.CHILD,
        contact_wishes=ContactWishes.NO_CONTACT,
    )
    return {"dan": dan, "pam": pam, "kim": kim}


def family_url(person) -> str:
    return reverse("people:family", args=[person.pk])


def test_family_page_lists_relationships_and_hides_names_the_actor_cannot_see(
    client_as, cast, family
):
    response = client_as(cast.caseworker).get(family_url(family["dan"]))
    assert response.status_code == 200
    assert "Pam Dale" in response.text
    assert not re.search(r"\bKim\b", response.text)  # not inside a CSRF token
    assert str(family["kim"].pk) not in response.text
    assert "Not shared with your organisation" in response.text
    assert "govuk-tag--red" in response.text and "No contact wanted" in response.text


def test_the_family_charity_sees_the_child_by_name(client_as, cast, family):
    response = client_as(cast.family).get(family_url(family["dan"]))
    assert "Kim Dale" in response.text
    assert "Under 18" in response.text


@pytest.mark.parametrize("role", ["outsider", "housing", "mentor", "analyst"])
def test_others_get_a_404_for_the_family_page(client_as, cast, family, role):
    assert client_as(getattr(cast, role)).get(family_url(family["dan"])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in_from_the_family_page(client_as, family):
    response = client_as(None).get(family_url(family["dan"]))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


# Adding a family member


def add_url(person) -> str:
    return reverse("people:add_relationship", args=[person.pk])


def test_searching_offers_matching_people_the_actor_can_see(client_as, cast, family, make_person):
    make_person(cast.caseworker, given_name="Sid", family_name="Dale")
    response = client_as(cast.caseworker).get(add_url(family["pam"]), {"q": "Dale"})
    offered = {label for value, label in response.context["form"]["related_person"].field.choices}
    assert any(label.startswith("Sid Dale") for label in offered)
    assert any(label.startswith("Dan Dale") for label in offered)
    assert not any("Kim" in label for label in offered)  # not the caseworker's to see
    assert not any(label.startswith("Pam Dale") for label in offered)  # not herself


def test_adding_a_family_member_records_both_sides(client_as, cast, family, make_person):
    sid = make_person(cast.caseworker, given_name="Sid", family_name="Dale")
    response = client_as(cast.caseworker).post(
        add_url(family["pam"]) + "?q=Sid+Dale",
        {
            "related_person": str(sid.pk),
            "kind": RelationshipKind.PARENT,
            "lives_with": "no",
            "contact_wishes": ContactWishes.THROUGH_WORKER,
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert Relationship.objects.get(person=family["pam"], related_person=sid).kind == "parent"
    assert Relationship.objects.get(person=sid, related_person=family["pam"]).kind == "child"


def test_a_person_the_actor_cannot_see_cannot_be_chosen(client_as, cast, family):
    response = client_as(cast.caseworker).post(
        add_url(family["pam"]) + "?q=Kim",
        {
            "related_person": str(family["kim"].pk),
            "kind": RelationshipKind.CHILD,
            "lives_with": "no",
            "contact_wishes": ContactWishes.HAPPY,
        },
    )
    assert response.status_code == 200
    assert "related_person" in response.context["form"].errors
    assert not Relationship.objects.filter(person=family["pam"], related_person=family["kim"])


def test_a_search_with_no_matches_explains_why(client_as, cast, family):
    response = client_as(cast.caseworker).get(add_url(family["pam"]), {"q": "Zebedee"})
    assert "No people match “Zebedee”" in response.text
    assert response.context["form"] is not None


def test_others_cannot_add_family_members(client_as, cast, family):
    assert client_as(cast.outsider).get(add_url(family["dan"])).status_code == 404


# Households


def test_household_form_offers_the_person_and_relatives_the_actor_can_see(client_as, cast, family):
    url = reverse("people:household_create") + f"?person={family['dan'].pk}"
    response = client_as(cast.caseworker).get(url)
    labels = [label for value, label in response.context["form"]["members"].field.choices]
    assert [label.split(",")[0] for label in labels] == ["Dan Dale", "Pam Dale"]


def test_caseworker_creates_a_household(client_as, cast, family):
    dan, pam = family["dan"], family["pam"]
    url = reverse("people:household_create") + f"?person={dan.pk}"
    response = client_as(cast.caseworker).post(
        url, {"name": "Dale, Elm Road", "notes": "", "members": [str(dan.pk), str(pam.pk)]}
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:household_detail", args=[household.pk])
    assert set(household.members.values_list("person_id", flat=True)) == {dan.pk, pam.pk}


def test_a_household_needs_a_member_and_a_name(client_as, cast, family):
    url = reverse("people:household_create") + f"?person={family['dan'].pk}"
    response = client_as(cast.caseworker).post(url, {"name": "", "notes": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "members"}
    assert not Household.objects.exists()


def test_a_household_cannot_include_a_hidden_relative(client_as, cast, family):
    url = reverse("people:household_create") + f"?person={family['dan'].pk}"
    response = client_as(cast.caseworker).post(
        url, {"name": "Dale", "members": [str(family["dan"].pk), str(family["kim"].pk)]}
    )
    assert response.status_code == 200
    assert not Household.objects.exists()


def test_a_peer_mentor_cannot_create_households(client_as, cast, make_person):
    mentee = make_person(cast.mentor)
    url = reverse("people:household_create") + f"?person={mentee.pk}"
    assert client_as(cast.mentor).get(url).status_code == 403


def test_household_create_for_someone_not_visible_is_a_404(client_as, cast, family):
    url = reverse("people:household_create") + f"?person={family['kim'].pk}"
    assert client_as(cast.caseworker).get(url).status_code == 404
    assert client_as(cast.caseworker).get(reverse("people:household_create")).status_code == 404
    malformed = reverse("people:household_create") + "?person=not-a-uuid"
    assert client_as(cast.caseworker).get(malformed).status_code == 404


@pytest.fixture
def household(cast, family):
    """The Dales' household, recorded by the family charity, with all three in it."""
    return household_create(
        actor=cast.family,
        name="Dale, Elm Road",
        member_ids=[family["dan"].pk, family["pam"].pk, family["kim"].pk],
    )


def household_url(household) -> str:
    return reverse("people:household_detail", args=[household.pk])


def test_household_page_names_only_visible_members(client_as, cast, family, household):
    response = client_as(cast.caseworker).get(household_url(household))
    assert response.status_code == 200
    assert "Dan Dale" in response.text and "Pam Dale" in response.text
    assert not re.search(r"\bKim\b", response.text)  # not inside a CSRF token
    assert "Not shared with your organisation" in response.text
    assert response.text.count("Mark as left") == 2


@pytest.mark.parametrize("role", ["outsider", "housing", "analyst"])
def test_others_get_a_404_for_the_household(client_as, cast, household, role):
    assert client_as(getattr(cast, role)).get(household_url(household)).status_code == 404


def test_the_family_page_links_to_the_household(client_as, cast, family, household):
    response = client_as(cast.caseworker).get(family_url(family["dan"]))
    assert household_url(household) in response.text


def test_caseworker_changes_the_household_name(client_as, cast, household):
    url = reverse("people:household_edit", args=[household.pk])
    client = client_as(cast.caseworker)
    assert client.get(url).context["form"]["name"].value() == "Dale, Elm Road"
    response = client.post(url, {"name": "Dale family", "notes": "Moved in 2024"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.name == "Dale family"


def leave_url(household, member) -> str:
    return reverse("people:household_member_leave", args=[household.pk, member.pk])


def test_marking_a_member_as_left_keeps_them_as_a_past_member(client_as, cast, family, household):
    member = HouseholdMember.objects.get(household=household, person=family["pam"])
    client = client_as(cast.caseworker)
    confirm = client.get(leave_url(household, member))
    assert "Mark Pam Dale as having left the household" in confirm.text
    assert 'class="govuk-button govuk-button--warning"' in confirm.text
    today = date.today()
    response = client.post(
        leave_url(household, member),
        {"left_on_day": today.day, "left_on_month": today.month, "left_on_year": today.year},
        follow=True,
    )
    member.refresh_from_db()
    assert member.left_on == today
    assert "Past members" in response.text
    assert "Pam Dale has been marked as having left" in response.text


def test_leaving_before_joining_is_an_error(client_as, cast, family, household):
    member = HouseholdMember.objects.get(household=household, person=family["pam"])
    before = date.today() - timedelta(days=10)
    response = client_as(cast.caseworker).post(
        leave_url(household, member),
        {"left_on_day": before.day, "left_on_month": before.month, "left_on_year": before.year},
    )
    assert response.status_code == 200
    assert "on or after the date they joined" in response.text
    member.refresh_from_db()
    assert member.left_on is None


def test_a_member_the_actor_cannot_see_cannot_be_marked_as_left(client_as, cast, family, household):
    member = HouseholdMember.objects.get(household=household, person=family["kim"])
    client = client_as(cast.caseworker)
    assert client.get(leave_url(household, member)).status_code == 404
    assert client.post(leave_url(household, member), {}).status_code == 404
    member.refresh_from_db()
    assert member.left_on is None


def test_when_the_last_member_the_actor_can_see_leaves_they_return_to_the_family_page(
    client_as, cast, family, make_person
):
    dan = family["dan"]
    household = household_create(actor=cast.caseworker, name="Dan's flat", member_ids=[dan.pk])
    member = household.members.get()
    today = date.today()
    response = client_as(cast.caseworker).post(
        leave_url(household, member),
        {"left_on_day": today.day, "left_on_month": today.month, "left_on_year": today.year},
    )
    assert response.url == family_url(dan)
