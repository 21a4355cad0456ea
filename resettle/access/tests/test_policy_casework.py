"""The access rules for the directory, referrals and casework records (issues 5 and 6): who may,
and each kind of actor who may not."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import Contact, ContactKind, ContactOutcome
from resettle.directory.models import Access, Service, ServiceStatus
from resettle.partnerships.models import LawfulBasis
from resettle.people.tests.sharing import make_agreement, make_consent
from resettle.plans.models import Goal
from resettle.referrals.models import Referral, ReferralState

pytestmark = pytest.mark.django_db
TODAY = date.today()


def service(organisation, access=Access.REFERRAL_ONLY, **fields) -> Service:
    fields.setdefault("name", f"{organisation.name} {access}")
    return Service.objects.create(
        organisation=organisation, description="A service.", access=access, **fields
    )


def referral(person, to_service, by, state=ReferralState.SUBMITTED, **fields) -> Referral:
    return Referral.objects.create(
        person=person,
        service=to_service,
        referring_organisation=by.organisation,
        referred_by=by.user,
        state=state,
        reason="Needs support",
        pathway="sport",
        submitted_at=None if state == ReferralState.DRAFT else timezone.now(),
        **fields,
    )


def case(person, actor, **fields) -> Case:
    return Case.objects.create(
        person=person, organisation=actor.organisation, opened_on=TODAY, **fields
    )


def contact(person, of_case, by, **fields) -> Contact:
    return Contact.objects.create(
        person=person,
        case=of_case,
        organisation=of_case.organisation,
        recorded_by=by.user,
        kind=ContactKind.PHONE,
        happened_at=timezone.now(),
        outcome=ContactOutcome.ATTENDED,
        note="Talked about housing.",
        **fields,
    )


def share(cast, person, *categories, kinds=("sport_trust", "lead_charity", "housing")):
    """A consent-based agreement giving `categories` to `kinds`, and the person's consent."""
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=categories,
        kinds=kinds,
        basis=LawfulBasis.CONSENT,
    )
    make_consent(person, categories=categories, kinds=kinds)
    # Each request has a fresh actor; these tests reuse the cast's, so forget cached grants.
    for actor in cast.members().values():
        actor.__dict__.pop("_agreement_grants", None)


# Directory


def test_anyone_sees_open_services_and_partners_see_referral_only_ones(cast):
    open_one = service(cast.football_trust, Access.OPEN)
    referral_only = service(cast.football_trust)
    service(cast.football_trust, Access.OPEN, name="Old", status=ServiceStatus.INACTIVE)
    assert set(policy.services_visible_to(None)) == {open_one}
    assert set(policy.services_visible_to(cast.caseworker)) >= {open_one, referral_only}
    assert set(policy.services_visible_to(cast.outsider)) == {open_one}
    with pytest.raises(Http404):
        policy.get_service_for_actor(cast.outsider, referral_only.pk)


def test_only_the_services_own_admin_or_coordinator_edits_it(cast):
    trust_service = service(cast.football_trust)
    assert policy.can_edit_service(cast.coordinator, trust_service)
    assert not policy.can_edit_service(cast.admin, trust_service)  # another organisation's admin
    assert not policy.can_edit_service(cast.caseworker, trust_service)


# Referrals


def test_receiver_sees_a_submitted_referral_but_not_a_draft_nor_the_persons_record(
    cast, make_person
):
    person = make_person(cast.probation)
    trust_service = service(cast.football_trust)
    submitted = referral(person, trust_service, cast.probation)
    draft = referral(person, trust_service, cast.probation, state=ReferralState.DRAFT)
    assert set(policy.referrals_visible_to(cast.coordinator)) == {submitted}
    assert set(policy.referrals_visible_to(cast.probation)) == {submitted, draft}
    assert not policy.can_view_person(cast.coordinator, person)
    assert policy.can_decide_referral(cast.coordinator, submitted)
    assert not policy.can_decide_referral(cast.probation, submitted)
    assert policy.can_edit_referral(cast.probation, submitted)
    assert not policy.referrals_visible_to(cast.housing).exists()
    assert not policy.referrals_visible_to(cast.manager).exists()


def test_receiver_sees_only_what_the_person_agreed_to_share_with_the_referral(cast, make_person):
    person = make_person(cast.probation)
    share(cast, person, Category.RISK_SUITABILITY, Category.CONTACT)
    trust_service = service(cast.football_trust)
    sent = referral(
        person, trust_service, cast.probation, shared_categories=[Category.RISK_SUITABILITY]
    )
    visible = policy.referral_categories_visible(cast.coordinator, sent)
    assert visible == {Category.IDENTITY, Category.RISK_SUITABILITY}
    sent.state = ReferralState.DECLINED
    assert policy.referral_categories_visible(cast.coordinator, sent) == frozenset()


def test_offence_never_reaches_a_receiver_even_if_listed(cast, make_person):
    person = make_person(cast.probation)
    share(cast, person, Category.RISK_SUITABILITY, kinds=("sport_trust",))
    sent = referral(
        person,
        service(cast.football_trust),
        cast.probation,
        shared_categories=[Category.OFFENCE, Category.RISK_SUITABILITY],
    )
    visible = policy.referral_categories_visible(cast.coordinator, sent)
    assert visible == {Category.IDENTITY, Category.RISK_SUITABILITY}


def test_a_mentor_follows_referrals_about_their_mentees_only(cast, make_person):
    mentee = make_person(cast.mentor, cast.probation)
    other = make_person(cast.probation)
    to_trust = service(cast.football_trust)
    about_mentee = referral(mentee, to_trust, cast.probation)
    referral(other, to_trust, cast.probation)
    referral(mentee, to_trust, cast.probation, state=ReferralState.DRAFT)
    assert set(policy.referrals_visible_to(cast.mentor)) == {about_mentee}
    assert not policy.can_decide_referral(cast.mentor, about_mentee)


# Cases, contacts, goals


def test_own_cases_are_visible_and_partners_only_with_case_notes(cast, make_person):
    person = make_person(cast.caseworker, cast.housing)
    own = case(person, cast.caseworker)
    theirs = case(person, cast.housing)
    assert set(policy.cases_visible_to(cast.caseworker)) == {own}
    assert set(policy.cases_for_person(cast.caseworker, person)) == {own}
    with pytest.raises(Http404):
        policy.get_case_for_actor(cast.caseworker, theirs.pk)
    share(cast, person, Category.CASE_NOTES)
    assert set(policy.cases_for_person(cast.caseworker, person)) == {own, theirs}
    assert set(policy.cases_visible_to(cast.caseworker)) == {own, theirs}
    assert policy.can_manage_case(cast.caseworker, own)
    assert not policy.can_manage_case(cast.caseworker, theirs)


def test_a_mentor_sees_and_logs_contacts_only_on_cases_they_mentor(cast, make_person):
    mentee = make_person(cast.mentor)
    mentored = case(mentee, cast.mentor, mentor=cast.mentor.user)
    assert policy.can_record_contact(cast.mentor, mentored)
    assert not policy.can_manage_case(cast.mentor, mentored)
    mentored.mentor = None
    assert not policy.can_record_contact(cast.mentor, mentored)


def test_sensitive_notes_stay_within_the_recording_organisation(cast, make_person):
    person = make_person(cast.caseworker, cast.housing)
    share(cast, person, Category.CASE_NOTES)
    housing_case = case(person, cast.housing)
    plain = contact(person, housing_case, cast.housing)
    sensitive = contact(person, housing_case, cast.housing, sensitive=True)
    assert set(policy.contacts_for_person(cast.housing, person)) == {plain, sensitive}
    assert set(policy.contacts_for_person(cast.caseworker, person)) == {plain}
    assert set(policy.contacts_visible_to(cast.caseworker)) == {plain}
    assert not policy.contacts_visible_to(cast.outsider).exists()


def test_a_mentor_reads_only_their_own_sensitive_notes(cast, make_person):
    mentee = make_person(cast.mentor)
    mentored = case(mentee, cast.mentor, mentor=cast.mentor.user)
    theirs = contact(mentee, mentored, cast.mentor, sensitive=True)
    # A colleague in the mentoring charity writes a sensitive note on the same case.
    colleague = contact(mentee, mentored, cast.mentor, sensitive=True)
    colleague.recorded_by = cast.caseworker.user
    colleague.save()
    assert set(policy.contacts_for_person(cast.mentor, mentee)) == {theirs}


def test_partners_goals_need_the_outcomes_category(cast, make_person):
    person = make_person(cast.caseworker, cast.housing)
    housing_case = case(person, cast.housing)
    goal = Goal.objects.create(
        person=person,
        case=housing_case,
        pathway="accommodation",
        title="A flat of my own",
        created_by=cast.housing.user,
    )
    assert not policy.goals_for_person(cast.caseworker, person).exists()
    share(cast, person, Category.OUTCOMES)
    assert list(policy.goals_for_person(cast.caseworker, person)) == [goal]
    assert list(policy.goals_visible_to(cast.caseworker)) == [goal]


def test_one_live_case_per_person_per_organisation(cast, make_person):
    person = make_person(cast.caseworker)
    first = case(person, cast.caseworker)
    first.state, first.closed_on, first.close_reason = CaseState.CLOSED, TODAY, "goals_met"
    first.save()
    case(person, cast.caseworker)  # a new live case is allowed once the first is closed
    with pytest.raises(IntegrityError), transaction.atomic():
        case(person, cast.caseworker)


# Custody


def test_recording_custody_is_for_statutory_and_lead_charity_staff_with_the_category(
    cast, make_person
):
    person = make_person(cast.probation, cast.coordinator)
    assert not policy.can_record_custody(cast.probation, person)  # no custody category yet
    share(cast, person, Category.CUSTODY, kinds=("probation", "sport_trust"))
    assert policy.can_record_custody(cast.probation, person)
    assert policy.can_view_custody(cast.coordinator, person)
    assert not policy.can_record_custody(cast.coordinator, person)
    assert not policy.can_view_licence_conditions(cast.coordinator, person)
