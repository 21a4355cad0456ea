from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.access import policy
from resettle.audit.models import AuditEvent
from resettle.cases.models import Case, CaseEvent, CaseEventKind, CaseState, Task, TaskKind
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.mentoring import services
from resettle.mentoring.models import AllocationEndReason, MentorAllocation
from resettle.mentoring.tests.conftest import make_mentor
from resettle.notifications.models import Notification
from resettle.people.models import WorkingRelationship
from resettle.suitability.models import SuitabilityAssessment

pytestmark = pytest.mark.django_db


def assess(person, assessor, **answers) -> SuitabilityAssessment:
    fields = {
        "group_sessions_with_adults": "yes",
        "sessions_with_under_18s_present": "no",
        "sessions_with_vulnerable_adults_present": "yes",
        "one_to_one_sessions": "yes",
        "two_staff_needed": "no",
        "named_contact_restriction": "no",
    } | answers
    return SuitabilityAssessment.objects.create(
        person=person,
        assessed_by=assessor.user,
        assessor_organisation=assessor.organisation,
        assessed_on=date.today() - timedelta(days=5),
        review_on=date.today() + timedelta(days=200),
        assessor_contact="01632 960000",
        **fields,
    )


def test_allocating_opens_a_case_and_lets_the_mentor_see_the_person(
    cast, staff, mentor_profile, mentee
):
    assert not policy.can_view_person(cast.mentor, mentee)
    allocation = services.mentor_allocate(
        actor=staff["caseworker"], person=mentee, mentor=mentor_profile
    )
    case = Case.objects.get(person=mentee, organisation=cast.mentoring_charity)
    assert allocation.case == case and case.mentor == cast.mentor.user
    assert case.state == CaseState.OPEN
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [CaseEventKind.OPENED, CaseEventKind.ALLOCATED]
    relationship = WorkingRelationship.objects.get(
        person=mentee, organisation=cast.mentoring_charity, ended_on__isnull=True
    )
    assert relationship.allocated_to == cast.mentor.user
    assert policy.can_view_person(cast.mentor, mentee)
    assert Notification.objects.filter(recipient=cast.mentor.user, subject="You have a new mentee")
    assert AuditEvent.objects.filter(object_type="mentor_allocation", object_id=str(allocation.pk))


def test_it_uses_the_live_case_when_there_is_one(cast, staff, mentor_profile, mentee):
    case = Case.objects.create(
        person=mentee,
        organisation=cast.mentoring_charity,
        state=CaseState.PAUSED,
        opened_on=date.today() - timedelta(days=20),
    )
    allocation = services.mentor_allocate(
        actor=staff["caseworker"], person=mentee, mentor=mentor_profile
    )
    assert allocation.case == case
    case.refresh_from_db()
    assert case.mentor == cast.mentor.user and case.version == 2


def test_a_full_mentor_is_refused_to_a_caseworker(cast, staff, mentor_profile, make_person):
    for n in range(2):
        other = make_person(staff["caseworker"], given_name=f"Other{n}")
        services.mentor_allocate(actor=staff["caseworker"], person=other, mentor=mentor_profile)
    third = make_person(staff["caseworker"], given_name="Third")
    with pytest.raises(ApplicationError, match="Full: 2 of 2 mentees"):
        services.mentor_allocate(actor=staff["caseworker"], person=third, mentor=mentor_profile)
    with pytest.raises(PermissionDenied, match="Only a coordinator or admin"):
        services.mentor_allocate(
            actor=staff["caseworker"],
            person=third,
            mentor=mentor_profile,
            override_reason="He knows the family",
        )
    assert not MentorAllocation.objects.filter(case__person=third).exists()


def test_a_coordinator_overrides_an_expired_check_with_a_reason_that_is_audited(
    cast, staff, mentee
):
    expired = make_mentor(cast, "Expired", dbs_expires_on=date.today() - timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        services.mentor_allocate(actor=staff["coordinator"], person=mentee, mentor=expired)
    assert "override_reason" in refused.value.message_dict
    allocation = services.mentor_allocate(
        actor=staff["coordinator"],
        person=mentee,
        mentor=expired,
        override_reason="Renewal submitted; meets only at our office meanwhile",
    )
    assert allocation.override_reason.startswith("Renewal submitted")
    event = AuditEvent.objects.get(object_type="mentor_allocation", object_id=str(allocation.pk))
    assert "Renewal submitted" in event.reason and "expired" in event.reason


def test_no_one_to_one_sessions_means_no_mentor_whoever_asks(cast, staff, mentor_profile, mentee):
    assess(mentee, cast.probation, one_to_one_sessions="no")
    with pytest.raises(ApplicationError, match="cannot be matched for one-to-one mentoring"):
        services.mentor_allocate(
            actor=staff["coordinator"],
            person=mentee,
            mentor=mentor_profile,
            override_reason="Anyway",
        )


def test_only_the_mentoring_organisations_caseworkers_and_coordinators_allocate(
    cast, staff, mentor_profile, make_person
):
    person = make_person(cast.caseworker, cast.mentor)
    for actor in (cast.mentor, cast.probation):
        with pytest.raises(PermissionDenied):
            services.mentor_allocate(actor=actor, person=person, mentor=mentor_profile)
    # The lead charity's caseworker may allocate its own mentors, not another organisation's.
    with pytest.raises(ValidationError, match="from your organisation"):
        services.mentor_allocate(actor=cast.caseworker, person=person, mentor=mentor_profile)


def test_reallocating_ends_one_and_starts_the_next_keeping_history(
    cast, staff, mentor_profile, mentee
):
    services.mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    second = make_mentor(cast, "Second")
    with pytest.raises(ApplicationError, match="Reallocate instead"):
        services.mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=second)
    services.mentor_reallocate(
        actor=staff["caseworker"], person=mentee, mentor=second, note="Closer to home"
    )
    first, now = MentorAllocation.objects.order_by("created_at")
    assert first.ended_on == date.today() and first.end_reason == AllocationEndReason.REALLOCATED
    assert now.mentor == second and now.ended_on is None
    assert not policy.can_view_person(cast.mentor, mentee)
    assert policy.can_view_person(
        second.user.memberships.get(organisation=cast.mentoring_charity), mentee
    )
    assert Case.objects.get(person=mentee).mentor == second.user
    assert Notification.objects.filter(
        recipient=cast.mentor.user, subject="A mentee has moved to another mentor"
    )


def test_ending_needs_a_reason_and_takes_the_person_off_the_mentors_list(
    cast, staff, mentor_profile, mentee
):
    services.mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    with pytest.raises(ValidationError) as refused:
        services.mentor_allocation_end(actor=staff["caseworker"], person=mentee, end_reason="")
    assert "end_reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.mentor_allocation_end(actor=staff["caseworker"], person=mentee, end_reason="other")
    assert "note" in refused.value.message_dict
    allocation = services.mentor_allocation_end(
        actor=staff["caseworker"], person=mentee, end_reason="completed"
    )
    assert allocation.end_reason == "completed" and allocation.ended_by == staff["caseworker"].user
    case = Case.objects.get(person=mentee)
    assert case.mentor is None and case.state == CaseState.OPEN
    assert not policy.can_view_person(cast.mentor, mentee)
    with pytest.raises(ApplicationError, match="has no mentor now"):
        services.mentor_allocation_end(
            actor=staff["caseworker"], person=mentee, end_reason="completed"
        )


def test_supervision_notes_are_for_managers_and_the_mentor_only(cast, staff, mentor_profile):
    with pytest.raises(ValidationError) as refused:
        services.supervision_note_create(
            actor=staff["caseworker"],
            mentor=mentor_profile,
            held_on=date.today() + timedelta(days=1),
            note="",
        )
    assert set(refused.value.message_dict) == {"held_on", "note"}
    note = services.supervision_note_create(
        actor=staff["caseworker"], mentor=mentor_profile, held_on=date.today(), note="Going well"
    )
    assert policy.can_read_supervision_notes(cast.mentor, mentor_profile)
    assert not policy.can_write_supervision_notes(cast.mentor, mentor_profile)
    for outsider in (cast.caseworker, cast.admin, cast.coordinator):
        assert not policy.can_read_supervision_notes(outsider, mentor_profile)
    with pytest.raises(PermissionDenied):
        services.supervision_note_create(
            actor=cast.mentor, mentor=mentor_profile, held_on=date.today(), note="Mine"
        )
    event = AuditEvent.objects.get(object_type="supervision_note", object_id=str(note.pk))
    assert event.person_id is None


def test_profiles_validate_dates_and_are_changed_by_managers_only(cast, staff, mentor_profile):
    with pytest.raises(ValidationError) as refused:
        services.mentor_profile_update(
            actor=staff["caseworker"],
            profile=mentor_profile,
            data={"dbs_expires_on": mentor_profile.dbs_checked_on},
        )
    assert "dbs_expires_on" in refused.value.message_dict
    services.mentor_profile_update(
        actor=staff["caseworker"], profile=mentor_profile, data={"capacity": 4}
    )
    mentor_profile.refresh_from_db()
    assert mentor_profile.capacity == 4
    with pytest.raises(PermissionDenied):
        services.mentor_profile_update(
            actor=cast.mentor, profile=mentor_profile, data={"capacity": 9}
        )


def test_the_mentor_takes_over_gate_meetings_still_to_come(cast, staff, mentor_profile, mentee):
    case = Case.objects.create(
        person=mentee,
        organisation=cast.mentoring_charity,
        worker=staff["caseworker"].user,
        opened_on=date.today() - timedelta(days=10),
    )

    def gate(days: int, **fields) -> Task:
        return Task.objects.create(
            case=case,
            kind=TaskKind.GATE_MEETING,
            title="Meet at the gate",
            due_at=timezone.now() + timedelta(days=days),
            place="Gate",
            **fields,
        )

    planned = gate(70, assigned_to=staff["caseworker"].user)
    past = gate(-3, assigned_to=staff["caseworker"].user)
    someone_else = gate(71, assigned_to=staff["coordinator"].user)
    services.mentor_allocate(actor=staff["caseworker"], person=mentee, mentor=mentor_profile)
    assigned = dict(Task.objects.values_list("pk", "assigned_to"))
    assert assigned[planned.pk] == cast.mentor.user.pk
    assert assigned[past.pk] == staff["caseworker"].user.pk
    assert assigned[someone_else.pk] == staff["coordinator"].user.pk
    services.mentor_allocation_end(actor=staff["caseworker"], person=mentee, end_reason="completed")
    planned.refresh_from_db()
    assert planned.assigned_to == staff["caseworker"].user
