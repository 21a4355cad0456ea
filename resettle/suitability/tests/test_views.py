"""The suitability page of a person's record, recording an assessment, asking for a review, and
the assessor's review requests on their home page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.audit.models import AuditAction, AuditEvent
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.partnerships.models import LawfulBasis
from resettle.suitability import services
from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest
from resettle.suitability.tests.conftest import NAMES, answers, make_agreement, record

pytestmark = pytest.mark.django_db

NOT_SHARED = "Suitability information is not shared with your organisation"


def page_url(person) -> str:
    return reverse("suitability:person", args=[person.pk])


def create_url(person) -> str:
    return reverse("suitability:create", args=[person.pk])


def review_url(assessment) -> str:
    return reverse("suitability:request_review", args=[assessment.person_id, assessment.pk])


def form_post(**changes) -> dict[str, str]:
    """What the record-an-assessment form sends for `answers()`, with dates as three boxes."""
    data = answers() | changes
    post: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, date):
            post |= {
                f"{name}_day": str(value.day),
                f"{name}_month": str(value.month),
                f"{name}_year": str(value.year),
            }
        else:
            post[name] = value
    return post


@pytest.fixture
def restricted(cast, person, agreement) -> SuitabilityAssessment:
    return record(
        cast.probation, person, named_contact_restriction="yes", named_people_to_avoid=NAMES
    )


# Reading -------------------------------------------------------------------------------------


def test_the_assessor_sees_plain_answers_the_names_and_can_record_a_new_one(
    client_as, cast, person, restricted
):
    response = client_as(cast.probation).get(page_url(person))

    assert response.status_code == 200
    content = response.content.decode()
    assert "May attend group sessions where under-18s are present" in content
    assert "The town centre of Millbrook" in content
    assert NAMES in content
    assert "01632 960101" in content
    assert "Record a new assessment" in content
    assert "Request a review" not in content


def test_a_football_trust_with_the_agreement_sees_answers_but_never_the_names(
    client_as, cast, person, restricted
):
    response = client_as(cast.coordinator).get(page_url(person))

    assert response.status_code == 200
    content = response.content.decode()
    assert "May attend group sessions where under-18s are present" in content
    assert "Restriction applies" in content
    assert "Alex Rivers" not in content
    assert "Mill Lane" not in content
    assert "Record a new assessment" not in content
    assert "Request a review" in content


def test_a_football_trust_without_the_agreement_is_told_it_is_not_shared(
    client_as, cast, person, assessors_only
):
    record(cast.probation, person, assessed_on=date.today() - timedelta(days=40))
    record(cast.probation, person)

    response = client_as(cast.coordinator).get(page_url(person))

    assert response.status_code == 200
    content = response.content.decode()
    assert NOT_SHARED in content
    assert "administrator" in content
    for hidden in ("Millbrook", "Earlier assessments", "Request a review", "01632 960101"):
        assert hidden not in content
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


def test_an_agreement_resting_on_consent_shares_only_with_the_persons_consent(
    client_as, cast, person
):
    make_agreement(cast, kinds=["probation"])
    make_agreement(cast, kinds=["sport_trust"], basis=LawfulBasis.CONSENT)
    record(cast.probation, person)
    client = client_as(cast.coordinator)
    assert NOT_SHARED in client.get(page_url(person)).content.decode()

    consent = Consent.objects.create(
        person=person,
        categories=[Category.RISK_SUITABILITY],
        organisation_kinds=["sport_trust"],
        method=ConsentMethod.WRITTEN,
        given_by=ConsentGivenBy.PERSON,
        given_on=date.today(),
    )
    assert "Millbrook" in client.get(page_url(person)).content.decode()

    consent.withdrawn_on = date.today()
    consent.save()
    assert NOT_SHARED in client.get(page_url(person)).content.decode()


def test_each_look_at_the_answers_is_in_the_audit_trail(client_as, cast, person, restricted):
    client_as(cast.coordinator).get(page_url(person))

    read = AuditEvent.objects.get(action=AuditAction.READ)
    assert read.category == Category.RISK_SUITABILITY
    assert read.person_id == person.pk
    assert read.organisation_id == cast.football_trust.pk


def test_an_expired_assessment_says_so_with_the_date_it_was_due(client_as, cast, person, agreement):
    assessment = record(cast.probation, person)
    due = date.today() - timedelta(days=5)
    SuitabilityAssessment.objects.filter(pk=assessment.pk).update(
        assessed_on=due - timedelta(days=90), review_on=due
    )

    content = client_as(cast.coordinator).get(page_url(person)).content.decode()

    assert "Expired" in content
    assert f"Review due since {due:%-d %B %Y}" in content


def test_earlier_assessments_are_in_a_collapsed_history(client_as, cast, person, agreement):
    record(cast.probation, person, assessed_on=date.today() - timedelta(days=60))
    record(cast.probation, person, one_to_one_sessions="no")

    content = client_as(cast.coordinator).get(page_url(person)).content.decode()

    assert '<details class="govuk-details">' in content
    assert "Earlier assessments (1)" in content


def test_a_person_with_no_assessment_says_so(client_as, cast, person, agreement):
    content = client_as(cast.coordinator).get(page_url(person)).content.decode()

    assert "No suitability assessment has been recorded" in content
    assert "Request a review" not in content


@pytest.mark.parametrize("who", ["outsider", "housing", "mentor"])
def test_organisations_not_working_with_the_person_get_404(client_as, cast, restricted, who):
    client = client_as(getattr(cast, who))
    person = restricted.person

    assert client.get(page_url(person)).status_code == 404
    assert client.get(create_url(person)).status_code == 404
    assert client.get(review_url(restricted)).status_code == 404
    assert client.post(review_url(restricted), {"note": ""}).status_code == 404


@pytest.mark.parametrize("who", ["analyst", "manager", "admin"])
def test_aggregate_and_admin_roles_never_see_a_persons_suitability(
    client_as, cast, restricted, who
):
    client = client_as(getattr(cast, who))

    assert client.get(page_url(restricted.person)).status_code in (403, 404)
    assert client.get(create_url(restricted.person)).status_code in (403, 404)


def test_anonymous_users_are_sent_to_sign_in(client_as, person):
    response = client_as(None).get(page_url(person))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_assessment_of_someone_else_cannot_be_reviewed_through_this_persons_url(
    client_as, cast, make_person, restricted
):
    other = make_person(cast.probation, cast.coordinator, given_name="Other")
    url = reverse("suitability:request_review", args=[other.pk, restricted.pk])

    assert client_as(cast.coordinator).get(url).status_code == 404


def test_the_person_pages_link_to_suitability(client_as, cast, person):
    content = client_as(cast.coordinator).get(reverse("people:detail", args=[person.pk]))

    assert page_url(person) in content.content.decode()


def test_the_page_costs_the_same_queries_however_long_the_history(
    count_queries, client_as, cast, make_person, agreement, django_assert_num_queries
):
    short = make_person(cast.probation, cast.coordinator)
    record(cast.probation, short)
    long = make_person(cast.probation, cast.coordinator, given_name="Lee")
    for days in (90, 60, 30):
        record(cast.probation, long, assessed_on=date.today() - timedelta(days=days))
    record(cast.probation, long, named_contact_restriction="yes", named_people_to_avoid=NAMES)
    for assessment in SuitabilityAssessment.objects.filter(person=long, superseded_by=None):
        services.suitability_review_request(actor=cast.coordinator, assessment=assessment)
    client = client_as(cast.coordinator)
    client.get(page_url(short))  # the session and the first-request work happen once

    with count_queries() as one:
        client.get(page_url(short))
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(page_url(long))


# Recording ------------------------------------------------------------------------------------


def test_the_assessor_records_an_assessment_through_the_form(client_as, cast, person, agreement):
    client = client_as(cast.probation)
    assert client.get(create_url(person)).status_code == 200

    response = client.post(create_url(person), form_post())

    assert response.status_code == 302
    assert response["Location"] == page_url(person)
    assessment = SuitabilityAssessment.objects.get(person=person)
    assert assessment.sessions_with_vulnerable_adults_present == "yes_with_measures"
    assert assessment.assessed_by == cast.probation.user


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"review_on": date.today() - timedelta(days=1)}, "The review date must be in the future"),
        (
            {"review_on": date.today() + timedelta(days=400)},
            "The review date must be within 12 months of the date of the assessment",
        ),
        (
            {"sessions_with_under_18s_present": ""},
            "Answer “may attend group sessions where under-18s",
        ),
        ({"named_contact_restriction": "yes"}, "Enter who they must not be in contact with"),
    ],
    ids=["review-in-the-past", "review-beyond-12-months", "missing-answer", "missing-names"],
)
def test_the_form_shows_what_to_fix_and_saves_nothing(
    client_as, cast, person, agreement, changes, message
):
    response = client_as(cast.probation).post(create_url(person), form_post(**changes))

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert not SuitabilityAssessment.objects.exists()


def test_the_form_with_nothing_filled_in_asks_every_question(client_as, cast, person, agreement):
    response = client_as(cast.probation).post(create_url(person), {})

    form = response.context["form"]
    assert {
        "assessed_on",
        "review_on",
        "group_sessions_with_adults",
        "sessions_with_under_18s_present",
        "sessions_with_vulnerable_adults_present",
        "one_to_one_sessions",
        "two_staff_needed",
        "named_contact_restriction",
        "assessor_contact",
    } <= set(form.errors)
    assert not SuitabilityAssessment.objects.exists()


def test_a_partner_cannot_open_the_record_form(client_as, cast, person, agreement):
    client = client_as(cast.coordinator)

    assert client.get(create_url(person)).status_code == 403
    assert client.post(create_url(person), form_post()).status_code == 403
    assert not SuitabilityAssessment.objects.exists()


# Review requests ------------------------------------------------------------------------------


def test_a_review_request_is_a_task_for_the_assessor_until_a_new_assessment(
    client_as, cast, person, restricted
):
    client = client_as(cast.coordinator)
    confirm = client.get(review_url(restricted))
    assert confirm.status_code == 200
    assert "Ask " in confirm.content.decode()

    response = client.post(review_url(restricted), {"note": "He would like to join on Tuesdays"})

    assert response.status_code == 302
    review = SuitabilityReviewRequest.objects.get()
    assert review.organisation == cast.football_trust
    page = client.get(page_url(person)).content.decode()
    assert "Your organisation asked" in page
    assert "Request a review" not in page

    client = client_as(cast.probation)
    home = client.get(reverse("web:home")).content.decode()
    assert "Review requests for you" in home
    assert page_url(person) in home
    assert "He would like to join on Tuesdays" in client.get(page_url(person)).content.decode()

    client.post(create_url(person), form_post(assessed_on=date.today()))

    review.refresh_from_db()
    assert review.done_at is not None
    assert "Review requests for you" not in client.get(reverse("web:home")).content.decode()


def test_other_staff_do_not_get_someone_elses_review_task(client_as, cast, person, restricted):
    services.suitability_review_request(actor=cast.coordinator, assessment=restricted)

    home = client_as(cast.prison).get(reverse("web:home")).content.decode()

    assert "Review requests for you" not in home


def test_the_assessor_cannot_ask_themselves_for_a_review(client_as, cast, restricted):
    client = client_as(cast.probation)

    assert client.post(review_url(restricted), {"note": ""}).status_code == 403
    assert not SuitabilityReviewRequest.objects.exists()


def test_asking_twice_says_it_was_already_asked(client_as, cast, restricted):
    services.suitability_review_request(actor=cast.coordinator, assessment=restricted)

    response = client_as(cast.coordinator).post(review_url(restricted), {"note": ""})

    assert response.status_code == 200
    assert "There is a problem" in response.text and "already asked" in response.text
    assert SuitabilityReviewRequest.objects.count() == 1


def test_the_pages_accept_only_their_methods(client_as, cast, person, restricted):
    client = client_as(cast.coordinator)

    assert client.post(page_url(person)).status_code == 405
    assert client.delete(review_url(restricted)).status_code == 405


def test_the_form_asks_its_questions_in_groups_under_headings(client_as, cast, person, agreement):
    page = client_as(cast.probation).get(create_url(person)).content.decode()
    headings = [
        "Dates",
        f"What {person.given_name} may take part in",
        "Places and people to avoid",
        "How partners can reach you",
    ]
    positions = [page.index(f'<h2 class="govuk-heading-m">{h}</h2>') for h in headings]
    assert positions == sorted(positions)
    assert page.index("id_assessed_on") < positions[1] < page.index("id_measures") < positions[2]
    assert positions[3] < page.index('name="assessor_contact"')
    assert ">Record assessment</button>" in page
