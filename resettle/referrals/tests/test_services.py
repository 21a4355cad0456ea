from datetime import date

import pytest
from django.core.exceptions import ValidationError

from resettle.access import policy
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.models import Notification
from resettle.people.choices import ContactWishes
from resettle.people.models import Relationship, WorkingRelationship
from resettle.referrals import services
from resettle.referrals.models import (
    DeclineReason,
    FollowUp,
    ReferralState,
    ReferralTransition,
)
from resettle.referrals.selectors import waiting_position
from resettle.referrals.tests.conftest import refer

pytestmark = pytest.mark.django_db


def test_submitting_tells_the_receiving_organisation(cast, submitted):
    assert submitted.state == ReferralState.SUBMITTED
    assert submitted.submitted_at is not None
    assert Notification.objects.filter(recipient=cast.coordinator.user).exists()
    assert not Notification.objects.filter(recipient=cast.caseworker.user).exists()
    states = list(submitted.transitions.values_list("to_state", flat=True))
    assert states == [ReferralState.DRAFT, ReferralState.SUBMITTED]


def test_accepting_opens_the_record_and_tells_the_referrer(cast, submitted):
    person = submitted.person
    assert not policy.can_view_person(cast.coordinator, person)
    accepted = services.referral_accept(
        actor=cast.coordinator, referral=submitted, expected_version=submitted.version
    )
    assert accepted.state == ReferralState.ACCEPTED
    assert accepted.decided_at and accepted.first_response_at
    assert accepted.handled_by == cast.coordinator.user
    assert accepted.version == submitted.version + 1
    assert policy.can_view_person(cast.coordinator, person)
    relationship = WorkingRelationship.objects.get(person=person, organisation=cast.football_trust)
    assert relationship.started_on == date.today()
    assert Notification.objects.filter(
        recipient=cast.probation.user, subject__contains="accepted"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="working_relationship", object_id=str(relationship.pk)
    ).exists()
    assert (
        AuditEvent.objects.filter(
            object_type="referral", object_id=str(accepted.pk), action="state_change"
        ).count()
        == 2
    )


def test_it_refuses_illegal_transitions(cast, submitted):
    with pytest.raises(ApplicationError, match="cannot be completed"):
        services.referral_complete(actor=cast.coordinator, referral=submitted, outcome="Done")
    with pytest.raises(ApplicationError, match="cannot be started"):
        services.referral_start(actor=cast.coordinator, referral=submitted)
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.SUBMITTED


def test_acting_on_a_stale_version_is_refused_with_the_current_state(cast, submitted):
    shown = submitted.version
    services.referral_decline(
        actor=cast.coordinator, referral=submitted, reason=DeclineReason.PERSON_DECLINED
    )
    with pytest.raises(services.StaleReferral) as caught:
        services.referral_accept(actor=cast.coordinator, referral=submitted, expected_version=shown)
    assert caught.value.referral.state == ReferralState.DECLINED


def test_submitting_twice_changes_nothing(cast, person, session):
    draft = refer(cast.probation, person, session, submit=False)
    first = services.referral_submit(actor=cast.probation, referral=draft, expected_version=1)
    again = services.referral_submit(actor=cast.probation, referral=draft, expected_version=1)
    assert again.version == first.version
    assert ReferralTransition.objects.filter(referral=draft).count() == 2
    with pytest.raises(ApplicationError, match="already has a referral"):
        refer(cast.probation, person, session)


def test_only_the_sides_may_act_and_mentors_never(cast, make_person, submitted):
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=cast.probation, referral=submitted)
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(actor=cast.coordinator, referral=submitted, reason="x")
    mentee = make_person(cast.mentor, cast.caseworker)
    with pytest.raises(PermissionDenied):
        services.referral_create(
            actor=cast.mentor,
            person=mentee,
            service=submitted.service,
            reason="r",
            pathway="sport",
        )


def test_an_ineligible_person_needs_a_recorded_reason(cast, person, session):
    session.minimum_age = 50
    session.save()
    with pytest.raises(ValidationError) as caught:
        refer(cast.probation, person, session)
    assert "eligibility_override_reason" in caught.value.message_dict
    referral = refer(
        cast.probation, person, session, eligibility_override_reason="The coach agreed."
    )
    assert referral.eligibility_override_reason == "The coach agreed."
    assert AuditEvent.objects.filter(
        object_id=str(referral.pk), reason__startswith="Eligibility override"
    ).exists()


def test_no_contact_wanted_needs_confirmation(cast, make_person, person, session):
    partner = make_person(cast.probation, given_name="Jo", family_name="Bloggs")
    Relationship.objects.create(
        person=person,
        related_person=partner,
        kind="partner",
        contact_wishes=ContactWishes.NO_CONTACT,
    )
    refer(cast.probation, partner, session, shared_categories=[])
    with pytest.raises(ValidationError) as caught:
        refer(cast.probation, person, session)
    assert "no_contact_confirmed" in caught.value.message_dict
    referral = refer(cast.probation, person, session, no_contact_confirmed=True)
    assert referral.no_contact_confirmed


def test_a_full_service_offers_its_waiting_list(cast, make_person, person, session):
    others = [make_person(cast.probation, given_name=f"P{i}", family_name="Full") for i in range(3)]
    for other in others[:2]:
        services.referral_accept(
            actor=cast.coordinator,
            referral=refer(cast.probation, other, session, shared_categories=[]),
        )
    third = refer(cast.probation, others[2], session, shared_categories=[])
    with pytest.raises(ApplicationError, match="full"):
        services.referral_accept(actor=cast.coordinator, referral=third)
    waiting = services.referral_decline(
        actor=cast.coordinator, referral=third, reason=DeclineReason.NO_CAPACITY
    )
    assert waiting.state == ReferralState.WAITING_LIST
    fourth = services.referral_waitlist(
        actor=cast.coordinator, referral=refer(cast.probation, person, session)
    )
    assert waiting_position(waiting) == 1
    assert waiting_position(fourth) == 2


def test_no_capacity_without_a_waiting_list_declines(cast, submitted):
    submitted.service.has_waiting_list = False
    submitted.service.save()
    declined = services.referral_decline(
        actor=cast.coordinator, referral=submitted, reason=DeclineReason.NO_CAPACITY
    )
    assert declined.state == ReferralState.DECLINED
    assert declined.decline_reason == DeclineReason.NO_CAPACITY


def test_declining_for_another_reason_needs_words(cast, submitted):
    with pytest.raises(ValidationError) as caught:
        services.referral_decline(actor=cast.coordinator, referral=submitted, reason="other")
    assert "detail" in caught.value.message_dict


def test_the_whole_journey_to_completion(cast, submitted):
    referral = services.referral_accept(actor=cast.coordinator, referral=submitted)
    referral = services.referral_start(actor=cast.coordinator, referral=referral)
    referral = services.referral_complete(
        actor=cast.coordinator, referral=referral, outcome="Attended 10 sessions"
    )
    assert referral.state == ReferralState.COMPLETED
    assert referral.started_at and referral.ended_at
    with pytest.raises(ApplicationError):
        services.referral_withdraw(actor=cast.probation, referral=referral, reason="late")


def test_an_onward_referral_keeps_the_chain(cast, submitted, make_person):
    from resettle.directory.models import Service

    housing = Service.objects.create(
        organisation=cast.housing_provider,
        name="Move-on flats",
        description="Supported housing",
        access="referral_only",
        pathways=["accommodation"],
    )
    accepted = services.referral_accept(actor=cast.coordinator, referral=submitted)
    onward = refer(
        cast.coordinator,
        submitted.person,
        housing,
        parent=accepted,
        pathway="accommodation",
        shared_categories=[],
    )
    assert onward.parent == accepted
    assert onward.referring_organisation == cast.football_trust


def test_signposting_and_its_follow_up(cast, person):
    signposting = services.signposting_record(
        actor=cast.probation,
        person=person,
        service_name="Millbrook food bank",
        pathway="finance_benefit_id",
        signposted_on=date.today(),
        follow_up_on=date.today(),
    )
    with pytest.raises(PermissionDenied):
        services.signposting_follow_up(
            actor=cast.coordinator, signposting=signposting, follow_up=FollowUp.WENT
        )
    done = services.signposting_follow_up(
        actor=cast.probation, signposting=signposting, follow_up=FollowUp.WENT
    )
    assert done.follow_up == FollowUp.WENT and done.followed_up_by == cast.probation.user


def test_the_figures_time_first_responses_and_acceptance(cast, make_person, session):
    from datetime import timedelta

    from resettle.referrals.models import Referral
    from resettle.referrals.selectors import referral_figures

    people = [make_person(cast.probation, given_name=f"T{i}", family_name="Time") for i in range(2)]
    for hours, person in zip((10, 30), people, strict=True):
        referral = services.referral_accept(
            actor=cast.coordinator, referral=refer(cast.probation, person, session)
        )
        start = referral.decided_at - timedelta(hours=hours)
        Referral.objects.filter(pk=referral.pk).update(submitted_at=start)
    figures = referral_figures(Referral.objects.all())
    assert figures.total == 2 and figures.by_state[ReferralState.ACCEPTED] == 2
    assert figures.mean_to_accept == timedelta(hours=20)
    assert figures.mean_first_response == timedelta(hours=20)
    assert referral_figures(Referral.objects.none()).mean_to_accept is None
