import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent
from resettle.contacts.models import Contact
from resettle.contacts.tests.conftest import open_case, signed_in
from resettle.people.choices import ContactWishes
from resettle.people.tests.sharing import (
    make_agreement,
    make_consent,
    make_household,
    make_relationship,
)

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    today = timezone.localdate()
    return {
        "kind": "phone",
        "outcome": "attended",
        "happened_on_day": today.day,
        "happened_on_month": today.month,
        "happened_on_year": today.year,
        "happened_time": "00:01",
        "duration_minutes": "20",
        "pathways": ["accommodation", "health"],
        "note": "Rang about the GP appointment.",
    } | changes


def contact(actor, case, **fields) -> Contact:
    fields.setdefault("happened_at", timezone.now() - timedelta(days=1))
    fields.setdefault("kind", "face_to_face")
    fields.setdefault("outcome", "attended")
    return Contact.objects.create(
        person=case.person,
        case=case,
        organisation=actor.organisation,
        recorded_by=actor.user,
        **fields,
    )


def test_the_form_defaults_to_now_and_log_another_comes_straight_back(cast, person):
    open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    url = reverse("contacts:create", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["happened_on"].value() == timezone.localdate()
    response = client.post(url, form(another="1"))
    assert response.status_code == 302 and response["Location"] == url
    saved = Contact.objects.get()
    assert saved.pathways == ["accommodation", "health"] and saved.duration_minutes == 20
    assert client.post(url, form())["Location"] == reverse("contacts:person_list", args=[person.pk])


def test_cancelled_without_who_cancelled_is_an_error_without_javascript(cast, person):
    open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    url = reverse("contacts:create", args=[person.pk])
    response = client.post(url, form(outcome="cancelled", duration_minutes=""))
    assert response.status_code == 200
    assert "Select who cancelled the contact" in response.content.decode()
    # A "who cancelled" answer left over from a changed mind is ignored when it happened.
    client.post(url, form(cancelled_by="person"))
    assert Contact.objects.get().cancelled_by == ""


def more_details_open(response) -> bool:
    """Whether the page's "More details" group of rarer questions starts open."""
    tag = re.search(
        r"<details([^>]*)>\s*<summary[^>]*>\s*<span[^>]*>More details", response.content.decode()
    )
    assert tag, "no More details group"
    return " open" in tag[1]


def test_the_rarer_questions_are_folded_unless_one_needs_attention(cast, person):
    open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    url = reverse("contacts:create", args=[person.pk])
    page = client.get(url)
    assert not more_details_open(page)
    folded = page.content.decode().split("More details")[1]
    for name in ("outcome", "cancelled_by", "duration_minutes", "pathways"):
        assert f'name="{name}"' in folded, name
    # An error among them unfolds them, and the error summary lists it after the others.
    cancelled = client.post(url, form(outcome="cancelled", note="x" * 4001))
    assert more_details_open(cancelled)
    errors = cancelled.content.decode()
    assert errors.index("The note must be") < errors.index("Select who cancelled")
    # So does an answer among them, kept when another question has an error.
    assert more_details_open(client.post(url, form(happened_time="25:00")))
    defaults = form(happened_time="25:00", duration_minutes="", pathways=[])
    assert not more_details_open(client.post(url, defaults))
    assert not Contact.objects.exists()


def test_a_future_time_is_refused_beside_the_date(cast, person):
    open_case(cast.caseworker, person)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = signed_in(cast.caseworker).post(
        reverse("contacts:create", args=[person.pk]),
        form(
            happened_on_day=tomorrow.day,
            happened_on_month=tomorrow.month,
            happened_on_year=tomorrow.year,
        ),
    )
    assert response.context["form"].errors["happened_on"] == [
        "The date of the contact must be today or in the past"
    ]
    assert not Contact.objects.exists()


def test_without_a_live_case_the_form_says_why(cast, person):
    response = signed_in(cast.caseworker).get(reverse("contacts:create", args=[person.pk]))
    assert response.status_code == 403
    assert "Open a case first" in response.content.decode()


def test_sensitive_notes_stay_with_the_recording_organisation(cast, person):
    lead_case = open_case(cast.caseworker, person)
    family_case = open_case(cast.family, person)
    contact(cast.caseworker, lead_case, note="Shared progress note")
    secret = contact(cast.caseworker, lead_case, note="Disclosed something private", sensitive=True)
    contact(cast.family, family_case, note="Family visit went well")
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.CASE_NOTES],
        kinds=[OrganisationKind.FAMILY_SUPPORT, OrganisationKind.LEAD_CHARITY],
    )
    url = reverse("contacts:person_list", args=[person.pk])
    family_page = signed_in(cast.family).get(url).content.decode()
    assert "Shared progress note" in family_page
    assert "Disclosed something private" not in family_page
    assert (
        signed_in(cast.family).get(reverse("contacts:detail", args=[secret.pk])).status_code == 404
    )
    lead_page = signed_in(cast.caseworker).get(url).content.decode()
    assert "Disclosed something private" in lead_page and "Family visit went well" in lead_page
    # Reading another organisation's notes is recorded.
    assert AuditEvent.objects.filter(
        user_id=cast.caseworker.user_id, action="read", category="case_notes", person_id=person.pk
    ).exists()


def test_a_mentor_sees_only_their_own_sensitive_notes(cast, person):
    case = open_case(cast.mentor, person, mentor=cast.mentor.user)
    contact(cast.mentor, case, note="Mentor own sensitive note", sensitive=True)
    other = contact(cast.mentor, case, note="Coordinator sensitive note", sensitive=True)
    other.recorded_by = cast.caseworker.user  # someone else in the mentor's organisation
    other.save()
    page = signed_in(cast.mentor).get(reverse("contacts:person_list", args=[person.pk]))
    body = page.content.decode()
    assert "Mentor own sensitive note" in body
    assert "Coordinator sensitive note" not in body


def test_the_list_filters_and_pages(cast, person):
    case = open_case(cast.caseworker, person)
    for day in range(30):
        contact(
            cast.caseworker,
            case,
            happened_at=timezone.now() - timedelta(days=day + 1),
            outcome="did_not_attend" if day % 3 == 0 else "attended",
        )
    client = signed_in(cast.caseworker)
    url = reverse("contacts:person_list", args=[person.pk])
    first = client.get(url)
    assert len(first.context["contacts"]) == 25 and first.context["page_obj"].paginator.count == 30
    missed = client.get(url, {"outcome": "did_not_attend"})
    assert missed.context["page_obj"].paginator.count == 10
    oldest = client.get(url, {"sort": "oldest"}).context["contacts"][0]
    assert oldest.happened_at < first.context["contacts"][0].happened_at


def test_family_support_shows_members_cases_and_respects_no_contact(cast, make_person):
    leaver = make_person(cast.family, cast.caseworker, given_name="Dean", family_name="Holt")
    child = make_person(cast.family, given_name="Mia", family_name="Holt")
    ex_partner = make_person(cast.family, given_name="Kira", family_name="Vance")
    make_household("Holt household", [leaver, child])
    make_relationship(leaver, child, "child", lives_with=True)
    make_relationship(leaver, ex_partner, "partner", contact_wishes=ContactWishes.NO_CONTACT)
    open_case(cast.family, child)
    open_case(cast.family, ex_partner)
    open_case(cast.caseworker, leaver)
    make_agreement(
        cast.partnership,
        owner=cast.family_charity,
        categories=[Category.FAMILY_CHILDREN, Category.CASE_NOTES],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    url = reverse("contacts:family_support", args=[leaver.pk])
    body = signed_in(cast.family).get(url).content.decode()
    assert "Mia Holt" in body and "Families Together Northshire" in body
    assert "No contact wanted" in body
    assert not re.search(r"\bKira\b", body)  # never used to show the other person
    # The lead charity has no family information about Dean: nothing of the family shows.
    lead = signed_in(cast.caseworker).get(url).content.decode()
    assert "not shared with your organisation" in lead and "Mia" not in lead


def test_family_support_hides_members_without_their_family_information(cast, make_person):
    leaver = make_person(cast.family, given_name="Dean", family_name="Holt")
    partner = make_person(cast.caseworker, given_name="Lou", family_name="Holt")  # not family's
    make_relationship(leaver, partner, "partner")
    make_agreement(
        cast.partnership,
        owner=cast.family_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    make_consent(
        leaver, categories=[Category.FAMILY_CHILDREN], kinds=[OrganisationKind.FAMILY_SUPPORT]
    )
    body = signed_in(cast.family).get(reverse("contacts:family_support", args=[leaver.pk]))
    text = body.content.decode()
    assert "Lou" not in text and "Not shared with your organisation" in text


def test_the_list_costs_the_same_queries_however_many_contacts(count_queries, cast, person):

    case = open_case(cast.caseworker, person)
    client = signed_in(cast.caseworker)
    url = reverse("contacts:person_list", args=[person.pk])

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    contact(cast.caseworker, case, note="one")
    few = queries()
    for _ in range(20):
        contact(cast.caseworker, case, note="more", pathways=["health"])
    assert queries() == few
