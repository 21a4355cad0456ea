"""A waiting list is served by urgency, then by how long each referral has waited: an urgent
referral does not wait behind routine ones that came before it. The page, the API and each
referral's position agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.referrals import services
from resettle.referrals.models import Referral
from resettle.referrals.selectors import waiting_list, waiting_position
from resettle.referrals.tests.conftest import refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(cast, make_person, agreement, session) -> dict[str, Referral]:
    """Four waiting referrals: routine ones from 10 and 5 days ago, an urgent one from today
    and a soon one from 3 days ago."""
    waited = {"old_routine": 10, "new_routine": 5, "urgent": 0, "soon": 3}
    urgency = {
        "old_routine": "routine",
        "new_routine": "routine",
        "urgent": "urgent",
        "soon": "soon",
    }
    referrals = {}
    for name, days_waited in waited.items():
        person = make_person(cast.probation, given_name=name.replace("_", " ").title())
        referral = services.referral_waitlist(
            actor=cast.coordinator,
            referral=refer(
                cast.probation, person, session, shared_categories=[], urgency=urgency[name]
            ),
        )
        Referral.objects.filter(pk=referral.pk).update(
            waiting_since=timezone.now() - timedelta(days=days_waited)
        )
        referral.refresh_from_db()
        referrals[name] = referral
    return referrals


ORDER = ["urgent", "soon", "old_routine", "new_routine"]


def test_the_list_puts_the_most_urgent_first_then_the_longest_waiting(queue, session):
    assert [r.pk for r in waiting_list(service=session)] == [queue[n].pk for n in ORDER]


def test_each_position_agrees_with_the_list(queue):
    assert [waiting_position(queue[n]) for n in ORDER] == [1, 2, 3, 4]


def test_the_api_answers_in_the_same_order(api_as, cast, queue, session):
    response = api_as(cast.coordinator).get(
        "/api/v1/referrals/waiting-list", {"service": str(session.pk)}
    )

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["referral"] for r in results] == [str(queue[n].pk) for n in ORDER]
    assert [r["position"] for r in results] == [1, 2, 3, 4]
