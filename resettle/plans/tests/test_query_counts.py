"""Goal lists read a fixed number of queries however many goals there are (5 and 50, the same
count): the API list across people, and one person's plan page, its printable copy and their
API list. Partners' goals (outcomes) are in every list, so the audit of reading them is measured
too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.audit.models import AuditEvent
from resettle.cases import services as case_services
from resettle.contacts.tests.conftest import signed_in
from resettle.custody.tests.conftest import make_agreement as share_casework
from resettle.plans import services

pytestmark = pytest.mark.django_db
PATHWAYS = ["accommodation", "health", "education_employment", "finance_benefit_id", "sport"]


def _open(actor, person):
    return case_services.case_open(
        actor=actor,
        person=person,
        opened_on=timezone.localdate() - timedelta(days=30),
        worker=actor.user,
    )


def _goal(actor, case, n: int) -> None:
    """A goal with a step for a partner organisation, one for the person, and two updates."""
    goal = services.goal_create(
        actor=actor,
        case=case,
        data={
            "pathway": PATHWAYS[n % len(PATHWAYS)],
            "title": f"Goal {n} of {actor.organisation.name}",
            "in_own_words": "Somewhere of my own",
            "due_on": timezone.localdate() + timedelta(days=60),
        },
    )
    services.goal_step_add(
        actor=actor,
        goal=goal,
        data={
            "text": "Housing form",
            "owner_kind": "partner",
            "owner_organisation": actor.organisation,
        },
    )
    services.goal_step_add(actor=actor, goal=goal, data={"text": "Call", "owner_kind": "person"})
    today = timezone.localdate()
    services.goal_progress(actor=actor, goal=goal, on=today, status="in_progress")
    services.goal_progress(actor=actor, goal=goal, on=today, note="Viewed a flat")


def _measure(count_queries, calls) -> list[tuple[int, object]]:
    measured = []
    for who, url in calls:
        with count_queries() as queries:
            response = who.get(url)
        assert response.status_code == 200, (url, response.content)
        measured.append((len(queries), response))
    return measured


def test_the_goal_list_reads_a_fixed_number_of_queries(count_queries, cast, make_person, api_as):
    """Each person has a goal of the lead charity's and one of the family charity's, whose
    outcomes the agreement shares with every partner."""
    share_casework(cast)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            person = make_person(
                cast.caseworker, cast.family, given_name=f"Sam{n}", family_name="Count"
            )
            _goal(cast.caseworker, _open(cast.caseworker, person), n)
            _goal(cast.family, _open(cast.family, person), n)

    caseworker, family = api_as(cast.caseworker), api_as(cast.family)
    # At most 40 goals, 20 people, a page: the audit of a page is one insert only up to 49 events
    # on SQLite (Django's 999 parameters a query, 20 columns an event), past that one more.
    calls = [
        (caseworker, "/api/v1/goals"),
        (caseworker, "/api/v1/goals?page_size=40"),
        (caseworker, "/api/v1/goals?status=in_progress&page_size=40"),
        (family, "/api/v1/goals?page_size=40"),
    ]
    _measure(count_queries, calls)  # a token's first use is recorded once
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    assert [response.json()["count"] for _n, response in few] == [10, 10, 10, 10]
    bodies = [response.json() for _n, response in many]
    assert [b["count"] for b in bodies] == [100, 100, 100, 100]
    shown = bodies[1]["results"]
    assert len(shown) == 40 and {g["organisation"] for g in shown} == {
        str(cast.lead_charity.pk),
        str(cast.family_charity.pk),
    }
    assert all(len(g["steps"]) == 2 and len(g["updates"]) == 2 for g in shown)
    # The partner's goals were shown, and their reading recorded for every person on the page.
    people = {g["person"] for g in shown}
    read = AuditEvent.objects.filter(
        user_id=cast.caseworker.user.pk, action="read", category="outcomes"
    )
    assert len(people) == 20
    assert {str(p) for p in read.values_list("person_id", flat=True)} >= people
    assert [n for n, _response in many] == [n for n, _response in few]


def test_a_persons_plan_reads_a_fixed_number_of_queries(count_queries, cast, make_person, api_as):
    share_casework(cast)
    person = make_person(cast.caseworker, cast.family, given_name="Sam", family_name="Okafor")
    own, partners = _open(cast.caseworker, person), _open(cast.family, person)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            _goal(cast.caseworker, own, n)
            _goal(cast.family, partners, n)
            services.plan_review_record(
                actor=cast.family if n % 2 else cast.caseworker,
                case=partners if n % 2 else own,
                data={"reviewed_on": timezone.localdate(), "summary": f"Review {n}"},
            )

    page, api = signed_in(cast.caseworker), api_as(cast.caseworker)
    plan = f"/people/{person.pk}/plan/"
    calls = [
        (page, plan),
        (page, f"{plan}?status=open"),
        (page, f"{plan}print/"),
        (api, f"/api/v1/goals?person={person.pk}&page_size=100"),
    ]
    _measure(count_queries, calls)  # the first request after signing in saves the session
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    assert few[0][1].context["plan"].goal_count == 10
    assert many[0][1].context["plan"].goal_count == 100
    assert len(many[0][1].context["plan"].reviews) == 50
    body = many[0][1].content.decode()
    assert "Goal 49 of Families Together Northshire" in body and "Review 49" in body
    assert many[2][1].content.decode().count("Housing form") == 100
    assert many[3][1].json()["count"] == 100
    assert [n for n, _response in many] == [n for n, _response in few]
