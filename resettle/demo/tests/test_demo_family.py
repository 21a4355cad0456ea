"""On the demo, the family-support worker sees the whole family: the parents and partners of the
people they support who consented to share their release dates with family services."""

import pytest

from resettle.access import policy
from resettle.contacts.selectors import family_support


@pytest.mark.django_db
def test_the_family_worker_sees_relatives_release_dates_shared_with_their_consent(demo, actor):
    family = actor("family")
    reached = [
        member
        for person in policy.people_visible_to(family)
        for member in family_support(actor=family, person=person).members
        if member.reached_by == "consent"
    ]

    assert reached
    assert all(member.custody is not None for member in reached)
    # The lead charity's caseworker, who supports the leavers, reaches no one this way: the
    # leavers' relatives consented to family services only.
    caseworker = actor("caseworker")
    assert not any(
        member.reached_by
        for person in policy.people_visible_to(caseworker)[:60]
        for member in family_support(actor=caseworker, person=person).members
    )
