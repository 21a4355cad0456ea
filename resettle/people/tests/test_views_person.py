"""Adding a person (with the duplicate check), their summary page, changing their details, and
adding names and addresses."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.people.choices import AddressKind, Ethnicity, NameKind, Sex
from resettle.people.models import Address, Identifier, Person, PersonName, WorkingRelationship


@pytest.fixture
def lead_charity_receives_contact(share):
    """These tests are about the pages, not about sharing (test_views_categories.py is): the
    caseworker's organisation receives contact details and criminal-justice identifiers under a
    statutory agreement."""
    return share(
        categories=[Category.CONTACT, Category.CRIMINAL_JUSTICE_IDS],
        kinds=[OrganisationKind.LEAD_CHARITY],
    )


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lead_charity_receives_contact")]

CREATE_URL = reverse("people:create")


def detail_url(person: Person) -> str:
    return reverse("people:detail", args=[person.pk])


def edit_url(person: Person) -> str:
    return reverse("people:edit", args=[person.pk])


def person_post(**changes) -> dict[str, str]:
    """What the add-a-person form sends, with every coded answer left at "Not recorded"."""
    data = {
        "given_name": "Ada",
        "middle_names": "",
        "family_name": "Lovelace",
        "preferred_name": "",
        "date_of_birth_day": "",
        "date_of_birth_month": "",
        "date_of_birth_year": "",
        "sex": "not_recorded",
        "gender_identity": "not_recorded",
        "gender_identity_description": "",
        "pronouns": "not_recorded",
        "pronouns_description": "",
        "ethnicity": "not_recorded",
        "disability": "not_recorded",
        "phone": "",
        "email": "",
        "prison_number": "",
        "crn": "",
        "pnc": "",
        "ni_number": "",
    }
    return data | changes


def born(day: date) -> dict[str, str]:
    return {
        "date_of_birth_day": str(day.day),
        "date_of_birth_month": str(day.month),
        "date_of_birth_year": str(day.year),
    }


# Adding a person


def test_the_form_starts_with_coded_answers_not_recorded(client_as, cast):
    response = client_as(cast.caseworker).get(CREATE_URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["sex"].value() == "not_recorded"
    assert form["ethnicity"].value() == "not_recorded"
    assert "Prefer not to say" in response.text
    assert '<optgroup label="Asian or Asian British">' in response.text


def test_caseworker_adds_a_person_and_sees_their_record(client_as, cast):
    client = client_as(cast.caseworker)
    response = client.post(
        CREATE_URL,
        person_post(
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.WHITE_IRISH,
            prison_number="a 1234 bc",
            ni_number="ab123456c",
            **born(date(1985, 12, 10)),
        ),
        follow=True,
    )
    person = Person.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(person)
    assert "Ada Lovelace has been added" in response.text
    assert person.date_of_birth == date(1985, 12, 10)
    assert set(person.identifiers.values_list("value", flat=True)) == {"A1234BC", "AB123456C"}
    assert WorkingRelationship.objects.filter(
        person=person, organisation=cast.lead_charity
    ).exists()


def test_a_blank_date_of_birth_means_not_recorded(client_as, cast):
    client_as(cast.caseworker).post(CREATE_URL, person_post())
    assert Person.objects.get().date_of_birth is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"family_name": ""}, "family_name", "Enter their last name"),
        (born(date.today() + timedelta(days=1)), "date_of_birth", "must be in the past"),
        (born(date(1890, 1, 1)), "date_of_birth", "within the last 120 years"),
        (
            {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "1990"},
            "date_of_birth",
            "must be a real date",
        ),
        ({"given_name": "<script>alert(1)</script>"}, "given_name", "Names can only include"),
        ({"family_name": "x" * 101}, "family_name", "100 characters or fewer"),
        ({"prison_number": "12345"}, "prison_number", "format A1234BC"),
        ({"crn": "X12"}, "crn", "format X123456"),
        ({"pnc": "2012/0052494A"}, "pnc", "check letter"),
        ({"ni_number": "QQ123456C"}, "ni_number", "never issued"),
        ({"email": "not-an-email"}, "email", "correct format"),
        ({"sex": "unknown"}, "sex", "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    client_as, cast, changes, field, message
):
    response = client_as(cast.caseworker).post(CREATE_URL, person_post(**changes))
    assert response.status_code == 200
    assert Person.objects.count() == 0
    assert any(message in error for error in response.context["form"].errors[field])
    assert "govuk-error-summary" in response.text
    assert "<script>alert" not in response.text


def test_errors_then_success(client_as, cast):
    client = client_as(cast.caseworker)
    client.post(CREATE_URL, person_post(given_name=""))
    assert Person.objects.count() == 0
    client.post(CREATE_URL, person_post())
    assert Person.objects.count() == 1


def test_possible_duplicates_are_shown_before_saving_then_confirmed(client_as, cast, make_person):
    existing = make_person(
        cast.caseworker, given_name="Ada", family_name="Lovelace", date_of_birth=date(1985, 12, 10)
    )
    client = client_as(cast.caseworker)
    data = person_post(**born(date(1985, 12, 10)))

    warned = client.post(CREATE_URL, data)
    assert Person.objects.count() == 1
    assert "Check this person is not already in Resettle" in warned.text
    assert detail_url(existing) in warned.text
    assert "None of these is the person" in warned.text

    confirmed = client.post(CREATE_URL, data | {"confirm_new": "true"})
    assert confirmed.status_code == 302
    assert Person.objects.count() == 2


def test_duplicates_elsewhere_in_the_partnership_are_counted_not_named(
    client_as, cast, make_person
):
    make_person(
        cast.housing, given_name="Ada", family_name="Lovelace", date_of_birth=date(1985, 12, 10)
    )
    response = client_as(cast.caseworker).post(
        CREATE_URL, person_post(given_name="Adah", **born(date(1985, 12, 10)))
    )
    assert Person.objects.count() == 1
    assert (
        "1 other person with similar details is known to other organisations in the "
        "partnership; ask your partnership manager before adding a new record." in response.text
    )
    assert "Lovelace</a>" not in response.text


def test_an_identifier_already_recorded_is_an_error_even_when_confirmed(
    client_as, cast, make_person
):
    make_person(cast.caseworker, given_name="Other", identifiers={"prison_number": "A1234BC"})
    client = client_as(cast.caseworker)
    data = person_post(prison_number="a1234bc")
    assert "Check this person is not already in Resettle" in client.post(CREATE_URL, data).text
    response = client.post(CREATE_URL, data | {"confirm_new": "true"})
    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert (
        "already recorded for another person" in response.context["form"].errors["prison_number"][0]
    )


@pytest.mark.parametrize("role", ["mentor", "analyst", "manager", "admin"])
def test_roles_that_cannot_add_people_are_refused(client_as, cast, role):
    client = client_as(getattr(cast, role))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, person_post()).status_code == 403
    assert Person.objects.count() == 0


def test_anonymous_cannot_add_a_person(client_as):
    response = client_as(None).post(CREATE_URL, person_post())
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert Person.objects.count() == 0


# The summary page


@pytest.fixture
def ada(cast, make_person):
    return make_person(
        cast.caseworker,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1985, 12, 10),
        ethnicity=Ethnicity.WHITE_IRISH,
        identifiers={"prison_number": "A1234BC"},
    )


def test_summary_shows_labels_and_says_what_is_not_recorded(client_as, cast, ada):
    response = client_as(cast.caseworker).get(detail_url(ada))
    assert response.status_code == 200
    assert "White: Irish" in response.text
    assert "Not recorded" in response.text  # sex, pronouns, phone, ...
    assert "A1234BC" in response.text
    assert edit_url(ada) in response.text
    assert reverse("people:add_name", args=[ada.pk]) in response.text
    assert reverse("people:add_address", args=[ada.pk]) in response.text


def test_an_allocated_peer_mentor_sees_the_summary(client_as, cast, make_person):
    mentee = make_person(cast.mentor, given_name="Mina")
    assert client_as(cast.mentor).get(detail_url(mentee)).status_code == 200


@pytest.mark.parametrize("role", ["outsider", "housing", "mentor", "analyst"])
def test_people_not_working_with_the_person_get_the_same_404_as_for_no_one(
    client_as, cast, ada, role
):
    client = client_as(getattr(cast, role))
    hidden = client.get(detail_url(ada))
    missing = client.get(reverse("people:detail", args=["00000000-0000-0000-0000-000000000000"]))
    assert hidden.status_code == missing.status_code == 404
    assert "Lovelace" not in hidden.text
    for url in (edit_url(ada), reverse("people:add_name", args=[ada.pk])):
        assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_sign_in_from_a_record(client_as, ada):
    response = client_as(None).get(detail_url(ada))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


# Changing details


def edit_post(person: Person, **changes) -> dict[str, str]:
    data = person_post(
        given_name=person.given_name,
        family_name=person.family_name,
        ethnicity=person.ethnicity,
        **(born(person.date_of_birth) if person.date_of_birth else {}),
        **{i.scheme: i.value for i in person.identifiers.all()},
    )
    return data | changes


def test_the_edit_form_is_prefilled(client_as, cast, ada):
    form = client_as(cast.caseworker).get(edit_url(ada)).context["form"]
    assert form["given_name"].value() == "Ada"
    assert form["prison_number"].value() == "A1234BC"
    assert form["ethnicity"].value() == Ethnicity.WHITE_IRISH


def test_caseworker_changes_details_and_clears_an_identifier(client_as, cast, ada):
    response = client_as(cast.caseworker).post(
        edit_url(ada), edit_post(ada, phone="07700 900123", prison_number="")
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.phone == "07700 900123"
    assert not Identifier.objects.filter(person=ada).exists()


def test_changing_other_details_does_not_repeat_the_duplicate_check(
    client_as, cast, ada, make_person
):
    make_person(
        cast.caseworker, given_name="Ada", family_name="Lovelace", date_of_birth=date(1985, 12, 10)
    )
    response = client_as(cast.caseworker).post(edit_url(ada), edit_post(ada, phone="0123"))
    assert response.status_code == 302


def test_changing_a_name_to_match_someone_else_warns_first(client_as, cast, ada, make_person):
    twin = make_person(
        cast.caseworker, given_name="Grace", family_name="Hopper", date_of_birth=date(1985, 12, 10)
    )
    client = client_as(cast.caseworker)
    data = edit_post(ada, given_name="Grace", family_name="Hopper")
    warned = client.post(edit_url(ada), data)
    assert detail_url(twin) in warned.text
    assert detail_url(ada) not in warned.text.split("possible-duplicates")[1].split("</table>")[0]
    ada.refresh_from_db()
    assert ada.given_name == "Ada"
    assert client.post(edit_url(ada), data | {"confirm_new": "true"}).status_code == 302


def test_edit_rejects_a_future_date_of_birth(client_as, cast, ada):
    response = client_as(cast.caseworker).post(
        edit_url(ada), edit_post(ada, **born(date.today() + timedelta(days=3)))
    )
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.date_of_birth == date(1985, 12, 10)


# Names and addresses


def test_adding_an_alias(client_as, cast, ada):
    url = reverse("people:add_name", args=[ada.pk])
    response = client_as(cast.caseworker).post(
        url, {"kind": NameKind.ALIAS, "given_name": "Augusta", "family_name": "Byron"}
    )
    assert response.status_code == 302
    assert PersonName.objects.get(person=ada).family_name == "Byron"
    assert "Augusta Byron" in client_as(cast.caseworker).get(detail_url(ada)).text


def test_an_alias_with_markup_is_rejected(client_as, cast, ada):
    url = reverse("people:add_name", args=[ada.pk])
    response = client_as(cast.caseworker).post(
        url, {"kind": NameKind.ALIAS, "given_name": "", "family_name": "<b>Byron</b>"}
    )
    assert response.status_code == 200
    assert not PersonName.objects.exists()


def address_post(**changes) -> dict[str, str]:
    data = {
        "kind": AddressKind.HOME,
        "line_1": "1 Elm Road",
        "line_2": "",
        "town": "Northtown",
        "postcode": "sw1a1aa",
        "from_date_day": "1",
        "from_date_month": "5",
        "from_date_year": "2025",
        "to_date_day": "",
        "to_date_month": "",
        "to_date_year": "",
    }
    return data | changes


def test_adding_an_address_normalises_the_postcode(client_as, cast, ada):
    url = reverse("people:add_address", args=[ada.pk])
    response = client_as(cast.caseworker).post(url, address_post(), follow=True)
    assert Address.objects.get(person=ada).postcode == "SW1A 1AA"
    assert "Current address" in response.text
    assert "Since 1 May 2025" in response.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postcode": "XX1"}, "Enter a real UK postcode"),
        ({"line_1": "", "postcode": ""}, "Enter the first line of the address and the postcode"),
        ({"to_date_day": "1", "to_date_month": "1", "to_date_year": "2025"}, "on or after"),
    ],
)
def test_a_bad_address_is_not_saved(client_as, cast, ada, changes, message):
    url = reverse("people:add_address", args=[ada.pk])
    response = client_as(cast.caseworker).post(url, address_post(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert not Address.objects.exists()


def test_no_fixed_abode_needs_no_address_lines(client_as, cast, ada):
    url = reverse("people:add_address", args=[ada.pk])
    data = address_post(kind=AddressKind.NO_FIXED_ABODE, line_1="", postcode="", town="")
    assert client_as(cast.caseworker).post(url, data).status_code == 302


def test_read_only_pages_accept_only_get(client_as, cast, ada):
    client = client_as(cast.caseworker)
    assert client.post(detail_url(ada)).status_code == 405
    assert client.post(reverse("people:family", args=[ada.pk])).status_code == 405
