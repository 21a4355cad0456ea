from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.mentoring.models import MenteePreferences, MentorAllocation, MentorProfile
from resettle.mentoring.services import mentor_allocate
from resettle.mentoring.tests.conftest import make_mentor
from resettle.mentoring.tests.test_services import assess

pytestmark = pytest.mark.django_db


def test_the_matching_page_ranks_mentors_with_reasons(client, cast, staff, mentor_profile, mentee):
    make_mentor(cast, "Faraway", area="Eastgate")
    make_mentor(cast, "Lapsed", dbs_expires_on=date.today() - timedelta(days=3))
    MenteePreferences.objects.create(
        person=mentee,
        organisation=cast.mentoring_charity,
        area="Millbrook",
        interests=["football"],
        lived_experience=["custody"],
    )
    client.force_login(staff["caseworker"].user)
    response = client.get(reverse("mentoring:match", args=[mentee.pk]))
    assert response.status_code == 200
    available = response.context["available"]
    assert available[0].profile == mentor_profile
    assert "Shares an interest in football" in available[0].reasons
    assert [m.profile.user.first_name for m in response.context["need_override"]] == ["Lapsed"]
    body = response.content.decode()
    assert "Works in Millbrook" in body and "The DBS check expired" in body
    assert "No suitability assessment has been recorded" in body


def test_the_matching_page_explains_a_one_to_one_restriction(client, cast, staff, mentee):
    assess(mentee, cast.probation, one_to_one_sessions="no")
    client.force_login(staff["caseworker"].user)
    response = client.get(reverse("mentoring:match", args=[mentee.pk]))
    assert "Restriction applies" in response.content.decode()
    assert response.context["available"] == []


def test_allocating_through_the_pages(client, cast, staff, mentor_profile, mentee):
    client.force_login(staff["caseworker"].user)
    url = reverse("mentoring:allocate", args=[mentee.pk])
    confirm = client.get(url, {"mentor": mentor_profile.pk})
    assert confirm.status_code == 200
    assert "Allocate" in confirm.content.decode()
    done = client.post(url, {"mentor": mentor_profile.pk})
    assert done.status_code == 302
    assert MentorAllocation.objects.get().mentor == mentor_profile
    # Allocating again goes back to the matching page, which offers reallocation.
    assert client.get(url, {"mentor": mentor_profile.pk}).status_code == 302


def test_a_caseworker_cannot_pick_a_full_mentor_and_a_coordinator_must_give_a_reason(
    client, cast, staff, mentee
):
    lapsed = make_mentor(cast, "Lapsed", dbs_expires_on=date.today() - timedelta(days=3))
    url = reverse("mentoring:allocate", args=[mentee.pk])
    client.force_login(staff["caseworker"].user)
    refused = client.post(url, {"mentor": lapsed.pk})
    assert "Choose another mentor, or ask a coordinator" in refused.content.decode()
    client.force_login(staff["coordinator"].user)
    asked = client.post(url, {"mentor": lapsed.pk, "override_reason": ""})
    assert "Enter why you are allocating them anyway" in asked.content.decode()
    client.post(url, {"mentor": lapsed.pk, "override_reason": "Renewal in progress"})
    assert MentorAllocation.objects.get().override_reason == "Renewal in progress"


def test_person_mentoring_pages_refuse_those_who_cannot_allocate(client, cast, mentee, make_person):
    seen_by_mentor = make_person(cast.mentor)
    client.force_login(cast.mentor.user)
    assert client.get(reverse("mentoring:match", args=[seen_by_mentor.pk])).status_code == 403
    assert client.get(reverse("mentoring:match", args=[mentee.pk])).status_code == 404
    client.force_login(cast.probation.user)
    assert client.get(reverse("mentoring:person", args=[mentee.pk])).status_code == 404


def test_preferences_are_saved_from_the_form(client, cast, staff, mentee):
    client.force_login(staff["caseworker"].user)
    response = client.post(
        reverse("mentoring:preferences", args=[mentee.pk]),
        {
            "preferred_gender": "woman",
            "lived_experience": ["custody", "recall"],
            "area": "Millbrook",
            "languages": "English, Polish, English",
            "interests": "football",
            "notes": "",
        },
    )
    assert response.status_code == 302
    saved = MenteePreferences.objects.get(person=mentee)
    assert saved.languages == ["English", "Polish"] and saved.preferred_gender == "woman"


def test_mentor_profiles_are_created_listed_and_changed_by_managers(client, cast, staff):
    client.force_login(staff["caseworker"].user)
    create = reverse("mentoring:mentor_create")
    errors = client.post(create, {"user": str(cast.mentor.user.pk), "capacity": "0"})
    assert "How many mentees must be 1 or more" in errors.content.decode()
    client.post(
        create,
        {
            "user": str(cast.mentor.user.pk),
            "capacity": "3",
            "gender": "none",
            "interests": "football",
            "dbs_checked_on_day": "1",
            "dbs_checked_on_month": "1",
            "dbs_checked_on_year": str(date.today().year - 1),
            "dbs_expires_on_day": "1",
            "dbs_expires_on_month": "1",
            "dbs_expires_on_year": str(date.today().year + 2),
            "active": "true",
        },
    )
    profile = MentorProfile.objects.get(user=cast.mentor.user)
    assert profile.interests == ["football"] and profile.gender == ""
    listed = client.get(reverse("mentoring:mentor_list"), {"status": "active"})
    assert list(listed.context["profiles"]) == [profile]
    assert client.get(reverse("mentoring:mentor_edit", args=[profile.pk])).status_code == 200
    client.force_login(cast.mentor.user)
    assert client.get(reverse("mentoring:mentor_detail", args=[profile.pk])).status_code == 200
    assert client.get(reverse("mentoring:mentor_edit", args=[profile.pk])).status_code == 403
    assert client.get(reverse("mentoring:supervision", args=[profile.pk])).status_code == 200
    client.force_login(cast.caseworker.user)
    assert client.get(reverse("mentoring:mentor_detail", args=[profile.pk])).status_code == 404
    client.force_login(cast.analyst.user)
    assert client.get(reverse("mentoring:mentor_list")).status_code == 403


def test_an_organisation_without_mentors_is_told_to_refer(client, cast, make_person):
    person = make_person(cast.caseworker)
    client.force_login(cast.caseworker.user)
    response = client.get(reverse("mentoring:match", args=[person.pk]))
    assert "has no peer mentors with a profile" in response.content.decode()


def test_ending_mentoring_asks_first_then_ends(client, cast, staff, mentor_profile, mentee):
    mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    client.force_login(staff["caseworker"].user)
    url = reverse("mentoring:end", args=[mentee.pk])
    assert "Are you sure" in client.get(url).content.decode()
    assert "Select why the mentoring is ending" in client.post(url, {}).content.decode()
    assert client.post(url, {"end_reason": "completed"}).status_code == 302
    assert MentorAllocation.objects.get().end_reason == "completed"
    page = client.get(reverse("mentoring:person", args=[mentee.pk])).content.decode()
    assert "Mentoring complete" in page


def test_reallocating_through_the_pages_keeps_the_history(
    client, cast, staff, mentor_profile, mentee
):
    mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    second = make_mentor(cast, "Second")
    client.force_login(staff["caseworker"].user)
    match = client.get(reverse("mentoring:match", args=[mentee.pk]))
    assert match.context["action"] == "mentoring:reallocate"
    assert mentor_profile not in [m.profile for m in match.context["available"]]
    url = reverse("mentoring:reallocate", args=[mentee.pk])
    assert "will end today" in client.get(url, {"mentor": second.pk}).content.decode()
    assert client.post(url, {"mentor": second.pk, "note": "Closer to home"}).status_code == 302
    page = client.get(reverse("mentoring:person", args=[mentee.pk])).content.decode()
    assert "Moved to another mentor: Closer to home" in page


def test_supervision_notes_are_written_by_managers_on_their_page(
    client, cast, staff, mentor_profile
):
    url = reverse("mentoring:supervision_create", args=[mentor_profile.pk])
    client.force_login(cast.mentor.user)
    assert client.get(url).status_code == 403
    client.force_login(staff["coordinator"].user)
    errors = client.post(url, {"note": ""})
    assert "Enter what was discussed and agreed" in errors.content.decode()
    today = date.today()
    done = client.post(
        url,
        {
            "held_on_day": today.day,
            "held_on_month": today.month,
            "held_on_year": today.year,
            "note": "Good month",
        },
    )
    assert done.status_code == 302
    client.force_login(cast.mentor.user)
    listed = client.get(reverse("mentoring:supervision", args=[mentor_profile.pk]))
    assert "Good month" in listed.content.decode()


def _queries(count_queries, client, url) -> int:
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_mentor_list_and_matching_page_cost_the_same_queries_for_more_mentors(
    count_queries, client, cast, staff, mentee
):
    client.force_login(staff["caseworker"].user)
    urls = [reverse("mentoring:mentor_list"), reverse("mentoring:match", args=[mentee.pk])]
    for n in range(3):
        make_mentor(cast, f"Few{n}", interests=["football"])
    few = [_queries(count_queries, client, url) for url in urls]
    for n in range(20):
        make_mentor(cast, f"Many{n}", interests=["football"])
    assert [_queries(count_queries, client, url) for url in urls] == few


def test_the_end_page_has_a_red_button_and_lists_what_to_fix(
    client, cast, staff, mentor_profile, mentee
):
    mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    client.force_login(staff["caseworker"].user)
    url = reverse("mentoring:end", args=[mentee.pk])
    page = client.get(url).content.decode()
    assert "govuk-button--warning" in page and ">End mentoring</button>" in page
    refused = client.post(url, {}).content.decode()
    assert "govuk-error-summary" in refused
    assert '<a href="#id_end_reason">Select why the mentoring is ending</a>' in refused


def test_a_mentor_with_problems_has_no_allocate_button_unless_the_user_can_override(
    client, cast, staff, mentee
):
    lapsed = make_mentor(cast, "Lapsed", dbs_expires_on=date.today() - timedelta(days=3))
    url = reverse("mentoring:allocate", args=[mentee.pk])
    client.force_login(staff["caseworker"].user)
    page = client.get(url, {"mentor": lapsed.pk}).content.decode()
    assert "Allocate mentor</button>" not in page
    assert ">Choose another mentor</a>" in page and ">Cancel</a>" not in page
    client.force_login(staff["coordinator"].user)
    page = client.get(url, {"mentor": lapsed.pk}).content.decode()
    assert ">Allocate mentor</button>" in page and ">Choose another mentor</a>" in page
    refused = client.post(url, {"mentor": lapsed.pk}).content.decode()
    assert "govuk-error-summary" in refused and 'name="mentor"' in refused
