"""Each role's home page shows what that role may see, and nothing more."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.accounts.tests.factories import make_membership, make_user
from resettle.cases.models import Case, CaseState, Task, TaskKind

pytestmark = pytest.mark.django_db


def home(client, actor):
    client.force_login(actor.user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", ["caseworker", "probation", "coordinator"])
def test_casework_home_lists_the_people_the_organisation_works_with(
    client, cast, make_person, role
):
    actor = getattr(cast, role)
    make_person(actor, given_name="Casey", family_name="Visible")
    make_person(cast.outsider, given_name="Olly", family_name="Hidden")
    content = home(client, actor).content.decode()
    assert "Casey Visible" in content
    assert "Olly Hidden" not in content
    assert "is working with 1 person" in content


def test_casework_home_shows_the_ten_most_recently_updated(client, cast, make_person):
    people = [make_person(cast.caseworker, family_name=f"Person{n:02}") for n in range(12)]
    response = home(client, cast.caseworker)
    shown = response.context["people"]
    assert len(shown) == 10
    assert shown[0] == people[-1]
    assert response.context["people_count"] == 12


def test_recently_updated_people_are_the_actors_own_newest_first(client, cast, make_person):
    make_person(cast.outsider, family_name="Hidden")
    people = [make_person(cast.caseworker, family_name=f"Person{n:02}") for n in range(12)]
    make_person(cast.outsider, family_name="Hidden")
    assert home(client, cast.caseworker).context["people"] == people[::-1][:10]


def _home_queries(count_queries, client) -> int:
    with count_queries() as captured:
        assert client.get(reverse("web:home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["caseworker", "mentor"])
def test_the_home_page_takes_the_same_number_of_queries_for_more_people(
    count_queries, client, cast, make_person, django_assert_max_num_queries, role
):
    actor = getattr(cast, role)
    client.force_login(actor.user)

    for n in range(5):
        make_person(actor, family_name=f"Few{n}", identifiers={"crn": f"A{n:06d}"})
    with_five = _home_queries(count_queries, client)
    for n in range(45):
        make_person(actor, family_name=f"Many{n}", identifiers={"crn": f"B{n:06d}"})
    with django_assert_max_num_queries(with_five):
        assert client.get(reverse("web:home")).status_code == 200


def test_mentor_home_shows_only_their_own_mentees(client, cast, make_person):
    make_person(cast.mentor, given_name="Mina", family_name="Mentee")
    other_mentor = make_membership(
        user=make_user(username="othermentor"),
        organisation=cast.mentoring_charity,
        role=cast.mentor.role,
    )
    make_person(other_mentor, given_name="Nat", family_name="Notmine")
    content = home(client, cast.mentor).content.decode()
    assert "Mina Mentee" in content
    assert "Nat Notmine" not in content
    assert "allocated 1 person" in content


def test_add_a_person_shows_only_for_roles_that_may_add(client, cast):
    assert home(client, cast.caseworker).context["can_create_person"] is True
    assert home(client, cast.mentor).context["can_create_person"] is False


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_overview_home_counts_people_per_organisation_without_names(
    client, cast, make_person, role
):
    make_person(cast.caseworker, cast.housing, given_name="Priya", family_name="Private")
    make_person(cast.caseworker)
    make_person(
        cast.caseworker,
        started_on=date.today() - timedelta(days=60),
        ended_on=date.today() - timedelta(days=1),
    )
    response = home(client, getattr(cast, role))
    content = response.content.decode()
    assert "Priya" not in content and "Private" not in content
    counts = {o.name: (o.member_count, o.people_count) for o in response.context["organisations"]}
    # lead charity: caseworker, manager, analyst, admin, safeguarding
    assert counts[cast.lead_charity.name] == (5, 2)
    assert counts[cast.housing_provider.name] == (1, 1)
    assert counts[cast.football_trust.name] == (1, 0)
    assert cast.outside_organisation.name not in counts


def test_admin_home_lists_their_organisations_members_and_roles(client, cast):
    content = home(client, cast.admin).content.decode()
    assert "Members and roles" in content
    for username in ["caseworker", "manager", "analyst", "admin", "safeguarding"]:
        assert f">{username}<" in content
    assert ">probation<" not in content
    assert reverse("accounts:organisation_detail", args=[cast.lead_charity.pk]) in content


def test_user_without_a_current_membership_is_told_why_there_is_nothing(client, db):
    client.force_login(make_user(username="newstarter"))
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert b"You are not in an organisation" in response.content


def test_header_shows_user_organisation_role_and_navigation(client, cast):
    content = home(client, cast.caseworker).content.decode()
    assert "Caseworker Tester" in content
    assert f"{cast.lead_charity.name}, caseworker" in content
    assert 'action="/sign-out/"' in content
    assert ">Organisations<" in content
    assert "Switch organisation" not in content


def test_people_navigation_is_hidden_from_roles_without_case_level_access(client, cast):
    assert home(client, cast.caseworker).context["shows_people"] is True
    assert home(client, cast.manager).context["shows_people"] is False


def test_switch_organisation_link_shows_for_people_with_several_memberships(client, cast):
    make_membership(user=cast.caseworker.user, organisation=cast.housing_provider)
    assert "Switch organisation" in home(client, cast.caseworker).content.decode()


def test_demo_banner_shows_only_in_demo_mode(client, cast, settings):
    settings.DEMO_MODE = True
    assert "Demonstration data only" in home(client, cast.caseworker).content.decode()
    settings.DEMO_MODE = False
    assert "Demonstration data only" not in home(client, cast.caseworker).content.decode()


def test_pages_use_no_inline_script_or_gov_uk_branding(client, cast):
    content = home(client, cast.caseworker).content.decode()
    assert "<script>" not in content
    assert 'type="module" src="/static/init.js"' in content
    assert "govuk-logo" not in content and "GOV.UK" not in content


def test_casework_home_counts_the_actors_own_tasks_due_by_tonight(client, cast, make_person):
    def case_of(actor, state=CaseState.OPEN):
        person = make_person(actor)
        closed = (
            {"closed_on": date.today(), "close_reason": "completed"} if state == "closed" else {}
        )
        return Case.objects.create(
            person=person,
            organisation=actor.organisation,
            worker=actor.user,
            state=state,
            opened_on=date.today() - timedelta(days=30),
            **closed,
        )

    def task(case, assignee, days: int) -> None:
        due = timezone.now() + timedelta(days=days)
        Task.objects.create(
            case=case, kind=TaskKind.OTHER, title="Call", due_at=due, assigned_to=assignee.user
        )

    live = case_of(cast.caseworker)
    task(live, cast.caseworker, days=-3)  # overdue: counted
    task(live, cast.caseworker, days=0)  # today: counted
    task(live, cast.caseworker, days=5)  # later
    task(live, cast.safeguarding, days=0)  # a colleague's
    task(case_of(cast.caseworker, state=CaseState.CLOSED), cast.caseworker, days=0)

    assert "2 tasks due, including overdue ones" in home(client, cast.caseworker).content.decode()
