"""The demo's referrals: every state, realistic timings, the full service, and the journey the
issue's walk-through starts from (probation's referral to Millbrook Rovers' course, waiting)."""

from datetime import date

import pytest
from django.db import transaction

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.demo.generator import generate
from resettle.directory.selectors import is_full
from resettle.referrals.models import Referral, ReferralState, ReferralTransition

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def _snapshot():
    return sorted(
        Referral.objects.values_list("id", "state", "submitted_at", "decided_at", "person_id")
    )


def test_referrals_in_every_state_with_consistent_history():
    result = generate(120, 3, TODAY, password="a-demo-password")
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    for referral in Referral.objects.prefetch_related("transitions"):
        transitions = list(referral.transitions.all())
        assert transitions[-1].to_state == referral.state
        assert referral.version == len(transitions)
        times = [t.created_at for t in transitions]
        assert times == sorted(times)
        if referral.first_response_at:
            assert referral.first_response_at > referral.submitted_at
        if referral.state in (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS):
            coordinator_org = referral.service.organisation_id
            assert referral.person.working_relationships.filter(
                organisation_id=coordinator_org, ended_on__isnull=True
            ).exists()
    flats = next(s for s in result.services if s.name == "Move-on flats")
    assert is_full(flats)
    assert Referral.objects.filter(service=flats, state=ReferralState.WAITING_LIST).exists()

    coordinator = Membership.objects.get(user__username="coordinator")
    waiting = policy.referrals_visible_to(coordinator).filter(
        state=ReferralState.SUBMITTED, service__name="Coaching qualification course"
    )
    from_probation = waiting.filter(referring_organisation__name__contains="Probation")
    first = next(r for r in from_probation if not policy.can_view_person(coordinator, r.person))
    assert ReferralTransition.objects.filter(referral=first).count() == 2
    # Onward referrals from a case keep the chain.
    onward = Referral.objects.filter(parent__isnull=False).select_related("parent__service")
    assert onward.exists()
    for referral in onward:
        assert referral.referring_organisation_id == referral.parent.service.organisation_id


def test_the_same_seed_gives_the_same_referrals():
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            generate(60, 5, TODAY, password="a-demo-password")
            snapshots.append(_snapshot())
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1] and snapshots[0]
