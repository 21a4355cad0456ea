"""Recording and withdrawing consent: who may, what a child's consent needs, the audit trail, and
that a withdrawal takes effect at once."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditAction, AuditEvent
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.consent.services import consent_record, consent_withdraw
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.partnerships.tests.factories import make_consent

pytestmark = pytest.mark.django_db

TODAY = date.today()


def record(actor, person, **changes) -> Consent:
    arguments: dict[str, Any] = {
        "categories": [Category.HEALTH],
        "organisation_kinds": [OrganisationKind.HOUSING],
        "method": ConsentMethod.WRITTEN,
        "given_by": ConsentGivenBy.PERSON,
        "given_on": TODAY,
    }
    return consent_record(actor=actor, person=person, **(arguments | changes))


def test_caseworker_records_consent(cast, make_person):
    person = make_person(cast.caseworker)

    consent = record(
        cast.caseworker,
        person,
        categories=[Category.SUBSTANCE_USE, Category.HEALTH],
        organisation_ids=[cast.football_trust.pk],
        expires_on=TODAY + timedelta(days=365),
        notes="  Signed the form at the first meeting.  ",
    )

    consent.refresh_from_db()
    assert consent.categories == [Category.HEALTH, Category.SUBSTANCE_USE]
    assert consent.organisation_kinds == [OrganisationKind.HOUSING]
    assert list(consent.organisations.all()) == [cast.football_trust]
    assert consent.recorded_by == cast.caseworker.user
    assert consent.recorded_by_organisation == cast.lead_charity
    assert consent.notes == "Signed the form at the first meeting."


def test_recording_consent_is_audited_against_the_person(cast, make_person):
    person = make_person(cast.caseworker)

    consent = record(cast.caseworker, person)

    event = AuditEvent.objects.get(object_type="consent", object_id=str(consent.pk))
    assert event.action == AuditAction.CONSENT_CHANGE
    assert event.person_id == person.pk
    assert event.changes["categories"] == [None, "health"]
    assert event.changes["given_on"] == [None, TODAY.isoformat()]


def test_a_referrer_may_record_consent(cast, make_person):
    person = make_person(cast.probation)

    assert record(cast.probation, person).pk


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_roles_that_see_the_person_but_do_not_record_consent_are_refused(cast, make_person, who):
    actor = getattr(cast, who)
    person = make_person(actor)

    with pytest.raises(PermissionDenied):
        record(actor, person)

    assert not Consent.objects.exists()


def test_another_organisation_cannot_record_consent(cast, make_person):
    person = make_person(cast.caseworker)

    with pytest.raises(PermissionDenied):
        record(cast.outsider, person)


def test_consent_must_say_who_may_receive_the_information(cast, make_person):
    person = make_person(cast.caseworker)

    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, organisation_kinds=[])

    assert "organisation_kinds" in refused.value.message_dict


def test_named_organisations_must_be_in_the_partnerships(cast, make_person):
    person = make_person(cast.caseworker)

    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, person, organisation_ids=[cast.outside_organisation.pk])

    assert refused.value.message_dict["organisations"] == [
        "Choose organisations from your partnerships"
    ]
    assert not Consent.objects.exists()


def test_the_name_is_kept_only_for_parental_responsibility(cast, make_person):
    person = make_person(cast.caseworker)

    consent = record(cast.caseworker, person, given_by_name="Someone else")

    assert consent.given_by_name == ""


# A child's consent


@pytest.fixture
def child(cast, make_person):
    return make_person(cast.caseworker, date_of_birth=date(TODAY.year - 12, 1, 1))


def test_a_child_cannot_consent_as_if_an_adult(cast, child):
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, child)

    assert "parental responsibility" in refused.value.message_dict["given_by"][0]
    assert not Consent.objects.exists()


def test_parental_responsibility_needs_a_name(cast, child):
    with pytest.raises(ValidationError) as refused:
        record(cast.caseworker, child, given_by=ConsentGivenBy.PARENTAL_RESPONSIBILITY)

    assert "given_by_name" in refused.value.message_dict


def test_someone_with_parental_responsibility_consents_for_a_child(cast, child):
    consent = record(
        cast.caseworker,
        child,
        given_by=ConsentGivenBy.PARENTAL_RESPONSIBILITY,
        given_by_name=" Dana Reid ",
    )

    assert consent.given_by_name == "Dana Reid"


def test_a_child_assessed_as_competent_consents_for_themselves(cast, child):
    consent = record(cast.caseworker, child, given_by=ConsentGivenBy.COMPETENCE_ASSESSED)

    assert consent.given_by == ConsentGivenBy.COMPETENCE_ASSESSED


# Withdrawing


def test_withdrawing_records_today_and_who(cast, make_person):
    person = make_person(cast.caseworker)
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    consent_withdraw(actor=cast.safeguarding, consent=consent)

    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.withdrawn_recorded_by == cast.safeguarding.user
    event = AuditEvent.objects.filter(object_id=str(consent.pk)).get()
    assert event.changes == {"withdrawn_on": [None, TODAY.isoformat()]}
    assert event.person_id == person.pk


def test_a_withdrawn_consent_cannot_be_withdrawn_again(cast, make_person):
    person = make_person(cast.caseworker)
    consent = make_consent(person=person, recorded_by=cast.caseworker, withdrawn_on=TODAY)

    with pytest.raises(ApplicationError, match="already been withdrawn"):
        consent_withdraw(actor=cast.caseworker, consent=consent)


def test_an_expired_consent_cannot_be_withdrawn(cast, make_person):
    person = make_person(cast.caseworker)
    consent = make_consent(
        person=person,
        recorded_by=cast.caseworker,
        given_on=TODAY - timedelta(days=10),
        expires_on=TODAY,
    )

    with pytest.raises(ApplicationError, match="already expired"):
        consent_withdraw(actor=cast.caseworker, consent=consent)


def test_a_mentor_cannot_withdraw_consent(cast, make_person):
    person = make_person(cast.caseworker, cast.mentor)
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=cast.mentor, consent=consent)

    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_child_consent_can_be_withdrawn_even_if_it_would_not_be_accepted_today(cast, make_person):
    """Recorded when they were thought to be an adult; their date of birth was corrected since."""
    person = make_person(cast.caseworker)
    consent = make_consent(person=person, recorded_by=cast.caseworker)
    person.date_of_birth = date(TODAY.year - 15, 1, 1)
    person.save()

    consent_withdraw(actor=cast.caseworker, consent=consent)

    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY


def test_consent_withdrawn_mid_session_hides_the_category_at_once(
    cast, make_person, health_by_consent
):
    person = make_person(cast.caseworker, cast.housing)
    consent = record(cast.caseworker, person)
    # The housing caseworker's request is under way: the agreement's grants are already cached.
    assert Category.HEALTH in policy.categories_visible(cast.housing, person)

    consent_withdraw(actor=cast.caseworker, consent=consent)

    assert Category.HEALTH not in policy.categories_visible(cast.housing, person)
    assert not policy.people_with_category(cast.housing, Category.HEALTH).exists()
