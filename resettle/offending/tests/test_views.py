"""The offence and risk pages: probation and the prison read the record with its history and
record each part; every partner sees only that it is not shared, never the record nor the way
to it; refusals share the success tests' setup, so each fails for the reason it names."""

import re
from datetime import date

import pytest
from django.urls import reverse

from resettle.audit.models import AuditAction, AuditEvent
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.offending.tests.conftest import NOTES, WORDING, days

pytestmark = pytest.mark.django_db

PARTNERS = ["caseworker", "safeguarding", "coordinator", "mentor"]


def page(person) -> str:
    return reverse("offending:person", args=[person.pk])


def create_urls(person) -> list[str]:
    return [
        reverse(f"offending:{name}_create", args=[person.pk])
        for name in ("sentence", "risk_assessment", "licence_condition")
    ]


def correct_url(sentence) -> str:
    return reverse("offending:sentence_correct", args=[sentence.person_id, sentence.pk])


def end_url(condition) -> str:
    return reverse("offending:licence_condition_end", args=[condition.person_id, condition.pk])


def date_fields(name: str, value: date) -> dict[str, int]:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


# Reading ----------------------------------------------------------------------------------------


def test_probation_has_the_offence_sections_among_the_record_tabs_in_order(cast, client_as, person):
    response = client_as(cast.probation).get(reverse("people:family", args=[person.pk]))
    body = response.content.decode()
    start = body.index('class="moj-sub-navigation app-person-nav"')
    tabs = re.findall(r'href="([^"]+)"', body[start : body.index("</nav>", start)])
    shown = [
        "people:family",
        "suitability:person",
        "outcomes:person",
        "offending:person",
        "evaluation:person_outcomes",
        "consent:person_consents",
    ]
    assert [t for t in tabs if t in {reverse(n, args=[person.pk]) for n in shown}] == [
        reverse(name, args=[person.pk]) for name in shown
    ]
    family = reverse("people:family", args=[person.pk])
    assert f'href="{family}" aria-current="page"' in body


@pytest.mark.parametrize("who", ["probation", "prison"])
def test_probation_and_the_prison_see_what_holds_now_then_the_history(
    cast, client_as, person, recorded, who
):
    client = client_as(getattr(cast, who))
    response = client.get(page(person))

    assert response.status_code == 200
    body = response.content.decode()
    record = response.context["record"]
    assert record.current_sentence == recorded.sentence
    assert record.earlier_sentences == [recorded.earlier_sentence]
    assert record.current_risk == recorded.risk
    assert record.earlier_risk == [recorded.earlier_risk]
    assert record.live_conditions == [recorded.condition]
    assert record.ended_conditions == [recorded.ended]
    assert "Category 2, level 1" in body and "30 months" in body and "Burglary" in body
    assert WORDING in body and NOTES in body
    assert "Earlier risk assessments (1)" in body and "Ended licence conditions (1)" in body
    assert 'aria-current="page">Offence and risk</a>' in body
    read = AuditEvent.objects.filter(action=AuditAction.READ, category="offence")
    assert read.filter(person_id=person.pk).count() == 1


def test_an_empty_record_says_so_in_each_part(cast, client_as, person):
    response = client_as(cast.probation).get(page(person))

    body = response.content.decode()
    assert "No sentence has been recorded" in body
    assert "No risk assessment has been recorded" in body
    assert "No licence conditions are in force" in body
    assert "Nothing has been replaced or ended yet" in body
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_is_told_it_is_not_shared_and_sees_neither_record_nor_nav_item(
    cast, client_as, person, recorded, who
):
    client = client_as(getattr(cast, who))
    response = client.get(page(person))
    summary = client.get(reverse("people:detail", args=[person.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "not shared with your organisation" in body
    for secret in (WORDING, NOTES, "Burglary", "Category 2"):
        assert secret not in body
    assert "Offence and risk</a>" not in summary.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.READ, category="offence").exists()


def test_probation_sees_the_nav_item_on_the_persons_record(cast, client_as, person):
    summary = client_as(cast.probation).get(reverse("people:detail", args=[person.pk]))

    assert f'href="{page(person)}"' in summary.content.decode()


@pytest.mark.parametrize("who", ["probation", "outsider"])
def test_the_pages_are_404_for_someone_not_working_with_the_person(
    cast, client_as, make_person, agreement, offence_agreement, who
):
    stranger = make_person(cast.prison, given_name="Not", family_name="Theirs")
    client = client_as(getattr(cast, who))

    for url in (page(stranger), *create_urls(stranger)):
        assert client.get(url).status_code == 404, url


def test_the_signed_out_are_sent_to_sign_in(client_as, person, recorded):
    client = client_as(None)

    for url in (
        page(person),
        *create_urls(person),
        end_url(recorded.condition),
        correct_url(recorded.sentence),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response["Location"], url


def test_the_persons_page_takes_no_post(cast, client_as, person):
    assert client_as(cast.probation).post(page(person)).status_code == 405


# Recording --------------------------------------------------------------------------------------


def test_probation_records_a_sentence(cast, client_as, person):
    response = client_as(cast.probation).post(
        create_urls(person)[0],
        {
            "index_offence_category": "robbery",
            "sentence_type": "extended",
            "length_months": "48",
            **date_fields("sentenced_on", days(-700)),
            "court": "Ashcombe Crown Court",
        },
    )

    assert response.status_code == 302 and response["Location"] == page(person)
    sentence = Sentence.objects.get()
    assert sentence.sentence_type == "extended" and sentence.length_months == 48
    assert sentence.recorded_by == cast.probation.user


def test_probation_records_a_risk_assessment_that_supersedes_the_current_one(
    cast, client_as, person, recorded
):
    response = client_as(cast.probation).post(
        create_urls(person)[1],
        {
            **date_fields("assessed_on", days(0)),
            "rosh_level": "very_high",
            "mappa_category": "1",
            "mappa_level": "3",
        },
    )

    assert response.status_code == 302
    current = RiskAssessment.objects.get(superseded_by__isnull=True)
    assert current.rosh_level == "very_high" and current.supersedes == recorded.risk


def test_a_mappa_level_without_a_category_is_shown_again_with_its_error(cast, client_as, person):
    response = client_as(cast.probation).post(
        create_urls(person)[1],
        {
            **date_fields("assessed_on", days(0)),
            "rosh_level": "low",
            "mappa_category": "none",
            "mappa_level": "2",
        },
    )

    assert response.status_code == 200
    assert "mappa_level" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_probation_adds_a_licence_condition_starting_at_release(cast, client_as, person):
    response = client_as(cast.probation).post(
        create_urls(person)[2],
        {
            "kind": "residence",
            "wording": "Live at the approved premises",
            **date_fields("starts_on", days(14)),
        },
    )

    assert response.status_code == 302
    condition = LicenceCondition.objects.get()
    assert condition.kind == "residence" and condition.ends_on is None
    page_body = client_as(cast.probation).get(page(person)).content.decode()
    assert "Not started" in page_body


def test_probation_ends_a_condition_after_confirming(cast, client_as, person, recorded):
    client = client_as(cast.probation)
    confirm = client.get(end_url(recorded.condition))
    assert confirm.status_code == 200
    assert WORDING in confirm.content.decode()
    assert "End this licence condition?" in confirm.content.decode()

    response = client.post(
        end_url(recorded.condition), {**date_fields("ends_on", days(0)), "version": "1"}
    )

    assert response.status_code == 302
    recorded.condition.refresh_from_db()
    assert recorded.condition.ends_on == days(0)
    record = client.get(page(person)).context["record"]
    assert record.live_conditions == []
    assert recorded.condition in record.ended_conditions


def test_probation_corrects_a_sentence_shown_as_recorded(cast, client_as, person, recorded):
    client = client_as(cast.probation)
    url = correct_url(recorded.sentence)
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["length_months"].value() == 30

    response = client.post(
        url,
        {
            "index_offence_category": "burglary",
            "sentence_type": "immediate_custody",
            "length_months": "36",
            **date_fields("sentenced_on", days(-400)),
            "court": "Northshire Crown Court",
            "reason": "The length was typed wrongly",
            "version": "1",
        },
    )

    assert response.status_code == 302
    recorded.sentence.refresh_from_db()
    assert recorded.sentence.length_months == 36 and recorded.sentence.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="sentence")
    assert event.changes["length_months"] == ["30", "36"]


def test_a_correction_without_a_reason_is_shown_again(cast, client_as, person, recorded):
    response = client_as(cast.probation).post(
        correct_url(recorded.sentence), {"length_months": "36", "version": "1"}
    )

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    recorded.sentence.refresh_from_db()
    assert recorded.sentence.length_months == 30


def test_ending_a_condition_changed_since_the_page_was_read_says_so(
    cast, client_as, person, recorded
):
    LicenceCondition.objects.filter(pk=recorded.condition.pk).update(version=5)

    response = client_as(cast.probation).post(
        end_url(recorded.condition), {**date_fields("ends_on", days(0)), "version": "1"}
    )

    assert response.status_code == 200
    assert "Someone else changed this licence condition" in response.content.decode()
    recorded.condition.refresh_from_db()
    assert recorded.condition.ends_on is None


def test_an_ended_condition_is_not_ended_again(cast, client_as, person, recorded):
    response = client_as(cast.probation).get(end_url(recorded.ended))

    assert response.status_code == 302 and response["Location"] == page(person)


def test_a_condition_is_404_under_another_persons_address(
    cast, client_as, person, recorded, make_person
):
    other = make_person(cast.probation, given_name="Other", family_name="Person")
    url = reverse("offending:licence_condition_end", args=[other.pk, recorded.condition.pk])

    assert client_as(cast.probation).get(url).status_code == 404


@pytest.mark.parametrize("who", PARTNERS)
def test_a_partner_may_not_record_nor_reach_a_condition(cast, client_as, person, recorded, who):
    client = client_as(getattr(cast, who))

    for url in create_urls(person):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    # A condition or sentence is offence information: to a partner it is not there at all.
    for url in (end_url(recorded.condition), correct_url(recorded.sentence)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert Sentence.objects.count() == 2
