from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.audit.models import AuditEvent
from resettle.cases.models import CaseState, CloseReason
from resettle.contacts.models import Contact
from resettle.contacts.services import contact_record
from resettle.contacts.tests.conftest import open_case
from resettle.core.exceptions import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db


def data(**changes) -> dict:
    return {
        "kind": "face_to_face",
        "happened_at": timezone.now() - timedelta(hours=1),
        "outcome": "attended",
        "duration_minutes": 45,
        "pathways": ["accommodation"],
        "note": "Talked about the flat viewing.",
    } | changes


def test_it_records_a_contact_on_the_organisations_case_and_audits_it(cast, person):
    case = open_case(cast.caseworker, person)
    contact = contact_record(actor=cast.caseworker, case=case, data=data())
    assert contact.person == person and contact.organisation == cast.lead_charity
    event = AuditEvent.objects.get(object_type="contact", object_id=str(contact.pk))
    assert event.category == "case_notes"
    assert "flat viewing" not in str(event.changes)  # the note's words stay in the contact


def test_it_refuses_a_contact_in_the_future_or_before_the_case_opened(cast, person):
    case = open_case(cast.caseworker, person, days_ago=10)
    with pytest.raises(ValidationError) as future:
        contact_record(
            actor=cast.caseworker,
            case=case,
            data=data(happened_at=timezone.now() + timedelta(days=1)),
        )
    assert "today or in the past" in str(future.value)
    with pytest.raises(ValidationError) as early:
        contact_record(
            actor=cast.caseworker,
            case=case,
            data=data(happened_at=timezone.now() - timedelta(days=30)),
        )
    assert "on or after the case opened" in str(early.value)
    assert not Contact.objects.exists()


def test_cancelled_by_is_needed_when_cancelled_and_refused_otherwise(cast, person):
    case = open_case(cast.caseworker, person)
    with pytest.raises(ValidationError) as missing:
        contact_record(
            actor=cast.caseworker, case=case, data=data(outcome="cancelled", duration_minutes=None)
        )
    assert missing.value.message_dict["cancelled_by"] == ["Select who cancelled the contact"]
    with pytest.raises(ValidationError) as extra:
        contact_record(actor=cast.caseworker, case=case, data=data(cancelled_by="person"))
    assert "only when the contact was cancelled" in str(extra.value)
    contact = contact_record(
        actor=cast.caseworker,
        case=case,
        data=data(outcome="cancelled", cancelled_by="person", duration_minutes=None),
    )
    assert contact.cancelled_by == "person"


def test_a_closed_case_must_be_reopened_first(cast, person):
    case = open_case(
        cast.caseworker,
        person,
        state=CaseState.CLOSED,
        closed_on=timezone.localdate(),
        close_reason=CloseReason.GOALS_MET,
    )
    with pytest.raises(ApplicationError, match="Reopen it"):
        contact_record(actor=cast.caseworker, case=case, data=data())


def test_only_the_cases_organisation_and_its_mentor_record(cast, person):
    lead_case = open_case(cast.caseworker, person)
    with pytest.raises(PermissionDenied):
        contact_record(actor=cast.family, case=lead_case, data=data())
    mentoring_case = open_case(cast.mentor, person)
    with pytest.raises(PermissionDenied):
        contact_record(actor=cast.mentor, case=mentoring_case, data=data())
    mentoring_case.mentor = cast.mentor.user
    mentoring_case.save()
    assert contact_record(actor=cast.mentor, case=mentoring_case, data=data()).pk


def test_it_rejects_unknown_pathways_and_fields(cast, person):
    case = open_case(cast.caseworker, person)
    with pytest.raises(ValidationError) as bad:
        contact_record(actor=cast.caseworker, case=case, data=data(pathways=["astrology"]))
    assert "pathways" in bad.value.message_dict
    with pytest.raises(ValidationError):
        contact_record(actor=cast.caseworker, case=case, data=data(person=person.pk))
