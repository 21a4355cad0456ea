"""Who meets a service's rules: reasons in plain English; missing data never excludes."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory.eligibility import (
    eligible_services,
    ineligibility_reasons,
    unchecked_rules,
)
from resettle.directory.models import CustodyEligibility, EligibleGender, Service
from resettle.people import choices
from resettle.people.models import Address, Person, Relationship

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def service(**rules) -> Service:
    return Service(name="S", description="D", access="open", pathways=["sport"], **rules)


def custody(person, cast, **fields) -> CustodyPeriod:
    fields.setdefault("start_date", TODAY - timedelta(days=400))
    return CustodyPeriod.objects.create(
        person=person,
        kind=CustodyKind.SENTENCE,
        establishment="HMP Test",
        recorded_by=cast.probation.user,
        **fields,
    )


def person(**fields) -> Person:
    fields.setdefault("given_name", "Sam")
    fields.setdefault("family_name", "Test")
    return Person.objects.create(**fields)


def test_age_outside_the_range_is_a_reason_and_a_missing_age_is_not():
    rules = service(minimum_age=18, maximum_age=25)
    young = person(date_of_birth=date(2010, 1, 1))
    unknown = person()

    assert ineligibility_reasons(rules, young, on=TODAY) == [
        "Aged 16: the service is for people aged 18 to 25"
    ]
    assert ineligibility_reasons(rules, unknown, on=TODAY) == []
    assert unchecked_rules(rules, unknown, on=TODAY) == ["Age not recorded"]


def test_a_women_only_service_reads_gender_identity_before_sex():
    rules = service(eligible_gender=EligibleGender.WOMEN)
    trans_woman = person(sex=choices.Sex.MALE, gender_identity=choices.GenderIdentity.WOMAN)
    man = person(sex=choices.Sex.MALE, gender_identity=choices.GenderIdentity.SAME_AS_SEX)

    assert ineligibility_reasons(rules, trans_woman, on=TODAY) == []
    assert ineligibility_reasons(rules, man, on=TODAY) == ["The service is for women only"]


def test_area_rules_use_the_current_address_district():
    rules = service(postcode_districts=["NV1", "NV2"])
    someone = person()
    Address.objects.create(
        person=someone,
        kind="home",
        line_1="1 Old Rd",
        postcode="NV1 1AA",
        from_date=TODAY - timedelta(days=900),
        to_date=TODAY - timedelta(days=30),
    )
    Address.objects.create(
        person=someone,
        kind="home",
        line_1="2 New Rd",
        postcode="NV3 2AB",
        from_date=TODAY - timedelta(days=30),
    )

    assert ineligibility_reasons(rules, someone, on=TODAY) == [
        "Lives in NV3: the service covers NV1, NV2"
    ]
    assert ineligibility_reasons(rules, someone, on=TODAY - timedelta(days=60)) == []


def test_the_pre_release_window_counts_weeks_before_the_expected_release(cast):
    rules = service(custody_status=CustodyEligibility.PRE_RELEASE, release_window_weeks=12)
    soon, later, out = person(), person(), person()
    custody(soon, cast, expected_release_date=TODAY + timedelta(weeks=10))
    custody(later, cast, expected_release_date=TODAY + timedelta(weeks=20))
    custody(out, cast, released_on=TODAY - timedelta(days=5))

    assert ineligibility_reasons(rules, soon, on=TODAY) == []
    assert ineligibility_reasons(rules, later, on=TODAY)[0].startswith("Release expected on")
    assert ineligibility_reasons(rules, out, on=TODAY) == [
        "Not in custody: the service is for people before release"
    ]
    assert ineligibility_reasons(rules, person(), on=TODAY) == ["No custody period recorded"]


def test_a_recall_puts_someone_back_in_custody_and_off_a_released_service(cast):
    released_rules = service(custody_status=CustodyEligibility.RELEASED)
    someone = person()
    custody(
        someone,
        cast,
        released_on=TODAY - timedelta(days=100),
        recalled_on=TODAY - timedelta(days=10),
    )

    assert ineligibility_reasons(released_rules, someone, on=TODAY) == [
        "In custody: the service is for people after release"
    ]
    assert ineligibility_reasons(released_rules, someone, on=TODAY - timedelta(days=50)) == []


def test_on_licence_ends_with_the_licence(cast):
    rules = service(custody_status=CustodyEligibility.ON_LICENCE)
    someone = person()
    custody(
        someone,
        cast,
        released_on=TODAY - timedelta(days=100),
        licence_end_date=TODAY - timedelta(days=1),
    )

    assert ineligibility_reasons(rules, someone, on=TODAY)[0].startswith("Licence ended on")
    assert ineligibility_reasons(rules, someone, on=TODAY - timedelta(days=30)) == []


def test_a_family_member_is_related_to_someone_with_a_custody_period(cast):
    rules = service(custody_status=CustodyEligibility.FAMILY_MEMBER)
    parent, child, stranger = person(), person(), person()
    custody(parent, cast)
    Relationship.objects.create(person=child, related_person=parent, kind="parent")

    assert ineligibility_reasons(rules, child, on=TODAY) == []
    assert ineligibility_reasons(rules, stranger, on=TODAY) == [
        "Not recorded as a family member of someone in or leaving prison"
    ]


def test_rules_on_categories_the_actor_may_not_read_are_never_reasons(cast):
    rules = service(custody_status=CustodyEligibility.IN_CUSTODY)
    someone = person()
    custody(someone, cast, released_on=TODAY - timedelta(days=5))
    identity_only = frozenset({Category.IDENTITY})

    assert ineligibility_reasons(rules, someone, on=TODAY, categories=identity_only) == []
    assert unchecked_rules(rules, someone, on=TODAY, categories=identity_only) == [
        "Custody status not shared with you: check it with the referrer"
    ]


def test_eligible_services_reads_the_person_once(cast, django_assert_max_num_queries):
    adults = service(minimum_age=18)
    children = service(maximum_age=17)
    adults.pk, children.pk = 1, 2
    someone = person(date_of_birth=date(1990, 1, 1))

    with django_assert_max_num_queries(4):
        assert eligible_services([adults, children], someone, on=TODAY) == [adults]
