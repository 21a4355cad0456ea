"""Outcome pages: recording on one page and one question a screen, the person's chart and
table, one assessment, end-of-support outcomes, the service summary's counting, schedules, the
today page's due list, and refusals for everyone else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.cases.models import Case
from resettle.contacts.tests.conftest import open_case
from resettle.directory.models import Access, Service
from resettle.outcomes import services
from resettle.outcomes.chart import chart_of
from resettle.outcomes.models import Assessment, EndOfSupport, Schedule, Timepoint
from resettle.outcomes.selectors import histories, outcome_summary, person_assessments
from resettle.outcomes.tests.conftest import close, days, record
from resettle.plans.models import Goal
from resettle.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _ons4_post(case: Case, **extra) -> dict:
    data = {
        "case": str(case.pk),
        "timepoint": "baseline",
        "completed_on_day": str(days(190).day),
        "completed_on_month": str(days(190).month),
        "completed_on_year": str(days(190).year),
        "answered_by": "worker",
        "q_life_satisfaction": "6",
        "q_worthwhile": "refused",
        "q_happiness": "",
        "q_anxiety": "3",
    }
    return data | extra


def test_a_worker_records_ons4_on_one_page(client_as, cast, person, case):
    client = client_as(cast.caseworker)
    url = reverse("outcomes:record", args=[person.pk]) + "?instrument=ons4"
    assert client.get(url).status_code == 200
    response = client.post(url, _ons4_post(case))
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.answers == {
        "life_satisfaction": 6,
        "worthwhile": "refused",
        "happiness": "missing",
        "anxiety": 3,
    }
    assert assessment.answered_by == "worker"


def test_an_answer_off_the_scale_is_shown_beside_its_question(client_as, cast, person, case):
    client = client_as(cast.caseworker)
    url = reverse("outcomes:record", args=[person.pk]) + "?instrument=physical_activity"
    data = _ons4_post(case) | {"q_minutes": "9000"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "q_minutes" in response.context["form"].errors
    assert not Assessment.objects.exists()


def test_the_instrument_is_chosen_first(client_as, cast, person, case):
    response = client_as(cast.caseworker).get(reverse("outcomes:record", args=[person.pk]))
    assert response.status_code == 200
    assert "Physical activity in the last 7 days" in response.content.decode()


def test_self_completion_asks_one_question_a_screen_and_saves_after_the_last(
    client_as, cast, person, case
):
    client = client_as(cast.caseworker)
    url = reverse("outcomes:self", args=[person.pk]) + "?instrument=ons4"
    page = client.post(url, {"instrument": "ons4", "case": str(case.pk), "timepoint": "baseline"})
    assert page.status_code == 200 and page.context["form"].position == 0
    carried = {"instrument": "ons4", "case": str(case.pk), "timepoint": "baseline"}
    # No answer chosen: asked again.
    again = client.post(url, carried | {"step": "0"})
    assert again.context["form"].errors
    answers: dict[str, str] = {}
    for step, (name, value) in enumerate(
        [
            ("q_life_satisfaction", "7"),
            ("q_worthwhile", "8"),
            ("q_happiness", "6"),
            ("q_anxiety", "refused"),
        ]
    ):
        answers[name] = value
        response = client.post(url, carried | answers | {"step": str(step)})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.answered_by == "person" and assessment.answers["anxiety"] == "refused"
    assert assessment.scores == {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6}


def test_self_completion_checks_the_time_point_before_handing_over(client_as, cast, person, case):
    client = client_as(cast.caseworker)
    url = reverse("outcomes:self", args=[person.pk]) + "?instrument=ons4"
    page = client.post(
        url, {"instrument": "ons4", "case": str(case.pk), "timepoint": "follow_up_3m"}
    )
    assert "timepoint" in page.context["form"].errors


def test_the_persons_page_shows_a_chart_and_table_of_each_instrument(client_as, cast, person, case):
    record(cast.caseworker, person, case=case, on=days(190))
    record(
        cast.caseworker,
        person,
        case=case,
        timepoint=Timepoint.REVIEW,
        on=days(100),
        answers={"life_satisfaction": 7, "worthwhile": 7, "happiness": "refused", "anxiety": 3},
    )
    response = client_as(cast.caseworker).get(reverse("outcomes:person", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<polyline") == 4
    assert "ONS personal wellbeing (ONS4): scores at each time point" in html
    assert "Refused" in html


def test_an_assessment_page_shows_answers_and_bands(client_as, cast, person, case):
    assessment = record(cast.caseworker, person, case=case, on=days(190))
    response = client_as(cast.caseworker).get(reverse("outcomes:detail", args=[assessment.pk]))
    assert response.status_code == 200
    assert "High" in response.content.decode()  # anxiety 7


@pytest.mark.parametrize("who", ["outsider", "housing", "mentor"])
def test_others_see_no_assessment(client_as, cast, person, case, who):
    assessment = record(cast.caseworker, person, case=case, on=days(190))
    client = client_as(getattr(cast, who))
    assert client.get(reverse("outcomes:detail", args=[assessment.pk])).status_code == 404


def test_the_mentor_sees_the_outcomes_page_without_the_charitys_answers(
    client_as, cast, person, case
):
    record(cast.caseworker, person, case=case, on=days(190))
    response = client_as(cast.mentor).get(reverse("outcomes:person", args=[person.pk]))
    assert response.status_code == 200 and not response.context["histories"]


@pytest.mark.parametrize("who", ["outsider", "housing"])
def test_people_not_worked_with_are_not_found(client_as, cast, person, who):
    client = client_as(getattr(cast, who))
    for name in ("person", "record", "self"):
        assert client.get(reverse(f"outcomes:{name}", args=[person.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client_as, person):
    response = client_as(None).get(reverse("outcomes:person", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_analyst_may_not_record(client_as, cast, person, share):
    share(categories=["outcomes"], kinds=["lead_charity"])
    response = client_as(cast.analyst).get(reverse("outcomes:record", args=[person.pk]))
    assert response.status_code in (403, 404)


def test_end_of_support_from_the_closed_case(client_as, cast, person, case):
    goal = Goal.objects.create(
        person=person,
        case=case,
        pathway="accommodation",
        title="A flat",
        created_by=cast.caseworker.user,
    )
    client = client_as(cast.caseworker)
    url = reverse("outcomes:end_of_support", args=[case.pk])
    assert client.get(url).status_code == 403  # still open
    close(case, days(5))
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url in detail
    assert client.get(url).status_code == 200
    response = client.post(
        url, {f"goal_{goal.pk}": "achieved", "reason": "completed", "in_own_words": "The football."}
    )
    assert response.status_code == 302
    assert EndOfSupport.objects.get().goal_outcomes.get().rating == "achieved"
    shown = client.get(url).content.decode()
    assert "The football." in shown and "Achieved" in shown
    person_page = client.get(reverse("outcomes:person", args=[person.pk])).content.decode()
    assert "achieved at the end of support" in person_page


def test_end_of_support_is_refused_to_another_organisation(client_as, cast, person, case):
    close(case, days(5))
    assert (
        client_as(cast.mentor).get(reverse("outcomes:end_of_support", args=[case.pk])).status_code
        == 404
    )


# The summary ------------------------------------------------------------------------------


def _service(cast) -> Service:
    return Service.objects.create(
        organisation=cast.lead_charity,
        name="Through the gate",
        description="Support.",
        access=Access.REFERRAL_ONLY,
        pathways=["accommodation"],
    )


def test_the_summary_counts_only_people_with_a_baseline_and_a_review(
    cast, make_person, case, person
):
    # Sam: baseline and two reviews; the latest review counts.
    record(cast.caseworker, person, case=case, on=days(190))
    record(
        cast.caseworker,
        person,
        case=case,
        timepoint="review",
        on=days(150),
        answers={"life_satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": 7},
    )
    record(
        cast.caseworker,
        person,
        case=case,
        timepoint="review",
        on=days(100),
        answers={"life_satisfaction": 8, "worthwhile": 5, "happiness": 2, "anxiety": 4},
    )
    # Alex: a baseline only. Jo: a review only.
    alex = make_person(cast.caseworker, given_name="Alex")
    record(cast.caseworker, alex, case=open_case(cast.caseworker, alex, days_ago=30), on=days(20))
    jo = make_person(cast.caseworker, given_name="Jo")
    record(
        cast.caseworker,
        jo,
        case=open_case(cast.caseworker, jo, days_ago=30),
        timepoint="review",
        on=days(20),
    )
    [summary] = outcome_summary(organisation=cast.lead_charity, service=None)
    assert (summary.with_both, summary.only_baseline, summary.only_review) == (1, 1, 1)
    changes = {q.question.code: q for q in summary.questions}
    assert (
        changes["life_satisfaction"].change_mean == 4 and changes["life_satisfaction"].improved == 1
    )
    assert changes["worthwhile"].same == 1
    assert changes["happiness"].worse == 1
    # Anxiety fell from 7 to 4: better.
    assert changes["anxiety"].change_mean == -3 and changes["anxiety"].improved == 1


def test_the_summary_page_states_the_definition_and_filters_by_service(
    client_as, cast, person, make_person
):
    service = _service(cast)
    referral = Referral.objects.create(
        person=person,
        service=service,
        referring_organisation=cast.probation_unit,
        referred_by=cast.probation.user,
        reason="Housing",
        pathway="accommodation",
    )
    case = open_case(cast.caseworker, person, days_ago=200, referral=referral)
    record(cast.caseworker, person, case=case, on=days(190))
    client = client_as(cast.manager)
    html = client.get(reverse("outcomes:summary"), {"service": str(service.pk)}).content.decode()
    assert "only people with both count" in html
    assert 'data-count="only_baseline">1<' in html
    other = client.get(reverse("outcomes:summary"), {"service": "not-an-id"})
    assert other.status_code == 200


@pytest.mark.parametrize("who", ["mentor", "admin"])
def test_the_summary_is_refused_to_roles_that_neither_manage_nor_report(client_as, cast, who):
    assert client_as(getattr(cast, who)).get(reverse("outcomes:summary")).status_code == 403


def test_a_schedule_is_set_from_its_page(client_as, cast):
    client = client_as(cast.manager)
    assert client.get(reverse("outcomes:schedules")).status_code == 200
    response = client.post(
        reverse("outcomes:schedule_edit"),
        {
            "instrument_codes": ["ons4"],
            "review_every_weeks": "12",
            "at_exit": "on",
            "follow_up_months": ["3", "6"],
        },
    )
    assert response.status_code == 302
    assert Schedule.objects.get().follow_up_months == [3, 6]
    assert client_as(cast.mentor).get(reverse("outcomes:schedule_edit")).status_code == 403
    assert client_as(cast.analyst).get(reverse("outcomes:schedule_edit")).status_code == 403
    assert (
        client_as(cast.manager)
        .get(reverse("outcomes:schedule_edit"), {"service": "nope"})
        .status_code
        == 404
    )


# Due on the today page --------------------------------------------------------------------


def _schedule(cast) -> Schedule:
    return services.schedule_set(
        actor=cast.caseworker,
        organisation=cast.lead_charity,
        service=None,
        instrument_codes=["ons4", "physical_activity"],
        review_every_weeks=12,
        at_exit=True,
        follow_up_months=[3, 6, 12],
    )


def test_baselines_reviews_and_follow_ups_become_things_to_do_today(
    client_as, cast, person, case, make_person
):
    _schedule(cast)
    client = client_as(cast.caseworker)
    due = client.get(reverse("today:today")).context["today"].outcomes_due
    assert {(d.instrument_code, d.timepoint, d.overdue) for d in due} == {
        ("ons4", "baseline", True),
        ("physical_activity", "baseline", True),
    }
    record(cast.caseworker, person, case=case, on=days(190))
    due = client.get(reverse("today:today")).context["today"].outcomes_due
    assert ("ons4", "review") in {(d.instrument_code, d.timepoint) for d in due}
    assert days(190) + timedelta(weeks=12) in {d.due_on for d in due}
    other = make_person(cast.caseworker, given_name="Lee")
    closed = close(
        open_case(cast.caseworker, other, days_ago=300, worker=cast.caseworker.user), days(95)
    )
    due = client.get(reverse("today:today")).context["today"].outcomes_due
    assert ("follow_up_3m", closed.pk) in {(d.timepoint, d.case.pk) for d in due}
    assert "Outcome questionnaires due" in client.get(reverse("today:today")).content.decode()


def _queries(count_queries, client, url) -> int:
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The today page reads the schedules, the actor's cases, the instruments and the cases'
# assessments: four queries more however many cases (and one for today's sessions).
TODAY_WITH_SCHEDULES = 13


def test_the_today_page_reads_a_fixed_number_of_queries_with_schedules(
    count_queries, client, cast, make_person
):
    _schedule(cast)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            someone = make_person(cast.caseworker, given_name=f"Q{n}")
            case = open_case(cast.caseworker, someone, days_ago=200, worker=cast.caseworker.user)
            record(cast.caseworker, someone, case=case, on=days(190))
            if n % 2:
                close(case, days(95))

    client.force_login(cast.caseworker.user)
    url = reverse("today:today")
    _queries(count_queries, client, url)
    add(3, 0)
    few = _queries(count_queries, client, url)
    add(20, 3)
    many = _queries(count_queries, client, url)
    assert few == many == TODAY_WITH_SCHEDULES


def test_the_outcomes_page_reads_a_fixed_number_of_queries(
    count_queries, client, cast, person, case
):
    client.force_login(cast.caseworker.user)
    url = reverse("outcomes:person", args=[person.pk])
    _queries(count_queries, client, url)
    record(cast.caseworker, person, case=case, on=days(190))
    few = _queries(count_queries, client, url)
    for n in range(10):
        record(cast.caseworker, person, case=case, timepoint="review", on=days(180 - n))
        record(
            cast.caseworker,
            person,
            case=case,
            code="physical_activity",
            answers={"minutes": n * 20},
            on=days(180 - n),
        )
    many = _queries(count_queries, client, url)
    assert few == many


def test_self_completion_leaves_the_workers_view_to_the_worker(client_as, cast, person, case):
    client = client_as(cast.caseworker)
    url = reverse("outcomes:self", args=[person.pk]) + "?instrument=pathway_self_rating"
    page = client.post(
        url, {"instrument": "pathway_self_rating", "case": str(case.pk), "timepoint": "baseline"}
    )
    form = page.context["form"]
    assert len(form.questions) == 14
    assert all(q.rater == "person" for q in form.questions)


def test_a_long_scale_is_charted_up_to_the_gridline_above_the_highest_answer(cast, person, case):
    for n, minutes in enumerate((20, 90, 200)):
        record(
            cast.caseworker,
            person,
            case=case,
            code="physical_activity",
            answers={"minutes": minutes},
            on=days(190 - n),
        )
    [history] = histories(person_assessments(actor=cast.caseworker, person=person))
    chart = chart_of(history)
    assert chart is not None
    assert [t.label for t in chart.y_ticks] == ["0", "60", "120", "180", "240"]
    [line] = chart.lines
    assert [p.value for p in line.points] == [20, 90, 200]


def test_the_summary_reads_a_fixed_number_of_queries(count_queries, client, cast, make_person):
    client.force_login(cast.manager.user)
    url = reverse("outcomes:summary")
    _queries(count_queries, client, url)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            someone = make_person(cast.caseworker, given_name=f"S{n}")
            case = open_case(cast.caseworker, someone, days_ago=200)
            record(cast.caseworker, someone, case=case, on=days(190))
            record(cast.caseworker, someone, case=case, timepoint="review", on=days(100))

    add(2, 0)
    few = _queries(count_queries, client, url)
    add(15, 2)
    assert _queries(count_queries, client, url) == few
