"""The referral journey in a real browser: a probation referrer refers someone to a
football trust's referral-only session; the trust's coordinator sees the referral with the
suitability answers (never offences, never the names to avoid), accepts it, and the referrer
sees the decision. Every page is checked with axe."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.directory.models import Access, Service
from resettle.people.tests.sharing import make_agreement
from resettle.referrals.models import Referral, ReferralState
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.e2e
NAMES = "Alex Rivers"


@pytest.fixture
def setting(cast, make_person):
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.RISK_SUITABILITY],
        kinds=[OrganisationKind.PROBATION, OrganisationKind.SPORT_TRUST],
    )
    session = Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
        capacity=12,
    )
    person = make_person(
        cast.probation, given_name="Sam", family_name="Okafor", date_of_birth=date(1990, 4, 2)
    )
    record(cast.probation, person, named_contact_restriction="yes", named_people_to_avoid=NAMES)
    return person, session


def sign_out(page) -> None:
    page.click(page.get_by_role("button", name="Sign out"), "signed-out")


def test_refer_accept_and_see_the_decision(page, sign_in, cast, setting):
    person, _session = setting
    sign_in("probation", cast.password)
    page.goto(reverse("referrals:person", args=[person.pk]), "person-referrals-empty")
    page.click(page.get_by_role("button", name="Refer to a service"), "choose-service")
    page.click(page.get_by_role("button", name="Continue"), "choose-service-error")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a service")
    page.get_by_label(re.compile("Tuesday referral football")).check()
    page.click(page.get_by_role("button", name="Continue"), "referral-form")

    page.click(page.get_by_role("button", name="Send referral"), "referral-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are referring")
    page.get_by_label("Why are you referring them?").fill("Played before prison; wants a team.")
    page.get_by_label("Soon (within 2 weeks)").check()
    page.get_by_label("Risk and suitability").check()
    page.click(page.get_by_role("button", name="Send referral"), "referral-sent")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Referral sent")
    referral = Referral.objects.get()
    assert referral.state == ReferralState.SUBMITTED
    sign_out(page)

    sign_in("coordinator", cast.password)
    page.goto(reverse("referrals:received"), "received")
    page.click(page.get_by_role("link", name=re.compile("Sam Okafor")), "received-detail")
    main = page.locator("main")
    expect(main).to_contain_text("2 April 1990")
    expect(main).to_contain_text("May attend group sessions where under-18s are present")
    expect(main).to_contain_text("Restriction applies")
    expect(main).not_to_contain_text("Rivers")
    page.click(page.get_by_role("button", name="Accept"), "accept")
    page.click(page.get_by_role("button", name="Accept referral"), "accepted")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("accepted")
    sign_out(page)

    sign_in("probation", cast.password)
    page.goto(reverse("referrals:sent"), "sent")
    expect(page.locator("main")).to_contain_text("Accepted")
    page.goto(reverse("notifications:list"), "notifications")
    expect(page.locator("main")).to_contain_text("Your referral to Tuesday referral football")


def test_on_a_phone_the_dashboard_and_referral_read_well(phone_page, cast, setting):
    person, session = setting
    from resettle.referrals.tests.conftest import refer

    referral = refer(cast.probation, person, session)
    page = phone_page
    page.goto(reverse("accounts:login"), "phone-sign-in")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password", exact=True).fill(cast.password)
    page.click(page.get_by_role("button", name="Sign in"), "phone-signed-in")
    page.goto(reverse("referrals:received"), "phone-received")
    page.goto(reverse("referrals:decline", args=[referral.pk]), "phone-decline")
    page.click(page.get_by_role("button", name="Decline referral"), "phone-decline-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose why you are declining")


def test_waiting_list_a_changed_referral_and_signposting(page, sign_in, cast, setting):
    person, session = setting
    from resettle.referrals import services
    from resettle.referrals.tests.conftest import refer

    referral = services.referral_waitlist(
        actor=cast.coordinator, referral=refer(cast.probation, person, session)
    )
    sign_in("coordinator", cast.password)
    page.goto(reverse("referrals:service_waiting_list", args=[session.pk]), "waiting-list")
    expect(page.locator("main")).to_contain_text("Sam Okafor")
    page.goto(reverse("referrals:close", args=[referral.pk]), "close")
    # Meanwhile the referrer withdraws it: closing now is refused with the new state.
    services.referral_withdraw(actor=cast.probation, referral=referral, reason="Moved away")
    page.get_by_label("What was tried to engage the person?").fill("Three calls")
    page.click(page.get_by_role("button", name="Close referral"), "changed-meanwhile")
    expect(page.locator("main")).to_contain_text("Withdrawn")
    sign_out(page)

    sign_in("probation", cast.password)
    page.goto(reverse("referrals:person", args=[person.pk]), "person-referrals")
    page.click(page.get_by_role("button", name="Record signposting"), "signpost")
    page.get_by_label("Or the name of the service").fill("Millbrook food bank")
    page.get_by_label("Pathway").select_option("finance_benefit_id")
    group = page.get_by_role("group", name=re.compile("When to check"))
    today = date.today()
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.click(page.get_by_role("button", name="Save signposting"), "signposted")
    page.goto(reverse("referrals:sent"), "sent-follow-ups")
    page.click(page.get_by_role("link", name=re.compile("Did Sam Okafor go")), "follow-up")
    page.get_by_label("Yes, they went").check()
    page.click(page.get_by_role("button", name="Save follow-up"), "followed-up")
    expect(page.locator("main")).to_contain_text("Yes, they went")
