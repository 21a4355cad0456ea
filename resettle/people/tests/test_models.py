from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from resettle.lib.names import name_key
from resettle.people.choices import AddressKind, IdentifierScheme, RelationshipKind
from resettle.people.models import Address, Identifier, Person, Relationship, validate_date_of_birth

TODAY = date.today()


def test_date_of_birth_today_is_accepted():
    validate_date_of_birth(TODAY)


def test_date_of_birth_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="in the past"):
        validate_date_of_birth(TODAY + timedelta(days=1))


def test_date_of_birth_more_than_120_years_ago_is_refused():
    with pytest.raises(ValidationError, match="120 years"):
        validate_date_of_birth(date(TODAY.year - 121, TODAY.month, 1))


def test_age_counts_whole_years_up_to_the_day_before_the_birthday():
    person = Person(given_name="A", family_name="B", date_of_birth=date(2000, 6, 15))
    assert person.age_on(date(2018, 6, 14)) == 17
    assert person.age_on(date(2018, 6, 15)) == 18


def test_leap_day_birthday_turns_a_year_older_on_the_first_of_march():
    person = Person(given_name="A", family_name="B", date_of_birth=date(2004, 2, 29))
    assert person.age_on(date(2022, 2, 28)) == 17
    assert person.age_on(date(2022, 3, 1)) == 18


def test_unknown_date_of_birth_means_unknown_age_and_not_a_child():
    person = Person(given_name="A", family_name="B")
    assert person.age is None
    assert not person.is_child


def test_display_name_shows_a_preferred_name_only_when_different():
    person = Person(given_name="William", family_name="Turner", preferred_name="Bill")
    assert person.display_name == "William Turner (Bill)"
    person.preferred_name = "William"
    assert person.display_name == "William Turner"


@pytest.mark.django_db
def test_saving_a_person_keeps_the_search_keys_in_step():
    person = Person.objects.create(given_name="Zoë", family_name="Smtih")
    assert person.given_key == name_key("Zoe")
    assert person.family_letters == "himst"


def test_identifier_clean_normalises_the_value():
    identifier = Identifier(scheme=IdentifierScheme.NI_NUMBER, value="ab 12 34 56 c")
    identifier.clean()
    assert identifier.value == "AB123456C"


def test_identifier_clean_refuses_a_malformed_value():
    with pytest.raises(ValidationError):
        Identifier(scheme=IdentifierScheme.CRN, value="nope").clean()


@pytest.mark.django_db
def test_database_refuses_the_same_identifier_for_two_people():
    a = Person.objects.create(given_name="A", family_name="One")
    b = Person.objects.create(given_name="B", family_name="Two")
    Identifier.objects.create(person=a, scheme="crn", value="X123456")
    with pytest.raises(IntegrityError):
        Identifier.objects.create(person=b, scheme="crn", value="X123456")


def test_address_needs_a_first_line_and_postcode():
    with pytest.raises(ValidationError):
        Address(kind=AddressKind.HOME, line_1="1 Road").clean()


def test_address_clean_normalises_the_postcode():
    address = Address(kind=AddressKind.HOME, line_1="1 Road", postcode="sw1a1aa")
    address.clean()
    assert address.postcode == "SW1A 1AA"


def test_address_ending_before_it_starts_is_refused():
    address = Address(
        kind=AddressKind.NO_FIXED_ABODE, from_date=date(2025, 1, 2), to_date=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        address.clean()


@pytest.mark.django_db
def test_database_refuses_a_relationship_with_oneself():
    person = Person.objects.create(given_name="A", family_name="One")
    with pytest.raises(IntegrityError):
        Relationship.objects.create(
            person=person, related_person=person, kind=RelationshipKind.OTHER
        )
