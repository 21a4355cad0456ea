from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent
from resettle.cases.models import CaseState, CloseReason
from resettle.contacts.tests.conftest import open_case, signed_in
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.people.tests.sharing import make_agreement
from resettle.plans import services
from resettle.plans.models import Goal, GoalStep, GoalUpdate, PlanReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast, make_person):
    return make_person(
        cast.caseworker, cast.mentor, cast.family, given_name="Sam", family_name="Okafor"
    )


def goal_for(actor, case, **data) -> Goal:
    data = {
        "pathway": "accommodation",
        "title": "Get my own flat",
        "in_own_words": "A place near my kids",
    } | data
    return services.goal_create(actor=actor, case=case, data=data)


def test_progress_is_added_as_history_never_overwritten(cast, person):
    case = open_case(cast.caseworker, person)
    goal = goal_for(cast.caseworker, case)
    services.goal_progress(actor=cast.caseworker, goal=goal, on=date.today(), status="in_progress")
    services.goal_progress(actor=cast.caseworker, goal=goal, on=date.today(), note="Viewed a flat")
    services.goal_progress(actor=cast.caseworker, goal=goal, on=date.today(), status="achieved")
    goal.refresh_from_db()
    assert goal.status == "achieved"
    history = list(GoalUpdate.objects.filter(goal=goal).order_by("created_at"))
    assert [(u.status_from, u.status_to) for u in history] == [
        ("not_started", "in_progress"),
        ("", ""),
        ("in_progress", "achieved"),
    ]
    assert AuditEvent.objects.filter(object_type="goal", action="state_change").count() == 2


def test_an_update_must_say_something_and_not_be_in_the_future(cast, person):
    case = open_case(cast.caseworker, person)
    goal = goal_for(cast.caseworker, case)
    with pytest.raises(ValidationError) as empty:
        services.goal_progress(actor=cast.caseworker, goal=goal, on=date.today())
    assert "note" in empty.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.goal_progress(
            actor=cast.caseworker, goal=goal, on=date.today() + timedelta(days=1), note="x"
        )
    assert "on" in future.value.message_dict
    assert not GoalUpdate.objects.exists()


def test_a_step_can_be_owned_by_a_partner_organisation(cast, person):
    case = open_case(cast.caseworker, person)
    goal = goal_for(cast.caseworker, case)
    with pytest.raises(ValidationError) as unnamed:
        services.goal_step_add(
            actor=cast.caseworker,
            goal=goal,
            data={"text": "Hold a viewing", "owner_kind": "partner"},
        )
    assert "owner_name" in unnamed.value.message_dict
    step = services.goal_step_add(
        actor=cast.caseworker,
        goal=goal,
        data={
            "text": "Hold a viewing",
            "owner_kind": "partner",
            "owner_organisation": cast.housing_provider,
        },
    )
    assert step.owner_label == "Northshire Homes"
    services.goal_step_done(actor=cast.caseworker, step=step, on=date.today())
    with pytest.raises(ApplicationError):
        services.goal_step_done(actor=cast.caseworker, step=step, on=date.today())


def test_only_the_cases_organisation_or_mentor_changes_the_plan(cast, person):
    case = open_case(cast.caseworker, person)
    with pytest.raises(PermissionDenied):
        goal_for(cast.family, case)
    mentoring = open_case(cast.mentor, person, mentor=cast.mentor.user)
    assert goal_for(cast.mentor, mentoring).pk
    closed = open_case(
        cast.family,
        person,
        state=CaseState.CLOSED,
        closed_on=date.today(),
        close_reason=CloseReason.OTHER,
    )
    with pytest.raises(ApplicationError, match="Reopen"):
        goal_for(cast.family, closed)


def test_a_review_needs_a_next_date_after_it(cast, person):
    case = open_case(cast.caseworker, person)
    with pytest.raises(ValidationError) as bad:
        services.plan_review_record(
            actor=cast.caseworker,
            case=case,
            data={"reviewed_on": date.today(), "summary": "Fine", "next_review_on": date.today()},
        )
    assert "next_review_on" in bad.value.message_dict
    review = services.plan_review_record(
        actor=cast.caseworker,
        case=case,
        data={
            "reviewed_on": date.today(),
            "summary": "Agreed the housing steps",
            "next_review_on": date.today() + timedelta(days=90),
        },
    )
    assert PlanReview.objects.get() == review


def test_the_plan_page_groups_goals_and_partners_see_them_only_with_outcomes(cast, person):
    case = open_case(cast.caseworker, person)
    goal_for(cast.caseworker, case)
    goal_for(cast.caseworker, case, pathway="health", title="Register with a GP")
    url = reverse("plans:person_plan", args=[person.pk])
    page = signed_in(cast.caseworker).get(url).content.decode()
    assert "Accommodation" in page and "Register with a GP" in page
    assert "Register with a GP" not in signed_in(cast.family).get(url).content.decode()
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.OUTCOMES],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    assert "Register with a GP" in signed_in(cast.family).get(url).content.decode()
    assert AuditEvent.objects.filter(
        user_id=cast.family.user_id, action="read", category="outcomes"
    ).exists()


def test_adding_a_goal_then_a_step_then_progress_through_the_pages(cast, person):
    open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    response = client.post(
        reverse("plans:goal_create", args=[person.pk]),
        {"pathway": "education_employment", "title": "Get a forklift licence"},
    )
    goal = Goal.objects.get()
    step_url = reverse("plans:step_add", args=[goal.pk])
    assert response["Location"] == step_url
    assert 'name="another" value="1"' in client.get(step_url).content.decode()
    another = client.post(
        step_url, {"text": "Find the fees", "owner_kind": "person", "another": "1"}
    )
    assert another["Location"] == step_url
    done = client.post(step_url, {"text": "Book the course", "owner_kind": "worker"})
    assert done["Location"] == reverse("plans:goal_detail", args=[goal.pk])
    step = GoalStep.objects.get(text="Book the course")
    client.post(reverse("plans:step_done", args=[goal.pk, step.pk]))
    step.refresh_from_db()
    assert step.done_on == date.today()
    today = date.today()
    client.post(
        reverse("plans:goal_progress", args=[goal.pk]),
        {
            "status": "in_progress",
            "note": "Course booked",
            "on_day": today.day,
            "on_month": today.month,
            "on_year": today.year,
        },
    )
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    detail = client.get(reverse("plans:goal_detail", args=[goal.pk])).content.decode()
    assert "Course booked" in detail and "Book the course" in detail
    printable = client.get(reverse("plans:print", args=[person.pk])).content.decode()
    assert "Get a forklift licence" in printable and "Mark done" not in printable


def test_a_partners_goal_is_refused_not_hidden_when_outcomes_are_shared(cast, person):
    case = open_case(cast.caseworker, person)
    goal = goal_for(cast.caseworker, case)
    client = signed_in(cast.family)
    assert client.get(reverse("plans:goal_detail", args=[goal.pk])).status_code == 404
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.OUTCOMES],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    assert client.get(reverse("plans:goal_detail", args=[goal.pk])).status_code == 200
    assert client.post(reverse("plans:goal_progress", args=[goal.pk]), {}).status_code == 403


def test_the_plan_page_costs_the_same_queries_however_many_goals(count_queries, cast, person):

    case = open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    url = reverse("plans:person_plan", args=[person.pk])

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    goal_for(cast.caseworker, case)
    few = queries()
    for pathway in ("health", "drugs_alcohol", "sport"):
        goal = goal_for(cast.caseworker, case, pathway=pathway)
        services.goal_step_add(
            actor=cast.caseworker, goal=goal, data={"text": "A step", "owner_kind": "person"}
        )
        services.goal_progress(actor=cast.caseworker, goal=goal, on=date.today(), note="Going ok")
    assert queries() == few
