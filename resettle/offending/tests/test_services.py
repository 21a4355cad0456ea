"""Recording offence and risk: who may, what is refused, and that nothing is overwritten (a new
assessment supersedes, a condition is ended with a date, each change is in the audit trail)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from resettle.access import policy
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.offending import services
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.offending.tests.conftest import (
    NOTES,
    WORDING,
    condition_data,
    days,
    risk_data,
    sentence_data,
)

pytestmark = pytest.mark.django_db


# Sentences --------------------------------------------------------------------------------------


def test_probation_records_a_sentence_and_the_audit_says_what_without_the_notes(cast, person):
    sentence = services.sentence_record(
        actor=cast.probation, person=person, data=sentence_data(notes="Pleaded guilty")
    )

    assert sentence.organisation == cast.probation_unit
    assert sentence.length == "30 months"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="sentence")
    assert event.category == "offence"
    assert event.person_id == person.pk
    assert event.changes["index_offence_category"] == [None, "burglary"]
    assert event.changes["length_months"] == [None, "30"]
    assert event.changes["notes"] == [None, "recorded"]


def test_the_prison_records_a_sentence_too(cast, person):
    services.sentence_record(actor=cast.prison, person=person, data=sentence_data())

    assert Sentence.objects.get().organisation == cast.prison_team


def test_a_life_sentence_has_no_length_and_any_other_needs_one(cast, person):
    with pytest.raises(ValidationError) as life:
        services.sentence_record(
            actor=cast.probation, person=person, data=sentence_data(sentence_type="life")
        )
    with pytest.raises(ValidationError) as none:
        services.sentence_record(
            actor=cast.probation,
            person=person,
            data=sentence_data(length_months=None, length_days=None),
        )
    services.sentence_record(
        actor=cast.probation,
        person=person,
        data=sentence_data(sentence_type="ipp", length_months=None),
    )

    assert "no set length" in life.value.message_dict["length_months"][0]
    assert "Enter the length" in none.value.message_dict["length_months"][0]
    assert Sentence.objects.get().length == "Indeterminate"


def test_a_sentence_in_the_future_or_with_unknown_fields_is_refused(cast, person):
    with pytest.raises(ValidationError) as future:
        services.sentence_record(
            actor=cast.probation, person=person, data=sentence_data(sentenced_on=days(1))
        )
    with pytest.raises(ValidationError) as unknown:
        services.sentence_record(
            actor=cast.probation, person=person, data=sentence_data(offence_detail="x")
        )

    assert "today or in the past" in future.value.message_dict["sentenced_on"][0]
    assert "offence_detail" in unknown.value.message_dict
    assert not Sentence.objects.exists()


def test_the_database_refuses_a_length_on_an_indeterminate_sentence(cast, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(
            person=person,
            organisation=cast.probation_unit,
            recorded_by=cast.probation.user,
            **sentence_data(sentence_type="life"),
        )


def test_a_correction_keeps_what_the_sentence_said_and_why_in_the_audit(cast, person):
    sentence = services.sentence_record(
        actor=cast.probation, person=person, data=sentence_data(notes="First note")
    )

    corrected = services.sentence_correct(
        actor=cast.probation,
        sentence=sentence,
        data={"length_months": 3, "notes": "Second note"},
        reason="The length was typed as 30, not 3",
        expected_version=1,
    )

    assert corrected.length_months == 3 and corrected.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="sentence")
    assert event.reason == "The length was typed as 30, not 3"
    assert event.changes == {
        "length_months": ["30", "3"],
        "notes": ["recorded", "changed"],
        "version": ["1", "2"],
    }
    assert "First note" not in str(event.changes)


def test_a_correction_needs_a_reason_valid_values_and_the_version_read(cast, person):
    sentence = services.sentence_record(actor=cast.probation, person=person, data=sentence_data())

    with pytest.raises(ValidationError) as invalid:
        services.sentence_correct(
            actor=cast.probation,
            sentence=sentence,
            data={"sentence_type": "life"},
            reason=" ",
        )
    with pytest.raises(services.StaleRecord):
        services.sentence_correct(
            actor=cast.probation,
            sentence=sentence,
            data={"length_months": 3},
            reason="Typed wrongly",
            expected_version=7,
        )
    unchanged = services.sentence_correct(
        actor=cast.probation, sentence=sentence, data={"length_months": 30}, reason="Checked"
    )

    assert set(invalid.value.message_dict) == {"reason", "length_months"}
    assert unchanged.version == 1 and Sentence.objects.get().length_months == 30
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


# Risk assessments -------------------------------------------------------------------------------


def test_a_new_risk_assessment_supersedes_the_current_one_which_stays_as_history(cast, person):
    first = services.risk_assessment_record(
        actor=cast.probation, person=person, data=risk_data(assessed_on=days(-90), notes=NOTES)
    )
    second = services.risk_assessment_record(
        actor=cast.probation,
        person=person,
        data=risk_data(rosh_level="high", mappa_category="1", mappa_level="2"),
    )

    first.refresh_from_db()
    assert second.supersedes == first
    assert first.rosh_level == "medium" and first.notes == NOTES
    assert second.mappa == "Category 1, level 2"
    assert RiskAssessment.objects.get(superseded_by__isnull=True) == second
    superseded = AuditEvent.objects.get(action=AuditAction.STATE_CHANGE)
    assert superseded.object_id == str(first.pk)
    assert superseded.changes == {"superseded_by": [None, str(second.pk)]}


def test_an_assessment_dated_before_the_current_one_is_refused(cast, person):
    services.risk_assessment_record(actor=cast.probation, person=person, data=risk_data())

    with pytest.raises(ValidationError) as error:
        services.risk_assessment_record(
            actor=cast.probation, person=person, data=risk_data(assessed_on=days(-61))
        )

    assert "on or after the date of the current one" in error.value.message_dict["assessed_on"][0]
    assert RiskAssessment.objects.count() == 1


@pytest.mark.parametrize(
    ("category", "level", "message"),
    [
        ("none", "2", "not managed under MAPPA"),
        ("3", "none", "Select the level"),
    ],
)
def test_a_mappa_level_goes_with_a_mappa_category(cast, person, category, level, message):
    with pytest.raises(ValidationError) as error:
        services.risk_assessment_record(
            actor=cast.probation,
            person=person,
            data=risk_data(mappa_category=category, mappa_level=level),
        )

    assert message in error.value.message_dict["mappa_level"][0]


def test_the_database_refuses_a_mappa_level_without_a_category(cast, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAssessment.objects.create(
            person=person,
            organisation=cast.probation_unit,
            recorded_by=cast.probation.user,
            **risk_data(mappa_level="1"),
        )


def test_the_database_keeps_one_chain_of_assessments_per_person(cast, person):
    services.risk_assessment_record(actor=cast.probation, person=person, data=risk_data())

    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAssessment.objects.create(
            person=person,
            organisation=cast.probation_unit,
            recorded_by=cast.probation.user,
            **risk_data(),
        )


# Licence conditions -----------------------------------------------------------------------------


def test_a_condition_is_ended_with_a_date_and_the_audit_keeps_what_it_was(cast, person):
    condition = services.licence_condition_record(
        actor=cast.probation, person=person, data=condition_data()
    )
    assert condition.version == 1

    ended = services.licence_condition_end(
        actor=cast.probation, condition=condition, ends_on=days(0), expected_version=1
    )

    assert ended.ends_on == days(0) and ended.version == 2
    assert not ended.live_on(days(0)) and ended.live_on(days(-1))
    assert LicenceCondition.objects.get().wording == WORDING
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="licence_condition")
    assert event.category == "offence"
    assert event.changes == {"ends_on": [None, days(0).isoformat()], "version": ["1", "2"]}
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="licence_condition")
    assert created.changes["wording"] == [None, "recorded"]


def test_a_condition_can_start_at_a_release_still_to_come(cast, person):
    condition = services.licence_condition_record(
        actor=cast.probation, person=person, data=condition_data(starts_on=days(21))
    )

    assert condition.live_on(days(0))


def test_a_condition_is_ended_once_and_never_before_it_starts(cast, person):
    condition = services.licence_condition_record(
        actor=cast.probation, person=person, data=condition_data()
    )
    with pytest.raises(ValidationError) as before:
        services.licence_condition_end(actor=cast.probation, condition=condition, ends_on=days(-91))
    with pytest.raises(ValidationError) as missing:
        services.licence_condition_end(actor=cast.probation, condition=condition, ends_on=None)
    services.licence_condition_end(actor=cast.probation, condition=condition, ends_on=days(-1))

    with pytest.raises(ApplicationError, match="already has an end date"):
        services.licence_condition_end(actor=cast.probation, condition=condition, ends_on=days(0))
    assert "on or after the start" in before.value.message_dict["ends_on"][0]
    assert "Enter the date" in missing.value.message_dict["ends_on"][0]
    assert LicenceCondition.objects.get().ends_on == days(-1)


def test_ending_a_condition_someone_has_changed_since_is_refused(cast, person):
    condition = services.licence_condition_record(
        actor=cast.probation, person=person, data=condition_data()
    )
    LicenceCondition.objects.filter(pk=condition.pk).update(version=2)

    with pytest.raises(services.StaleRecord) as stale:
        services.licence_condition_end(
            actor=cast.probation, condition=condition, ends_on=days(0), expected_version=1
        )

    assert stale.value.record.version == 2
    assert LicenceCondition.objects.get().ends_on is None


def test_a_condition_needs_its_wording_and_the_database_keeps_dates_in_order(cast, person):
    with pytest.raises(ValidationError) as blank:
        services.licence_condition_record(
            actor=cast.probation, person=person, data=condition_data(wording="   ")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceCondition.objects.create(
            person=person,
            organisation=cast.probation_unit,
            recorded_by=cast.probation.user,
            **condition_data(ends_on=days(-100)),
        )

    assert "wording" in blank.value.message_dict


# Who may record ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "safeguarding", "coordinator", "mentor", "manager"])
def test_partners_may_not_record_offence_and_risk(cast, person, who):
    actor = getattr(cast, who)
    condition = services.licence_condition_record(
        actor=cast.probation, person=person, data=condition_data()
    )
    sentence = services.sentence_record(actor=cast.probation, person=person, data=sentence_data())

    for record, data in (
        (services.sentence_record, sentence_data()),
        (services.risk_assessment_record, risk_data()),
        (services.licence_condition_record, condition_data()),
    ):
        with pytest.raises(PermissionDenied):
            record(actor=actor, person=person, data=data)
    with pytest.raises(PermissionDenied):
        services.licence_condition_end(actor=actor, condition=condition, ends_on=days(0))
    with pytest.raises(PermissionDenied):
        services.sentence_correct(
            actor=actor, sentence=sentence, data={"length_months": 1}, reason="Wrong"
        )
    assert Sentence.objects.get().length_months == 30
    assert LicenceCondition.objects.get().ends_on is None


def test_another_organisation_may_not_record_on_someone_it_does_not_work_with(
    cast, person, make_person
):
    stranger = make_person(cast.prison, given_name="Not", family_name="Probations")

    assert not policy.can_view_person(cast.outsider, person)
    with pytest.raises(PermissionDenied):
        services.sentence_record(actor=cast.outsider, person=person, data=sentence_data())
    with pytest.raises(PermissionDenied):
        services.sentence_record(actor=cast.probation, person=stranger, data=sentence_data())


def test_probation_without_an_agreement_for_offence_information_may_not_record(
    cast, make_person, agreement
):
    # Only the casework agreement: offence information is not given to anyone.
    person = make_person(cast.probation)

    assert not policy.can_view_offending(cast.probation, person)
    with pytest.raises(PermissionDenied):
        services.sentence_record(actor=cast.probation, person=person, data=sentence_data())
