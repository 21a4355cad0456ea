"""Break-glass: who may open a restricted category, validation, the time limit, closing early,
the audit event, and who is told (in Resettle and by e-mail)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.models import BreakGlassAccess
from resettle.access.services import break_glass_close, break_glass_open
from resettle.accounts.models import OrganisationKind, Role
from resettle.accounts.tests.factories import make_membership, make_organisation, make_user
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.models import Notification
from resettle.partnerships.models import LawfulBasis, SharingAgreement

pytestmark = pytest.mark.django_db

REASON = "Police report of a threat to a child at the family's address tonight."


@pytest.fixture
def probation_lead(cast):
    """The probation unit's own safeguarding lead, who hears when its data is opened."""
    user = make_user(username="probation-lead", email="lead@probation.example")
    return make_membership(
        user=user, organisation=cast.probation_unit, role=Role.REFERRER, is_safeguarding_lead=True
    )


@pytest.fixture
def offence_agreement(cast):
    """Probation holds offence details under a statutory duty."""
    return SharingAgreement.objects.create(
        partnership=cast.partnership,
        owner=cast.probation_unit,
        title="Offender management",
        document_reference="ISA-1",
        purpose="Managing people on licence",
        lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
        categories=[Category.OFFENCE],
        recipient_kinds=[OrganisationKind.PROBATION],
        starts_on=date.today() - timedelta(days=30),
    )


@pytest.fixture
def person(cast, make_person, offence_agreement):
    return make_person(cast.safeguarding, cast.probation, given_name="Riley")


def open_offence(cast, person, **overrides):
    arguments = {
        "actor": cast.safeguarding,
        "person": person,
        "category": Category.OFFENCE,
        "reason": REASON,
        "hours": 4,
    } | overrides
    return break_glass_open(**arguments)


# Who may break glass ----------------------------------------------------------------------


def test_safeguarding_lead_opens_offence_and_then_sees_it(cast, person):
    assert not policy.can_view_category(cast.safeguarding, person, Category.OFFENCE)
    access = open_offence(cast, person)
    assert access.expires_at - access.opened_at == timedelta(hours=4)
    assert policy.can_view_category(cast.safeguarding, person, Category.OFFENCE)


def test_opening_shows_only_to_the_opener_not_their_colleagues(cast, person):
    open_offence(cast, person)
    assert not policy.can_view_category(cast.caseworker, person, Category.OFFENCE)


def test_caseworker_without_the_safeguarding_flag_may_not_break_glass(cast, person):
    with pytest.raises(PermissionDenied):
        open_offence(cast, person, actor=cast.caseworker)
    assert not BreakGlassAccess.objects.exists()


def test_caseworker_without_the_flag_is_refused_the_page(client_as, cast, person):
    url = reverse("access:break_glass", args=[person.pk])
    client = client_as(cast.caseworker)
    assert client.get(url).status_code == 403
    response = client.post(url, {"category": "offence", "reason": REASON, "hours": "4"})
    assert response.status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_lead_not_working_with_the_person_gets_not_found(client_as, cast, make_person):
    stranger = make_person(cast.housing, given_name="Sasha")
    response = client_as(cast.safeguarding).get(reverse("access:break_glass", args=[stranger.pk]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        open_offence(cast, stranger)


def test_signed_out_visitor_is_sent_to_sign_in(client, person):
    response = client.get(reverse("access:break_glass", args=[person.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_ended_lead_may_not_break_glass(cast, person):
    cast.safeguarding.ended_on = date.today()
    cast.safeguarding.save()
    with pytest.raises(PermissionDenied):
        open_offence(cast, person)


# Validation -------------------------------------------------------------------------------


def test_reason_too_short_saves_nothing(cast, person):
    with pytest.raises(ValidationError) as raised:
        open_offence(cast, person, reason="   worried   ")
    assert "reason" in raised.value.message_dict
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="break_glass").exists()


def test_reason_too_short_on_the_page_shows_the_error(client_as, cast, person):
    response = client_as(cast.safeguarding).post(
        reverse("access:break_glass", args=[person.pk]),
        {"category": "offence", "reason": "worried", "hours": "4"},
    )
    assert response.status_code == 200
    assert "Explain why, in at least 20 characters" in response.text
    assert "govuk-error-summary" in response.text
    assert not BreakGlassAccess.objects.exists()


def test_category_outside_the_restricted_list_is_refused(cast, person):
    with pytest.raises(ValidationError) as raised:
        open_offence(cast, person, category=Category.CONTACT)
    assert "category" in raised.value.message_dict
    assert not BreakGlassAccess.objects.exists()


def test_category_the_lead_already_sees_is_refused(cast, person):
    SharingAgreement.objects.create(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        title="Health",
        document_reference="ISA-2",
        purpose="Support",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.LEAD_CHARITY],
        starts_on=date.today() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as raised:
        open_offence(cast, person, category=Category.HEALTH)
    assert raised.value.message_dict["category"] == ["You can already see health"]
    assert not BreakGlassAccess.objects.exists()


def test_category_already_open_cannot_be_opened_twice(cast, person):
    open_offence(cast, person)
    with pytest.raises(ValidationError):
        open_offence(cast, person)
    assert BreakGlassAccess.objects.count() == 1


def test_the_page_offers_only_categories_the_lead_does_not_see(client_as, cast, person):
    open_offence(cast, person)
    response = client_as(cast.safeguarding).get(reverse("access:break_glass", args=[person.pk]))
    offered = [value for value, _ in response.context["form"].fields["category"].choices]
    assert "offence" not in offered
    assert "risk_suitability" in offered
    assert "contact" not in offered


def test_posting_a_category_not_offered_is_an_error(client_as, cast, person):
    response = client_as(cast.safeguarding).post(
        reverse("access:break_glass", args=[person.pk]),
        {"category": "contact", "reason": REASON, "hours": "4"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("hours", [0, 2, 73, 1000])
def test_time_limit_must_be_one_of_the_offered_ones(cast, person, hours):
    with pytest.raises(ValidationError) as raised:
        open_offence(cast, person, hours=hours)
    assert "hours" in raised.value.message_dict
    assert not BreakGlassAccess.objects.exists()


def test_the_longest_time_limit_is_72_hours(cast, person):
    access = open_offence(cast, person, hours=72)
    assert access.expires_at - access.opened_at == timedelta(hours=72)


# Time limit and closing -------------------------------------------------------------------


def test_access_ends_when_it_expires(cast, person):
    access = open_offence(cast, person)
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        opened_at=timezone.now() - timedelta(hours=5),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert not policy.can_view_category(cast.safeguarding, person, Category.OFFENCE)


def test_opener_closes_early_and_loses_access(client_as, cast, person):
    access = open_offence(cast, person)
    response = client_as(cast.safeguarding).post(
        reverse("access:break_glass_close", args=[person.pk, access.pk])
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.closed_at is not None
    assert not policy.can_view_category(cast.safeguarding, person, Category.OFFENCE)
    event = AuditEvent.objects.get(action="state_change", object_id=str(access.pk))
    assert event.category == "offence"


def test_someone_else_cannot_close_it(client_as, cast, person):
    access = open_offence(cast, person)
    other_lead = make_membership(
        organisation=cast.lead_charity, role=Role.CASEWORKER, is_safeguarding_lead=True
    )
    response = client_as(other_lead).post(
        reverse("access:break_glass_close", args=[person.pk, access.pk])
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        break_glass_close(actor=other_lead, access=access)
    access.refresh_from_db()
    assert access.closed_at is None


def test_closing_needs_a_post(client_as, cast, person):
    access = open_offence(cast, person)
    url = reverse("access:break_glass_close", args=[person.pk, access.pk])
    assert client_as(cast.safeguarding).get(url).status_code == 405


def test_an_expired_access_cannot_be_closed(cast, person):
    access = open_offence(cast, person)
    access.expires_at = timezone.now() - timedelta(seconds=1)
    access.opened_at = timezone.now() - timedelta(hours=1)
    access.save()
    with pytest.raises(ValidationError):
        break_glass_close(actor=cast.safeguarding, access=access)


# The page, the banner and the audit trail ---------------------------------------------------


def test_lead_opens_break_glass_through_the_page(client_as, cast, person):
    client = client_as(cast.safeguarding)
    page = client.get(reverse("access:break_glass", args=[person.pk]))
    assert page.status_code == 200
    assert "will be told at once" in page.text
    response = client.post(
        reverse("access:break_glass", args=[person.pk]),
        {"category": "offence", "reason": REASON, "hours": "24"},
    )
    assert response.status_code == 302
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.organisation) == (cast.safeguarding.user, cast.lead_charity)
    assert access.expires_at - access.opened_at == timedelta(hours=24)


def test_person_page_shows_the_red_banner_while_open(client_as, cast, person):
    open_offence(cast, person)
    text = client_as(cast.safeguarding).get(reverse("people:detail", args=[person.pk])).text
    assert "moj-alert--error" in text
    assert "You have broken glass to see offence and sentence until" in text
    assert f"Reason: {REASON}" in text.replace("&#x27;", "'")


def test_banner_goes_once_the_access_has_expired(client_as, cast, person):
    access = open_offence(cast, person)
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        opened_at=timezone.now() - timedelta(hours=5),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    text = client_as(cast.safeguarding).get(reverse("people:detail", args=[person.pk])).text
    assert "You have broken glass" not in text


def test_break_glass_button_shows_only_for_a_safeguarding_lead(client_as, cast, person):
    button = reverse("access:break_glass", args=[person.pk])
    detail = reverse("people:detail", args=[person.pk])
    assert button in client_as(cast.safeguarding).get(detail).text
    assert button not in client_as(cast.caseworker).get(detail).text


def test_opening_is_audited_with_the_reason(cast, person):
    access = open_offence(cast, person)
    event = AuditEvent.objects.get(action="break_glass")
    assert event.object_id == str(access.pk)
    assert event.person_id == person.pk
    assert event.category == "offence"
    assert event.reason == REASON
    assert event.user_id == cast.safeguarding.user_id
    assert event.organisation_id == cast.lead_charity.pk


# Who is told ---------------------------------------------------------------------------


def test_the_organisation_holding_the_data_is_told_in_app_and_by_email(
    cast, person, probation_lead, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    notification = Notification.objects.get(recipient=probation_lead.user)
    assert notification.organisation == cast.probation_unit
    assert "Riley Example" in notification.subject
    assert REASON in notification.body
    assert notification.link == reverse("people:detail", args=[person.pk])
    assert [m.to for m in mailoutbox] == [["lead@probation.example"]]
    # E-mail is not a secure channel: it names no one and says nothing of the reason.
    assert "Riley" not in mailoutbox[0].body
    assert REASON not in mailoutbox[0].body


def test_organisations_that_do_not_hold_the_data_are_not_told(
    cast, person, probation_lead, django_capture_on_commit_callbacks
):
    family_lead = make_membership(
        organisation=cast.family_charity, role=Role.CASEWORKER, is_safeguarding_lead=True
    )
    from resettle.people.models import WorkingRelationship

    WorkingRelationship.objects.create(
        person=person, organisation=cast.family_charity, started_on=date.today()
    )
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    assert Notification.objects.filter(recipient=probation_lead.user).exists()
    assert not Notification.objects.filter(recipient=family_lead.user).exists()


def test_the_opener_and_their_colleagues_are_not_told_when_another_organisation_is(
    cast, person, probation_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "probation-lead"
    }


def test_without_a_lead_or_admin_every_case_level_member_is_told(
    cast, person, django_capture_on_commit_callbacks
):
    # The probation unit has no safeguarding lead or admin: its referrer hears instead.
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    notification = Notification.objects.get(recipient=cast.probation.user)
    assert "Riley Example" in notification.subject


def test_when_no_other_organisation_holds_it_those_working_with_the_person_are_told(
    cast, make_person, django_capture_on_commit_callbacks
):
    person = make_person(cast.safeguarding, cast.housing, given_name="Riley")
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    assert Notification.objects.get().recipient == cast.housing.user


def test_when_nobody_else_works_with_the_person_the_openers_admin_is_told_without_the_name(
    cast, make_person, django_capture_on_commit_callbacks
):
    person = make_person(cast.safeguarding, given_name="Riley")
    with django_capture_on_commit_callbacks(execute=True):
        open_offence(cast, person)
    notification = Notification.objects.get()
    assert notification.recipient == cast.admin.user
    # An admin sees no one's record, so they are told of "a person" and sent to the report.
    assert "Riley" not in notification.subject + notification.body
    assert notification.link == reverse("access:break_glass_report")


def test_nothing_is_told_if_the_opening_is_rolled_back(
    cast, person, probation_lead, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        open_offence(cast, person, reason="short")
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_outside_organisation_with_a_lead_cannot_break_glass(cast, person):
    outsider_org = make_organisation(name="Far Away Trust")
    outsider_lead = make_membership(
        organisation=outsider_org, role=Role.CASEWORKER, is_safeguarding_lead=True
    )
    with pytest.raises(PermissionDenied):
        open_offence(cast, person, actor=outsider_lead)


def test_the_page_has_a_red_button_and_an_empty_post_lists_every_question(client_as, cast, person):
    client = client_as(cast.safeguarding)
    url = reverse("access:break_glass", args=[person.pk])
    assert ">Break glass and open the record</button>" in client.get(url).text
    assert "govuk-button--warning" in client.get(url).text
    response = client.post(url, {})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    for message in ("Choose what you need to see", "Explain why you need to see it"):
        assert message in response.text
    assert not BreakGlassAccess.objects.exists()
