"""The mentoring demo step, given what earlier steps make: the mentoring charity's staff and
its cases (a few closed), as the users and cases steps leave them on the result."""

from datetime import date, timedelta

import pytest

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership
from resettle.cases.models import Case, CaseState
from resettle.demo.generator.context import DemoResult
from resettle.demo.generator.mentoring import create_mentoring
from resettle.mentoring.matching import mentor_problems
from resettle.mentoring.models import (
    MenteePreferences,
    MentorAllocation,
    MentorProfile,
    SupervisionNote,
)
from resettle.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _result(cast) -> DemoResult:
    organisation = cast.mentoring_charity
    result = DemoResult(seed=7, today=TODAY)
    result.organisations = {"mentoring": organisation}
    colleagues = [
        make_membership(organisation=organisation, role=Role.PEER_MENTOR).user for _ in range(3)
    ]
    mentors = [cast.mentor.user, *colleagues]
    result.staff = {
        f"mentoring:{Role.PEER_MENTOR}": mentors,
        f"mentoring:{Role.CASEWORKER}": [
            make_membership(organisation=organisation, role=Role.CASEWORKER).user
        ],
    }
    result.users = {"mentor": cast.mentor.user}
    for n in range(12):
        person = Person.objects.create(given_name=f"Mentee{n}", family_name="Demo")
        closed = n % 5 == 4
        result.cases.append(
            Case.objects.create(
                person=person,
                organisation=organisation,
                mentor=mentors[n % len(mentors)],
                opened_on=TODAY - timedelta(days=90),
                state=CaseState.CLOSED if closed else CaseState.OPEN,
                closed_on=TODAY - timedelta(days=5) if closed else None,
                close_reason="goals_met" if closed else "",
            )
        )
    return result


def test_every_peer_mentor_has_a_profile_one_expired_one_full_and_allocations_match_cases(cast):
    result = _result(cast)
    create_mentoring(result)
    mentors = result.staff[f"mentoring:{Role.PEER_MENTOR}"]
    profiles = {p.user_id: p for p in MentorProfile.objects.all()}
    assert set(profiles) == {u.pk for u in mentors}
    for profile in profiles.values():
        profile.full_clean()
    problems = {
        user_id: mentor_problems(p, p.allocations.filter(ended_on__isnull=True).count(), TODAY)
        for user_id, p in profiles.items()
    }
    assert any("expired" in " ".join(found) for found in problems.values())
    assert any("Full" in " ".join(found) for found in problems.values())
    assert problems[cast.mentor.user.pk] == []
    for case in result.cases:
        allocation = MentorAllocation.objects.get(case=case)
        assert allocation.mentor.user_id == case.mentor_id
        assert (allocation.ended_on is None) == (case.state != CaseState.CLOSED)
    assert SupervisionNote.objects.count() >= len(mentors)
    assert MenteePreferences.objects.exists()

    # The same seed gives the same mentoring, ids included.
    first = sorted(MentorProfile.objects.values_list("id", "capacity", "area"))
    for model in (MentorAllocation, SupervisionNote, MenteePreferences, MentorProfile):
        model.objects.all().delete()
    create_mentoring(result)
    assert sorted(MentorProfile.objects.values_list("id", "capacity", "area")) == first
