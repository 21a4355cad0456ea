import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.audit.models import AuditEvent
from resettle.referrals import services
from resettle.referrals.models import ReferralState
from resettle.referrals.tests.conftest import NAMES, refer

pytestmark = pytest.mark.django_db


def test_the_receiver_sees_identity_and_suitability_not_names(client, cast, submitted):
    client.force_login(cast.coordinator.user)
    response = client.get(reverse("referrals:detail", args=[submitted.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sam Okafor" in body and "2 April 1990" in body
    assert "The town centre of Millbrook" in body
    assert "Restriction applies" in body and NAMES not in body
    # Contact details were not among what the person agreed to share.
    assert "07700 900123" not in body
    # No link to a record it cannot open yet.
    assert str(submitted.person.pk) not in body
    assert AuditEvent.objects.filter(
        action="read",
        person_id=submitted.person.pk,
        category=Category.RISK_SUITABILITY,
        user_id=cast.coordinator.user.pk,
    ).exists()


def test_without_the_category_the_answers_stay_hidden(client, cast, person, session):
    referral = refer(cast.probation, person, session, shared_categories=[])
    client.force_login(cast.coordinator.user)
    body = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "not shared with your organisation" in body
    assert "The town centre of Millbrook" not in body


def test_another_organisation_gets_a_404(client, cast, submitted):
    client.force_login(cast.housing.user)
    assert client.get(reverse("referrals:detail", args=[submitted.pk])).status_code == 404


def test_accepting_through_the_page(client, cast, submitted):
    client.force_login(cast.coordinator.user)
    url = reverse("referrals:accept", args=[submitted.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": submitted.version, "note": "See you Tuesday"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.ACCEPTED
    client.force_login(cast.probation.user)
    body = client.get(reverse("referrals:detail", args=[submitted.pk])).content.decode()
    assert "Accepted" in body and "See you Tuesday" in body


def test_a_stale_form_is_a_409_showing_the_new_state(client, cast, submitted):
    shown = submitted.version
    services.referral_withdraw(actor=cast.probation, referral=submitted, reason="Moved away")
    client.force_login(cast.coordinator.user)
    response = client.post(
        reverse("referrals:decline", args=[submitted.pk]),
        {"version": shown, "reason": "person_declined"},
    )
    assert response.status_code == 409
    assert "Withdrawn" in response.content.decode()


def test_ending_a_referral_asks_with_the_red_warning_button(client, cast, submitted):
    client.force_login(cast.coordinator.user)
    decline = client.get(reverse("referrals:decline", args=[submitted.pk])).content.decode()
    accept = client.get(reverse("referrals:accept", args=[submitted.pk])).content.decode()
    assert 'class="govuk-button govuk-button--warning"' in decline
    assert ">Decline referral</button>" in decline
    assert "govuk-button--warning" not in accept


def test_the_referrer_cannot_decide_and_the_receiver_cannot_withdraw(client, cast, submitted):
    client.force_login(cast.probation.user)
    assert client.post(reverse("referrals:accept", args=[submitted.pk])).status_code == 403
    client.force_login(cast.coordinator.user)
    assert client.post(reverse("referrals:withdraw", args=[submitted.pk])).status_code == 403


def test_referring_through_the_pages_with_an_override(client, cast, person, session):
    session.minimum_age = 60
    session.save()
    client.force_login(cast.probation.user)
    url = reverse("referrals:create", args=[person.pk])
    assert "Tuesday referral football" in client.get(url).content.decode()
    step_two = f"{url}?service={session.pk}"
    page = client.get(step_two).content.decode()
    assert "does not meet this service" in page
    data = {"reason": "Keen", "pathway": "sport", "urgency": "soon"}
    refused = client.post(step_two, data)
    assert refused.status_code == 200
    assert "Enter why you are referring them" in refused.content.decode()
    done = client.post(step_two, data | {"eligibility_override_reason": "Coach agreed"})
    assert done.status_code == 302
    referral = person.referrals.get()
    assert referral.state == ReferralState.SUBMITTED
    assert referral.eligibility_override_reason == "Coach agreed"


def test_a_referral_saved_as_a_draft_is_not_sent(client, cast, person, session):
    client.force_login(cast.probation.user)
    url = reverse("referrals:create", args=[person.pk]) + f"?service={session.pk}"
    assert 'name="draft" value="1"' in client.get(url).content.decode()
    data = {"reason": "Keen", "pathway": "sport", "urgency": "soon", "draft": "1"}
    assert client.post(url, data).status_code == 302
    assert person.referrals.get().state == ReferralState.DRAFT


def test_an_onward_referral_keeps_its_origin_through_choosing_the_service(
    client, cast, person, session, submitted
):
    client.force_login(cast.probation.user)
    url = reverse("referrals:create", args=[person.pk])
    chooser = client.get(url, {"parent": submitted.pk}).content.decode()
    assert f'type="hidden" name="parent" value="{submitted.pk}"' in chooser
    unchosen = client.get(url, {"choose": "1", "parent": submitted.pk})
    assert unchosen.status_code == 200 and "Choose a service" in unchosen.content.decode()
    step_two = f"{url}?choose=1&parent={submitted.pk}&service={session.pk}"
    assert "An onward referral from" in client.get(step_two).content.decode()


def test_the_dashboards_filter_and_count(
    count_queries, client, cast, make_person, submitted, session
):
    for i in range(3):
        other = make_person(cast.probation, given_name=f"Pat{i}", family_name="Dash")
        refer(cast.probation, other, session, shared_categories=[], urgency="urgent")
    client.force_login(cast.coordinator.user)
    url = reverse("referrals:received")
    client.get(url)  # the first request after signing in saves the session
    with count_queries() as few:
        client.get(url)
    for i in range(3, 8):
        other = make_person(cast.probation, given_name=f"Pat{i}", family_name="Dash")
        refer(cast.probation, other, session, shared_categories=[])
    with count_queries() as many:
        response = client.get(url, {"state": "submitted", "sort": "person"})
    assert len(many) == len(few)
    body = response.content.decode()
    assert "9 referrals" in body
    client.force_login(cast.probation.user)
    sent = client.get(reverse("referrals:sent"), {"mine": "on"}).content.decode()
    assert "9 referrals" in sent
    client.force_login(cast.housing.user)
    assert "0 referrals" in client.get(url).content.decode()
    client.force_login(cast.manager.user)
    assert client.get(url).status_code == 403


def test_waiting_list_is_for_the_service_organisation(client, cast, submitted, session):
    services.referral_waitlist(actor=cast.coordinator, referral=submitted)
    url = reverse("referrals:service_waiting_list", args=[session.pk])
    client.force_login(cast.coordinator.user)
    assert "Sam Okafor" in client.get(url).content.decode()
    client.force_login(cast.probation.user)
    assert client.get(url).status_code == 403


def test_a_persons_referrals_and_signposting(client, cast, submitted):
    person = submitted.person
    client.force_login(cast.probation.user)
    url = reverse("referrals:signpost", args=[person.pk])
    response = client.post(
        url,
        {
            "service_name": "Millbrook food bank",
            "pathway": "finance_benefit_id",
            "signposted_on_day": "1",
            "signposted_on_month": "1",
            "signposted_on_year": "2025",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("referrals:person", args=[person.pk])).content.decode()
    assert "Tuesday referral football" in body and "Millbrook food bank" in body
    signposting = person.signpostings.get()
    follow = reverse("referrals:follow_up", args=[person.pk, signposting.pk])
    assert client.post(follow, {"follow_up": "went"}).status_code == 302
    signposting.refresh_from_db()
    assert signposting.follow_up == "went"


def test_a_draft_can_be_changed_until_it_is_sent(client, cast, person, session):
    draft = refer(cast.probation, person, session, submit=False)
    client.force_login(cast.probation.user)
    url = reverse("referrals:edit", args=[draft.pk])
    assert client.get(url).status_code == 200
    data = {
        "version": draft.version,
        "reason": "Now urgent",
        "pathway": "sport",
        "urgency": "urgent",
    }
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.reason, draft.urgency, draft.version) == ("Now urgent", "urgent", 2)
    assert client.post(url, data).status_code == 409  # the version it showed is stale now
    services.referral_submit(actor=cast.probation, referral=draft)
    assert client.get(url).status_code == 302


def test_the_referral_can_rest_on_a_recorded_consent(client, cast, person, session):
    from resettle.people.tests.sharing import make_consent

    consent = make_consent(person, categories=["risk_suitability"], kinds=["sport_trust"])
    client.force_login(cast.probation.user)
    url = reverse("referrals:create", args=[person.pk]) + f"?service={session.pk}"
    page = client.get(url).content.decode()
    assert "None of these" in page
    data = {"reason": "r", "pathway": "sport", "urgency": "routine"}
    wider = client.post(url, data | {"consent": str(consent.pk), "shared_categories": "health"})
    assert "does not cover all the information" in wider.content.decode()
    done = client.post(
        url, data | {"consent": str(consent.pk), "shared_categories": "risk_suitability"}
    )
    assert done.status_code == 302
    assert person.referrals.get().consent == consent
