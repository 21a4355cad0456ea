"""Shared setup for mentoring tests: the mentoring charity's staff, mentors and a mentee."""

from datetime import date, timedelta

import pytest

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.mentoring.models import MentorProfile


def make_profile(membership, **fields) -> MentorProfile:
    fields.setdefault("training_completed_on", date.today() - timedelta(days=100))
    fields.setdefault("dbs_checked_on", date.today() - timedelta(days=100))
    fields.setdefault("dbs_expires_on", date.today() + timedelta(days=900))
    return MentorProfile.objects.create(
        user=membership.user, organisation=membership.organisation, **fields
    )


def make_mentor(cast, first_name: str, **fields) -> MentorProfile:
    user = make_user(first_name=first_name, last_name="Mentor")
    membership = make_membership(
        user=user, organisation=cast.mentoring_charity, role=Role.PEER_MENTOR
    )
    return make_profile(membership, **fields)


@pytest.fixture
def staff(cast):
    """A caseworker and a coordinator at the mentoring charity (the cast has only its mentor)."""
    return {
        "caseworker": make_membership(organisation=cast.mentoring_charity, role=Role.CASEWORKER),
        "coordinator": make_membership(
            organisation=cast.mentoring_charity, role=Role.DELIVERY_COORDINATOR
        ),
    }


@pytest.fixture
def mentor_profile(cast):
    return make_profile(
        cast.mentor,
        gender="man",
        lived_experience=["custody", "substance_use"],
        languages=["English"],
        area="Millbrook, NR4",
        interests=["football", "music"],
        capacity=2,
    )


@pytest.fixture
def mentee(make_person, staff):
    return make_person(staff["caseworker"], given_name="Lee", family_name="Hartley")
