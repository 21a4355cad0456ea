"""Each rule of the access policy: who may, and each kind of actor who may not."""

import uuid
from datetime import date, timedelta

import pytest
from django.http import Http404

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Role
from resettle.accounts.tests.factories import make_user
from resettle.partnerships.models import Partnership
from resettle.people.models import Household, HouseholdMember, WorkingRelationship
from resettle.people.tests.sharing import make_agreement

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

pytestmark = pytest.mark.django_db

CASE_LEVEL = ["caseworker", "probation", "prison", "coordinator", "family", "housing"]
NO_PEOPLE = ["manager", "analyst", "admin"]


def assert_404(get, actor, thing_id) -> None:
    """A malformed id must 404 like a missing one; anything else (e.g. a ValidationError
    from the UUID field) reaches the user as a server error."""
    try:
        get(actor, thing_id)
    except Http404:
        return
    except Exception as exc:
        pytest.fail(f"{get.__name__}({thing_id!r}) raised {exc!r} instead of Http404")
    pytest.fail(f"{get.__name__}({thing_id!r}) returned instead of raising Http404")


def end_membership(actor):
    actor.ended_on = YESTERDAY
    actor.save()
    return actor


# people_visible_to / can_view_person


@pytest.mark.parametrize("role", CASE_LEVEL)
def test_case_level_roles_see_people_their_organisation_works_with(cast, make_person, role):
    actor = getattr(cast, role)
    person = make_person(actor)
    assert list(policy.people_visible_to(actor)) == [person]
    assert policy.can_view_person(actor, person)


def test_caseworker_does_not_see_someone_their_organisation_does_not_work_with(cast, make_person):
    person = make_person(cast.housing)
    assert not policy.people_visible_to(cast.caseworker).exists()
    assert not policy.can_view_person(cast.caseworker, person)


def test_colleague_in_the_same_organisation_sees_the_same_people(cast, make_person):
    person = make_person(cast.caseworker)
    assert policy.can_view_person(cast.safeguarding, person)


def test_ended_working_relationship_hides_the_person(cast, make_person):
    person = make_person(cast.caseworker, started_on=TODAY - timedelta(days=30), ended_on=YESTERDAY)
    assert not policy.can_view_person(cast.caseworker, person)


def test_working_relationship_ending_today_hides_the_person_from_today(cast, make_person):
    person = make_person(cast.caseworker, started_on=YESTERDAY, ended_on=TODAY)
    assert not policy.can_view_person(cast.caseworker, person)
    assert policy.people_visible_to(cast.caseworker, on=YESTERDAY).filter(pk=person.pk).exists()


def test_membership_ending_in_the_future_is_still_current(cast, make_person):
    person = make_person(cast.caseworker)
    cast.caseworker.ended_on = TOMORROW
    assert policy.can_view_person(cast.caseworker, person)


def test_working_relationship_starting_in_the_future_does_not_show_the_person_yet(
    cast, make_person
):
    person = make_person(cast.caseworker, started_on=TOMORROW)
    assert not policy.can_view_person(cast.caseworker, person)
    assert policy.people_visible_to(cast.caseworker, on=TOMORROW).filter(pk=person.pk).exists()


def test_visibility_on_a_past_date_uses_the_relationship_then(cast, make_person):
    person = make_person(cast.caseworker, started_on=TODAY - timedelta(days=30), ended_on=YESTERDAY)
    on = TODAY - timedelta(days=10)
    assert policy.people_visible_to(cast.caseworker, on=on).filter(pk=person.pk).exists()


def test_ended_membership_sees_nobody(cast, make_person):
    person = make_person(cast.caseworker)
    actor = end_membership(cast.caseworker)
    assert not policy.people_visible_to(actor).exists()
    assert not policy.can_view_person(actor, person)


def test_mentor_sees_a_mentee_allocated_to_them(cast, make_person):
    person = make_person(cast.mentor)
    assert policy.can_view_person(cast.mentor, person)


def test_mentor_does_not_see_someone_their_charity_works_with_but_not_allocated_to_them(
    cast, make_person
):
    person = make_person()
    WorkingRelationship.objects.create(
        person=person, organisation=cast.mentor.organisation, started_on=TODAY, allocated_to=None
    )
    assert not policy.can_view_person(cast.mentor, person)


def test_mentor_does_not_see_another_mentors_mentee(cast, make_person):
    other_user = make_user(username="othermentor", password="another-long-password-1")
    other = Membership.objects.create(
        user=other_user, organisation=cast.mentor.organisation, role=Role.PEER_MENTOR
    )
    person = make_person(other)
    assert not policy.can_view_person(cast.mentor, person)


@pytest.mark.parametrize("role", NO_PEOPLE)
def test_analysts_managers_and_admins_see_no_individual_people(cast, make_person, role):
    actor = getattr(cast, role)
    person = make_person(actor)  # even when their own organisation works with the person
    assert not policy.people_visible_to(actor).exists()
    assert not policy.can_view_person(actor, person)


def test_outsider_sees_nobody_in_the_partnership(cast, make_person):
    person = make_person(cast.caseworker, cast.housing, cast.probation)
    assert not policy.can_view_person(cast.outsider, person)


def test_signed_out_visitor_sees_nobody(cast, make_person):
    make_person(cast.caseworker)
    assert not policy.people_visible_to(None).exists()


def test_person_worked_with_more_than_once_is_listed_once(cast, make_person):
    person = make_person(cast.caseworker, cast.housing)
    WorkingRelationship.objects.create(
        person=person,
        organisation=cast.lead_charity,
        started_on=TODAY - timedelta(days=30),
        ended_on=YESTERDAY,
    )
    assert list(policy.people_visible_to(cast.caseworker)) == [person]


# get_person_for_actor


def test_get_person_for_actor_returns_a_visible_person(cast, make_person):
    person = make_person(cast.caseworker)
    assert policy.get_person_for_actor(cast.caseworker, person.pk) == person
    assert policy.get_person_for_actor(cast.caseworker, str(person.pk)) == person


def test_get_person_for_actor_404s_for_someone_who_does_not_exist(cast):
    with pytest.raises(Http404):
        policy.get_person_for_actor(cast.caseworker, uuid.uuid4())


def test_get_person_for_actor_404s_the_same_way_for_someone_not_visible(cast, make_person):
    person = make_person(cast.housing)
    with pytest.raises(Http404) as hidden:
        policy.get_person_for_actor(cast.caseworker, person.pk)
    with pytest.raises(Http404) as missing:
        policy.get_person_for_actor(cast.caseworker, uuid.uuid4())
    assert str(hidden.value) == str(missing.value)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "", None, "'; DROP TABLE people;--"])
def test_get_person_for_actor_404s_for_a_malformed_id(cast, bad_id):
    assert_404(policy.get_person_for_actor, cast.caseworker, bad_id)


def test_get_person_for_actor_404s_for_signed_out_visitor(cast, make_person):
    person = make_person(cast.caseworker)
    with pytest.raises(Http404):
        policy.get_person_for_actor(None, person.pk)


# can_create_person / can_edit_person


@pytest.mark.parametrize("role", ["caseworker", "probation", "prison", "coordinator", "housing"])
def test_caseworkers_referrers_and_coordinators_may_add_people(cast, role):
    assert policy.can_create_person(getattr(cast, role))


@pytest.mark.parametrize("role", ["mentor", "manager", "analyst", "admin"])
def test_mentors_managers_analysts_and_admins_may_not_add_people(cast, role):
    assert not policy.can_create_person(getattr(cast, role))


def test_ended_membership_may_not_add_people(cast):
    assert not policy.can_create_person(end_membership(cast.caseworker))


def test_signed_out_visitor_may_not_add_people():
    assert not policy.can_create_person(None)


def test_caseworker_may_edit_someone_their_organisation_works_with(cast, make_person):
    assert policy.can_edit_person(cast.caseworker, make_person(cast.caseworker))


def test_mentor_may_edit_their_own_mentee(cast, make_person):
    assert policy.can_edit_person(cast.mentor, make_person(cast.mentor))


def test_caseworker_may_not_edit_someone_outside_their_caseload(cast, make_person):
    assert not policy.can_edit_person(cast.caseworker, make_person(cast.housing))


@pytest.mark.parametrize("role", NO_PEOPLE)
def test_managers_analysts_and_admins_may_not_edit_people(cast, make_person, role):
    actor = getattr(cast, role)
    assert not policy.can_edit_person(actor, make_person(actor))


def test_ended_membership_may_not_edit(cast, make_person):
    person = make_person(cast.caseworker)
    assert not policy.can_edit_person(end_membership(cast.caseworker), person)


def test_outsider_may_not_edit(cast, make_person):
    assert not policy.can_edit_person(cast.outsider, make_person(cast.caseworker))


def test_signed_out_visitor_may_not_edit(cast, make_person):
    assert not policy.can_edit_person(None, make_person(cast.caseworker))


# households


def household_of(*people, left_on=None):
    household = Household.objects.create(name="The Example household")
    for person in people:
        HouseholdMember.objects.create(
            household=household, person=person, joined_on=YESTERDAY, left_on=left_on
        )
    return household


@pytest.fixture
def family_shared(cast):
    """An agreement giving every organisation in the partnership family information."""
    return make_agreement(
        cast.partnership,
        owner=cast.caseworker.organisation,
        categories=[Category.FAMILY_CHILDREN],
        organisations=cast.partnership.organisations.all(),
    )


def test_household_is_hidden_without_family_information_shared(cast, make_person):
    household = household_of(make_person(cast.caseworker))
    assert not policy.households_visible_to(cast.caseworker).exists()
    with pytest.raises(Http404):
        policy.get_household_for_actor(cast.caseworker, household.pk)


@pytest.mark.usefixtures("family_shared")
def test_household_is_visible_through_a_visible_current_member(cast, make_person):
    household = household_of(make_person(cast.caseworker), make_person(cast.housing))
    assert list(policy.households_visible_to(cast.caseworker)) == [household]
    assert policy.get_household_for_actor(cast.caseworker, household.pk) == household


def test_household_is_hidden_when_no_member_is_visible(cast, make_person):
    household = household_of(make_person(cast.housing))
    assert not policy.households_visible_to(cast.caseworker).exists()
    with pytest.raises(Http404):
        policy.get_household_for_actor(cast.caseworker, household.pk)


@pytest.mark.usefixtures("family_shared")
def test_household_is_hidden_when_the_visible_member_has_left(cast, make_person):
    household = household_of(make_person(cast.caseworker), left_on=TODAY)
    household_of_other = household_of(make_person(cast.housing))
    assert not policy.households_visible_to(cast.caseworker).exists()
    assert policy.households_visible_to(cast.housing).get() == household_of_other
    with pytest.raises(Http404):
        policy.get_household_for_actor(cast.caseworker, household.pk)


@pytest.mark.usefixtures("family_shared")
def test_household_with_two_visible_members_is_listed_once(cast, make_person):
    household = household_of(make_person(cast.caseworker), make_person(cast.caseworker))
    assert list(policy.households_visible_to(cast.caseworker)) == [household]


def test_household_is_hidden_from_the_outsider(cast, make_person):
    household = household_of(make_person(cast.caseworker))
    assert not policy.households_visible_to(cast.outsider).filter(pk=household.pk).exists()


@pytest.mark.parametrize("role", NO_PEOPLE)
def test_household_is_hidden_from_roles_that_see_no_people(cast, make_person, role):
    actor = getattr(cast, role)
    household = household_of(make_person(actor))  # their organisation works with the member
    assert not policy.households_visible_to(actor).filter(pk=household.pk).exists()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", None, uuid.uuid4()])
def test_get_household_for_actor_404s_for_missing_or_malformed_ids(cast, bad_id):
    assert_404(policy.get_household_for_actor, cast.caseworker, bad_id)


# organisations


def test_partnership_organisations_are_visible_to_their_members(cast):
    visible = set(policy.organisations_visible_to(cast.caseworker))
    assert visible == set(cast.partnership.organisations.all())
    assert cast.outside_organisation not in visible


def test_organisations_are_listed_once_even_when_partnerships_overlap(cast):
    second = Partnership.objects.create(name="Northshire Families Network")
    second.organisations.add(cast.lead_charity, cast.family_charity)
    visible = list(policy.organisations_visible_to(cast.caseworker))
    assert len(visible) == len(set(visible)) == cast.partnership.organisations.count()


def test_organisation_outside_any_partnership_sees_only_itself(cast):
    assert list(policy.organisations_visible_to(cast.outsider)) == [cast.outside_organisation]


def test_ended_membership_sees_no_organisations(cast):
    assert not policy.organisations_visible_to(end_membership(cast.caseworker)).exists()


def test_signed_out_visitor_sees_no_organisations(cast):
    assert not policy.organisations_visible_to(None).exists()


def test_admin_may_edit_their_own_organisation(cast):
    assert policy.can_edit_organisation(cast.admin, cast.lead_charity)


def test_admin_may_not_edit_another_organisation(cast):
    assert not policy.can_edit_organisation(cast.admin, cast.housing_provider)


@pytest.mark.parametrize("role", ["caseworker", "manager", "analyst", "safeguarding"])
def test_other_roles_may_not_edit_their_own_organisation(cast, role):
    assert not policy.can_edit_organisation(getattr(cast, role), cast.lead_charity)


def test_ended_admin_may_not_edit_their_organisation(cast):
    assert not policy.can_edit_organisation(end_membership(cast.admin), cast.lead_charity)


def test_signed_out_visitor_may_not_edit_an_organisation(cast):
    assert not policy.can_edit_organisation(None, cast.lead_charity)


# count_people_visible_to and visible_person_ids: the same people as people_visible_to


@pytest.mark.parametrize(
    "role", ["caseworker", "probation", "mentor", "coordinator", "analyst", "admin"]
)
def test_the_count_and_ids_of_visible_people_match_the_people_visible(cast, make_person, role):
    actor = getattr(cast, role)
    other_mentor = Membership.objects.create(
        user=make_user(username="othermentor", password="another-long-password-1"),
        organisation=cast.mentor.organisation,
        role=Role.PEER_MENTOR,
    )
    open_now = make_person(actor, cast.housing)
    make_person(actor, started_on=TODAY - timedelta(days=9), ended_on=YESTERDAY)  # ended
    make_person(actor, started_on=TODAY + timedelta(days=3))  # not started yet: not counted
    make_person(other_mentor)  # another mentor's mentee
    make_person(cast.outsider)
    # Open, and also ending later with the same organisation: one person, counted once.
    WorkingRelationship.objects.create(
        person=open_now,
        organisation=actor.organisation,
        started_on=TODAY - timedelta(days=10),
        ended_on=TODAY + timedelta(days=10),
        allocated_to=actor.user if actor.role == Role.PEER_MENTOR else None,
    )
    ending_later = make_person(actor, ended_on=TODAY + timedelta(days=1))
    make_person(actor, started_on=TODAY - timedelta(days=5), ended_on=TODAY)  # ends today

    visible = set(policy.people_visible_to(actor).values_list("pk", flat=True))
    assert policy.count_people_visible_to(actor) == len(visible)
    assert set(policy.visible_person_ids(actor)) == visible
    if role in NO_PEOPLE:
        assert visible == set()
    else:
        assert visible == {open_now.pk, ending_later.pk}


def test_the_count_of_visible_people_on_a_day_counts_that_days_relationships(cast, make_person):
    make_person(cast.caseworker, started_on=TODAY - timedelta(days=20), ended_on=YESTERDAY)
    make_person(cast.caseworker)
    a_week_ago = TODAY - timedelta(days=7)
    assert policy.count_people_visible_to(cast.caseworker, a_week_ago) == 1
    assert policy.count_people_visible_to(cast.caseworker, TODAY) == 1
    assert policy.people_visible_to(cast.caseworker, a_week_ago).count() == 1
    assert policy.count_people_visible_to(None) == 0
