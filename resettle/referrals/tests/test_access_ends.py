"""Access ends when the work ends: withdrawing, declining, completing or closing a referral ends
the working relationship with the receiving organisation unless something else still holds it (a
live case, another referral it accepted, a mentor allocation); accepting again opens one. An
agreement's follow-up window keeps identity and contact details readable for a while after, and
no more."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from resettle.access import policy
from resettle.access.categories import Category
from resettle.audit.models import AuditEvent
from resettle.cases import services as cases
from resettle.directory.models import Access, Service
from resettle.people.models import WorkingRelationship
from resettle.referrals import services
from resettle.referrals.models import DeclineReason, Referral
from resettle.referrals.tests.conftest import refer
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _accepted(cast, referral: Referral) -> Referral:
    return services.referral_accept(actor=cast.coordinator, referral=referral)


def _open_relationship(cast, person) -> WorkingRelationship | None:
    return WorkingRelationship.objects.filter(
        person=person, organisation=cast.football_trust, ended_on__isnull=True
    ).first()


def _reads_person(actor, person) -> tuple[int, int]:
    """(API status, person page status) for the actor reading the person."""
    api = ApiClient(Client(), token_for(actor.user))
    page = Client()
    page.force_login(actor.user)
    return (
        api.get(f"/api/v1/people/{person.pk}").status_code,
        page.get(reverse("people:detail", args=[person.pk])).status_code,
    )


def test_a_withdrawn_referral_closes_the_person_to_the_trust_that_accepted_it(cast, submitted):
    person = submitted.person
    accepted = _accepted(cast, submitted)
    assert _reads_person(cast.coordinator, person) == (200, 200)
    services.referral_withdraw(actor=cast.probation, referral=accepted, reason="Moved away")
    assert _reads_person(cast.coordinator, person) == (404, 404)
    assert _open_relationship(cast, person) is None
    ended = WorkingRelationship.objects.get(person=person, organisation=cast.football_trust)
    assert ended.ended_on == date.today()
    assert AuditEvent.objects.filter(
        object_type="working_relationship", object_id=str(ended.pk), reason__contains="withdrawn"
    ).exists()
    # The referrer's own work with the person goes on, and the trust still sees the referral.
    assert policy.can_view_person(cast.probation, person)
    assert policy.referrals_visible_to(cast.coordinator).filter(pk=accepted.pk).exists()


def test_closing_a_referral_closes_the_person_to_the_receiver(cast, submitted):
    accepted = _accepted(cast, submitted)
    services.referral_close(actor=cast.coordinator, referral=accepted, reason="No answer")
    assert _reads_person(cast.coordinator, submitted.person) == (404, 404)


def _completed(cast, referral: Referral) -> Referral:
    started = services.referral_start(actor=cast.coordinator, referral=_accepted(cast, referral))
    return services.referral_complete(
        actor=cast.coordinator, referral=started, outcome="Came every week; now plays for a club"
    )


def test_completing_a_referral_closes_the_person_to_the_receiver(cast, submitted):
    person = submitted.person
    completed = _completed(cast, submitted)
    assert _reads_person(cast.coordinator, person) == (404, 404)
    ended = WorkingRelationship.objects.get(person=person, organisation=cast.football_trust)
    assert ended.ended_on == date.today()
    assert AuditEvent.objects.filter(
        object_type="working_relationship", object_id=str(ended.pk), reason__contains="completed"
    ).exists()
    # The trust keeps the referral it received, with its outcome; the referrer's work goes on.
    assert policy.referrals_visible_to(cast.coordinator).filter(pk=completed.pk).exists()
    assert policy.can_view_person(cast.probation, person)


def test_completing_leaves_the_work_a_case_holds(cast, submitted):
    person = submitted.person
    accepted = _accepted(cast, submitted)
    cases.case_open(actor=cast.coordinator, person=person, opened_on=date.today())
    started = services.referral_start(actor=cast.coordinator, referral=accepted)
    services.referral_complete(actor=cast.coordinator, referral=started, outcome="Done")
    assert _open_relationship(cast, person) is not None
    assert _reads_person(cast.coordinator, person) == (200, 200)


def test_completing_leaves_the_work_another_live_referral_holds(cast, submitted, session):
    person = submitted.person
    other_session = Service.objects.create(
        organisation=cast.football_trust,
        name="Saturday five-a-side",
        description="Football.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
    )
    _accepted(cast, refer(cast.probation, person, other_session))
    _completed(cast, submitted)
    assert _open_relationship(cast, person) is not None
    assert policy.can_view_person(cast.coordinator, person)


def test_a_completed_referral_leaves_identity_and_contact_for_the_follow_up_window(
    cast, submitted, agreement
):
    agreement.follow_up_days = 30
    agreement.save()
    person = submitted.person
    _completed(cast, submitted)
    assert policy.categories_visible(cast.coordinator, person) == {
        Category.IDENTITY,
        Category.CONTACT,
    }
    with time_machine.travel(date.today() + timedelta(days=30)):
        assert _reads_person(cast.coordinator, person) == (404, 404)


def test_declining_ends_the_receivers_work_that_nothing_else_holds(cast, make_person, session):
    """The trust had been working with the person (nothing holds it: no case, no referral it
    accepted); declining a referral of them is the end of that work."""
    person = make_person(cast.probation, cast.coordinator)
    referral = refer(cast.probation, person, session)
    services.referral_decline(
        actor=cast.coordinator, referral=referral, reason=DeclineReason.PERSON_DECLINED
    )
    assert _open_relationship(cast, person) is None
    assert not policy.can_view_person(cast.coordinator, person)


def test_declining_leaves_the_work_a_case_holds(cast, make_person, session):
    person = make_person(cast.probation, cast.coordinator)
    cases.case_open(actor=cast.coordinator, person=person, opened_on=date.today())
    referral = refer(cast.probation, person, session)
    services.referral_decline(
        actor=cast.coordinator, referral=referral, reason=DeclineReason.PERSON_DECLINED
    )
    assert _open_relationship(cast, person) is not None
    assert policy.can_view_person(cast.coordinator, person)


def test_a_case_keeps_the_person_open_after_the_referral_ends_and_closing_it_ends_that(
    cast, submitted
):
    person = submitted.person
    accepted = _accepted(cast, submitted)
    case = cases.case_open(actor=cast.coordinator, person=person, opened_on=date.today())
    services.referral_withdraw(actor=cast.probation, referral=accepted, reason="Moved away")
    assert _reads_person(cast.coordinator, person) == (200, 200)
    cases.case_close(
        actor=cast.coordinator, case=case, closed_on=date.today(), close_reason="other"
    )
    assert _reads_person(cast.coordinator, person) == (404, 404)


def test_another_accepted_referral_keeps_the_person_open(cast, submitted, session):
    person = submitted.person
    other_session = Service.objects.create(
        organisation=cast.football_trust,
        name="Thursday walking football",
        description="Gentle football.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
    )
    first = _accepted(cast, submitted)
    _accepted(cast, refer(cast.probation, person, other_session))
    services.referral_withdraw(actor=cast.probation, referral=first, reason="Changed their mind")
    assert policy.can_view_person(cast.coordinator, person)
    assert _open_relationship(cast, person) is not None


def test_accepting_again_opens_the_person_again(cast, submitted, session):
    person = submitted.person
    services.referral_withdraw(
        actor=cast.probation, referral=_accepted(cast, submitted), reason="Recalled"
    )
    assert not policy.can_view_person(cast.coordinator, person)
    _accepted(cast, refer(cast.probation, person, session))
    assert _reads_person(cast.coordinator, person) == (200, 200)
    assert (
        WorkingRelationship.objects.filter(person=person, organisation=cast.football_trust).count()
        == 2
    )


def test_a_follow_up_window_keeps_identity_and_contact_details_only(cast, submitted, agreement):
    """The agreement shares risk and contact details with sport trusts and gives 30 days of
    follow-up: in them the trust reads the person's name and phone, not their suitability."""
    agreement.follow_up_days = 30
    agreement.save()
    person = submitted.person
    accepted = _accepted(cast, submitted)
    assert Category.RISK_SUITABILITY in policy.categories_visible(cast.coordinator, person)
    services.referral_withdraw(actor=cast.probation, referral=accepted, reason="Moved away")
    api = ApiClient(Client(), token_for(cast.coordinator.user))
    response = api.get(f"/api/v1/people/{person.pk}")
    assert response.status_code == 200
    assert response.json()["phone"] == "07700 900123"
    assert policy.categories_visible(cast.coordinator, person) == {
        Category.IDENTITY,
        Category.CONTACT,
    }
    assert not policy.people_with_category(cast.coordinator, Category.RISK_SUITABILITY).filter(
        pk=person.pk
    )
    assert policy.people_with_category(cast.coordinator, Category.CONTACT).filter(pk=person.pk)


def test_an_expired_follow_up_window_closes_the_person(cast, submitted, agreement):
    agreement.follow_up_days = 30
    agreement.save()
    person = submitted.person
    services.referral_withdraw(
        actor=cast.probation, referral=_accepted(cast, submitted), reason="Moved away"
    )
    with time_machine.travel(date.today() + timedelta(days=29)):
        assert _reads_person(cast.coordinator, person) == (200, 200)
    with time_machine.travel(date.today() + timedelta(days=30)):
        assert _reads_person(cast.coordinator, person) == (404, 404)
