from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from resettle.access.categories import Category
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.partnerships.models import SharingAgreement
from resettle.people import services
from resettle.people.choices import AddressKind, ContactWishes, RelationshipKind
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    Relationship,
    WorkingRelationship,
)
from resettle.people.tests.sharing import make_agreement

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("lead_charity_holds_criminal_justice_ids"),
]

TODAY = date.today()
VALID = {"given_name": "Dana", "family_name": "Okafor", "date_of_birth": date(1990, 5, 17)}


@pytest.fixture(autouse=True)
def contact_and_family_shared(cast):
    """These tests are about the services' own rules: every partner may see contact details
    and family information here. Refusals without them are tested at the end."""
    return make_agreement(
        cast.partnership,
        owner=cast.caseworker.organisation,
        categories=[Category.CONTACT, Category.FAMILY_CHILDREN],
        organisations=cast.partnership.organisations.all(),
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# person_create


def test_caseworker_adds_a_person_and_their_organisation_starts_working_with_them(cast):
    person = services.person_create(
        actor=cast.caseworker,
        data=VALID,
        identifiers={"prison_number": "a1234bc", "pnc": "2012/52494q"},
    )
    assert person.created_by == cast.caseworker.user
    assert dict(person.identifiers.values_list("scheme", "value")) == {
        "prison_number": "A1234BC",
        "pnc": "2012/0052494Q",
    }
    working = WorkingRelationship.objects.get(person=person)
    assert working.organisation == cast.lead_charity
    assert working.started_on == TODAY
    assert working.ended_on is None
    assert working.allocated_to is None


def test_referrer_adds_a_person(cast):
    person = services.person_create(actor=cast.probation, data=VALID)
    assert WorkingRelationship.objects.get(person=person).organisation == cast.probation_unit


@pytest.mark.parametrize("role", ["mentor", "analyst", "manager", "admin"])
def test_roles_that_may_not_add_people_are_refused_and_nothing_is_saved(cast, role):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=getattr(cast, role), data=VALID)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**VALID, "date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth", "in the past"),
        ({**VALID, "date_of_birth": date(TODAY.year - 121, 1, 1)}, "date_of_birth", "120 years"),
        ({**VALID, "given_name": "<script>alert(1)</script>"}, "given_name", "only include"),
        ({**VALID, "family_name": "Smith2"}, "family_name", "only include"),
        ({**VALID, "family_name": "A" * 101}, "family_name", "at most 100"),
        ({**VALID, "given_name": ""}, "given_name", "cannot be blank"),
        ({**VALID, "sex": "robot"}, "sex", "not a valid choice"),
        ({**VALID, "created_by": None}, "created_by", "not recognised"),
        ({**VALID, "is_admin": True}, "is_admin", "not recognised"),
    ],
)
def test_bad_person_details_are_refused_and_nothing_is_saved(cast, data, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(actor=cast.caseworker, data=data)
    assert any(message in m for m in errors_of(excinfo)[field]), errors_of(excinfo)
    assert not Person.objects.exists()
    assert not WorkingRelationship.objects.exists()


@pytest.mark.parametrize(
    ("scheme", "value", "message"),
    [
        ("prison_number", "1234", "A1234BC"),
        ("crn", "X12", "X123456"),
        ("pnc", "2012/0052494R", "check letter"),
        ("ni_number", "QQ123456C", "never issued"),
        ("passport", "123456789", "not recognised"),
    ],
)
def test_malformed_identifiers_are_refused_and_nothing_is_saved(cast, scheme, value, message):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(actor=cast.caseworker, data=VALID, identifiers={scheme: value})
    assert any(message in m for m in errors_of(excinfo)[scheme]), errors_of(excinfo)
    assert not Person.objects.exists()
    assert not Identifier.objects.exists()


def test_every_error_is_reported_at_once(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(
            actor=cast.caseworker,
            data={**VALID, "date_of_birth": TODAY + timedelta(days=1)},
            identifiers={"prison_number": "nonsense"},
        )
    assert {"date_of_birth", "prison_number"} <= set(errors_of(excinfo))


def test_identifier_already_recorded_for_someone_else_is_refused(cast, make_person):
    make_person(cast.housing, identifiers={"prison_number": "A1234BC"})
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(
            actor=cast.caseworker, data=VALID, identifiers={"prison_number": " a1234bc"}
        )
    assert errors_of(excinfo)["prison_number"] == [
        "This Prison number is already recorded for another person"
    ]
    assert Person.objects.count() == 1


def test_empty_identifier_on_create_records_nothing(cast):
    person = services.person_create(actor=cast.caseworker, data=VALID, identifiers={"crn": "  "})
    assert not person.identifiers.exists()


# person_update


def test_caseworker_changes_details_and_an_identifier(cast, make_person):
    person = make_person(cast.caseworker, identifiers={"crn": "X123456"})
    updated = services.person_update(
        actor=cast.caseworker,
        person=person,
        data={"preferred_name": "Dee"},
        identifiers={"crn": "x654321"},
    )
    assert updated.preferred_name == "Dee"
    assert list(person.identifiers.values_list("scheme", "value")) == [("crn", "X654321")]


def test_empty_identifier_removes_it(cast, make_person):
    person = make_person(
        cast.caseworker, identifiers={"crn": "X123456", "prison_number": "A1234BC"}
    )
    services.person_update(actor=cast.caseworker, person=person, data={}, identifiers={"crn": ""})
    assert list(person.identifiers.values_list("scheme", flat=True)) == ["prison_number"]


def test_keeping_ones_own_identifier_is_not_a_duplicate(cast, make_person):
    person = make_person(cast.caseworker, identifiers={"crn": "X123456"})
    services.person_update(
        actor=cast.caseworker, person=person, data={}, identifiers={"crn": "X123456"}
    )
    assert person.identifiers.get().value == "X123456"


def test_identifier_belonging_to_someone_else_is_refused_on_update(cast, make_person):
    make_person(cast.housing, identifiers={"crn": "X999999"})
    person = make_person(cast.caseworker, identifiers={"crn": "X123456"})
    with pytest.raises(ValidationError) as excinfo:
        services.person_update(
            actor=cast.caseworker, person=person, data={}, identifiers={"crn": "X999999"}
        )
    assert "already recorded for another person" in errors_of(excinfo)["crn"][0]
    assert person.identifiers.get().value == "X123456"


def test_invalid_update_changes_nothing(cast, make_person):
    person = make_person(cast.caseworker, given_name="Dana")
    with pytest.raises(ValidationError):
        services.person_update(
            actor=cast.caseworker,
            person=person,
            data={"given_name": "Danielle", "date_of_birth": TODAY + timedelta(days=3)},
        )
    person.refresh_from_db()
    assert person.given_name == "Dana"


def test_update_keeps_search_keys_in_step_with_the_name(cast, make_person):
    person = make_person(cast.caseworker, family_name="Smith")
    services.person_update(actor=cast.caseworker, person=person, data={"family_name": "Jones"})
    person.refresh_from_db()
    assert person.family_letters == "ejnos"


@pytest.mark.parametrize("role", ["caseworker", "analyst", "outsider"])
def test_update_is_refused_to_anyone_not_working_with_the_person(cast, make_person, role):
    person = make_person(cast.housing)
    with pytest.raises(PermissionDenied):
        services.person_update(actor=getattr(cast, role), person=person, data={"phone": "0"})


def test_mentor_may_update_their_mentee(cast, make_person):
    person = make_person(cast.mentor)
    services.person_update(actor=cast.mentor, person=person, data={"phone": "07700 900123"})
    person.refresh_from_db()
    assert person.phone == "07700 900123"


# address_add


def test_new_address_ends_the_current_one_the_day_before_it_starts(cast, make_person):
    person = make_person(cast.caseworker)
    moved_on = date(2025, 3, 10)
    old = Address.objects.create(
        person=person,
        kind=AddressKind.TEMPORARY,
        line_1="1 Old Road",
        postcode="M1 1AE",
        from_date=date(2024, 1, 1),
    )
    new = services.address_add(
        actor=cast.caseworker,
        person=person,
        data={
            "kind": AddressKind.HOME,
            "line_1": "2 New Street",
            "postcode": "m11ae",
            "from_date": moved_on,
        },
    )
    old.refresh_from_db()
    assert new.postcode == "M1 1AE"
    assert new.to_date is None
    assert old.to_date == moved_on - timedelta(days=1), (
        f"address_add's docstring says the current address ends the day before the new one "
        f"starts ({moved_on - timedelta(days=1)}), but it ended on {old.to_date}"
    )


def test_new_address_ends_a_current_address_recorded_without_a_start_date(cast, make_person):
    person = make_person(cast.caseworker)
    old = Address.objects.create(
        person=person, kind=AddressKind.HOME, line_1="1 Old Road", postcode="M1 1AE"
    )
    services.address_add(
        actor=cast.caseworker,
        person=person,
        data={
            "kind": AddressKind.HOME,
            "line_1": "2 New Street",
            "postcode": "M1 1AE",
            "from_date": date(2025, 3, 10),
        },
    )
    old.refresh_from_db()
    assert old.to_date is not None, (
        "A current address without a from_date stays open after a move, so the person has "
        "two current addresses"
    )


def test_address_with_a_bad_postcode_is_refused_and_the_current_one_kept(cast, make_person):
    person = make_person(cast.caseworker)
    old = Address.objects.create(
        person=person,
        kind=AddressKind.HOME,
        line_1="1 Old Road",
        postcode="M1 1AE",
        from_date=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.address_add(
            actor=cast.caseworker,
            person=person,
            data={
                "kind": AddressKind.HOME,
                "line_1": "2 New Street",
                "postcode": "NOT A CODE",
                "from_date": date(2025, 1, 1),
            },
        )
    assert "postcode" in errors_of(excinfo)
    old.refresh_from_db()
    assert old.to_date is None
    assert person.addresses.count() == 1


def test_address_needs_a_first_line_and_postcode_unless_no_fixed_abode(cast, make_person):
    person = make_person(cast.caseworker)
    with pytest.raises(ValidationError):
        services.address_add(actor=cast.caseworker, person=person, data={"kind": AddressKind.HOME})
    address = services.address_add(
        actor=cast.caseworker, person=person, data={"kind": AddressKind.NO_FIXED_ABODE}
    )
    assert address.pk


def test_address_is_refused_for_someone_not_on_the_caseload(cast, make_person):
    with pytest.raises(PermissionDenied):
        services.address_add(
            actor=cast.caseworker,
            person=make_person(cast.housing),
            data={"kind": AddressKind.NO_FIXED_ABODE},
        )


# households


def test_household_is_created_with_visible_members(cast, make_person):
    adult, child = make_person(cast.family), make_person(cast.family, given_name="Sam")
    household = services.household_create(
        actor=cast.family, name="Okafor family", member_ids=[adult.pk, child.pk]
    )
    assert set(household.members.values_list("person_id", flat=True)) == {adult.pk, child.pk}
    assert set(household.members.values_list("joined_on", flat=True)) == {TODAY}


def test_household_needs_at_least_one_member(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(actor=cast.family, name="Empty", member_ids=[])
    assert "members" in errors_of(excinfo)
    assert not Household.objects.exists()


def test_household_with_someone_the_actor_cannot_see_is_refused(cast, make_person):
    visible, hidden = make_person(cast.family), make_person(cast.housing)
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(
            actor=cast.family, name="Mixed", member_ids=[visible.pk, hidden.pk]
        )
    assert "members" in errors_of(excinfo)
    assert not Household.objects.exists()


def test_household_is_refused_to_roles_that_may_not_add_people(cast, make_person):
    person = make_person(cast.mentor)
    with pytest.raises(PermissionDenied):
        services.household_create(actor=cast.analyst, name="X", member_ids=[person.pk])


def test_member_leaving_keeps_the_households_history(cast, make_person):
    adult, child = make_person(cast.family), make_person(cast.family, given_name="Sam")
    household = services.household_create(
        actor=cast.family, name="Okafor family", member_ids=[adult.pk, child.pk]
    )
    member = household.members.get(person=child)
    services.household_member_leave(actor=cast.family, member=member, left_on=TODAY)
    assert household.members.count() == 2
    member.refresh_from_db()
    assert member.left_on == TODAY
    # Having left, they may rejoin: only one current membership per household is allowed.
    rejoined = services.household_member_add(actor=cast.family, household=household, person=child)
    assert rejoined.pk != member.pk
    assert HouseholdMember.objects.filter(household=household, person=child).count() == 2


def test_leaving_before_joining_is_refused(cast, make_person):
    person = make_person(cast.family)
    household = services.household_create(actor=cast.family, name="H", member_ids=[person.pk])
    member = household.members.get()
    with pytest.raises(ValidationError):
        services.household_member_leave(
            actor=cast.family, member=member, left_on=TODAY - timedelta(days=1)
        )
    member.refresh_from_db()
    assert member.left_on is None


def test_adding_a_current_member_again_is_refused(cast, make_person):
    person = make_person(cast.family)
    household = services.household_create(actor=cast.family, name="H", member_ids=[person.pk])
    with pytest.raises(ValidationError):
        services.household_member_add(actor=cast.family, household=household, person=person)


# relationships


def test_relationship_adds_the_inverse_link(cast, make_person):
    child, parent = make_person(cast.family), make_person(cast.family, given_name="Sam")
    services.relationship_set(
        actor=cast.family,
        person=child,
        related_person=parent,
        kind=RelationshipKind.PARENT,
        lives_with=True,
        contact_wishes=ContactWishes.HAPPY,
    )
    inverse = Relationship.objects.get(person=parent, related_person=child)
    assert inverse.kind == RelationshipKind.CHILD
    assert inverse.lives_with is True
    assert inverse.contact_wishes == ContactWishes.NOT_RECORDED


def test_relationship_keeps_the_other_persons_own_contact_wishes(cast, make_person):
    a, b = make_person(cast.family), make_person(cast.family, given_name="Sam")
    services.relationship_set(
        actor=cast.family,
        person=b,
        related_person=a,
        kind=RelationshipKind.PARTNER,
        contact_wishes=ContactWishes.NO_CONTACT,
    )
    services.relationship_set(
        actor=cast.family,
        person=a,
        related_person=b,
        kind=RelationshipKind.PARTNER,
        contact_wishes=ContactWishes.HAPPY,
    )
    assert Relationship.objects.get(person=a).contact_wishes == ContactWishes.HAPPY
    assert Relationship.objects.get(person=b).contact_wishes == ContactWishes.NO_CONTACT
    assert Relationship.objects.count() == 2


def test_relationship_to_someone_not_visible_is_refused(cast, make_person):
    person, hidden = make_person(cast.family), make_person(cast.housing)
    with pytest.raises(ValidationError):
        services.relationship_set(
            actor=cast.family, person=person, related_person=hidden, kind=RelationshipKind.PARENT
        )
    assert not Relationship.objects.exists()


def test_relationship_to_oneself_is_refused(cast, make_person):
    person = make_person(cast.family)
    with pytest.raises(ValidationError):
        services.relationship_set(
            actor=cast.family, person=person, related_person=person, kind=RelationshipKind.OTHER
        )
    assert not Relationship.objects.exists()


# categories: what you may not read, you may not write


def test_without_contact_shared_addresses_and_phone_cannot_be_changed(cast, make_person):
    person = make_person(cast.caseworker)
    SharingAgreement.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.address_add(
            actor=cast.caseworker,
            person=person,
            data={"kind": AddressKind.HOME, "line_1": "1 Elm Road", "postcode": "PR1 2HE"},
        )
    with pytest.raises(PermissionDenied):
        services.person_update(actor=cast.caseworker, person=person, data={"phone": "07700900123"})
    assert not person.addresses.exists()
    person.refresh_from_db()
    assert person.phone == ""


def test_without_family_shared_relationships_and_households_cannot_be_recorded(cast, make_person):
    person, partner = make_person(cast.caseworker), make_person(cast.caseworker)
    SharingAgreement.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.relationship_set(
            actor=cast.caseworker,
            person=person,
            related_person=partner,
            kind=RelationshipKind.PARTNER,
        )
    with pytest.raises(ValidationError):
        services.household_create(
            actor=cast.caseworker, name="Elm Road", member_ids=[person.pk, partner.pk]
        )
    assert not Relationship.objects.exists()


# audit


def test_creating_and_changing_a_person_is_audited_with_what_changed(cast):
    person = services.person_create(
        actor=cast.caseworker, data={"given_name": "Ana", "family_name": "Silva"}
    )
    services.person_update(
        actor=cast.caseworker,
        person=person,
        data={"given_name": "Anna", "phone": "07700900321"},
        identifiers={"prison_number": "a1234bc"},
    )
    events = AuditEvent.objects.filter(person_id=person.pk).order_by("id")
    assert [e.action for e in events] == [AuditAction.CREATE, *[AuditAction.UPDATE] * 2]
    assert events[1].changes == {"given_name": ["Ana", "Anna"], "phone": ["", "07700900321"]}
    assert events[1].organisation_id == cast.caseworker.organisation_id
    # A prison number's change is kept under its own category, so a history shown to someone
    # who may not see criminal-justice identifiers never holds it.
    assert events[2].category == Category.CRIMINAL_JUSTICE_IDS
    assert events[2].changes == {"prison_number": ["", "A1234BC"]}


def test_a_refused_change_writes_no_audit_event(cast, make_person):
    person = make_person(cast.caseworker)
    with pytest.raises(ValidationError):
        services.person_update(
            actor=cast.caseworker, person=person, data={"date_of_birth": date(2999, 1, 1)}
        )
    assert not AuditEvent.objects.filter(person_id=person.pk).exists()
