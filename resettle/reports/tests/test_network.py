"""The referral network for the quarter of conftest, with one onward referral added: who referred
to whom, what happened, and places in chains, worked out by hand."""

from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from resettle.directory.models import Access, Service
from resettle.referrals import services as referrals
from resettle.referrals.models import Referral, ReferralState
from resettle.reports.figures import suppressed
from resettle.reports.network import referral_network
from resettle.reports.sankey import sankey
from resettle.reports.selectors import report_scopes
from resettle.reports.tests.conftest import QUARTER, START, on

pytestmark = pytest.mark.django_db


def test_the_network_counts_flows_outcomes_and_chains(cast, quarter):
    football = Service.objects.create(
        organisation=cast.football_trust,
        name="Walking football",
        description="Gentle football for adults.",
        access=Access.BOTH,
        pathways=["sport"],
    )
    accepted = Referral.objects.get(person=quarter.repeat, state=ReferralState.ACCEPTED)
    with time_machine.travel(on(START + timedelta(days=20), 20)):
        referrals.referral_create(
            actor=cast.caseworker,
            person=quarter.repeat,
            service=football,
            reason="Wants to play again",
            pathway="sport",
            shared_categories=[],
            parent=accepted,
            submit=True,
        )
    partnership = next(s for s in report_scopes(actor=cast.manager) if s.kind == "partnership")

    report = referral_network(scope=partnership, period=quarter.period, exact=True)

    figures = {f.key: f.cell.count for f in report.figures}
    assert figures == {"referrals_received": 4, "onward_referrals": 1, "referring_organisations": 2}
    flows = {row.label: row.cell.count for row in report.breakdown("flows").rows}
    assert flows == {
        f"{cast.probation_unit.name} to {cast.lead_charity.name}": 3,
        f"{cast.lead_charity.name} to {cast.football_trust.name}": 1,
    }
    outcomes = {
        row.value: row.cell.count for row in report.breakdown("outcomes_by_destination").rows
    }
    assert outcomes[f"{cast.lead_charity.name} → accepted"] == 1
    assert outcomes[f"{cast.lead_charity.name} → submitted"] == 2
    assert outcomes[f"{cast.football_trust.name} → submitted"] == 1
    chains = [row.cell.count for row in report.breakdown("chains").rows]
    assert chains == [3, 1, 0]


def test_the_picture_draws_the_flows_that_are_shown_and_counts_those_hidden(cast, quarter):
    partnership = next(s for s in report_scopes(actor=cast.manager) if s.kind == "partnership")
    exact = referral_network(scope=partnership, period=quarter.period, exact=True)
    shared = suppressed(replace(exact, exact=False))

    drawn = sankey(exact)
    assert {band.title for band in drawn.bands} == {
        f"{cast.probation_unit.name} to {cast.lead_charity.name}: 3",
        f"{cast.lead_charity.name} to Accepted: 1",
        f"{cast.lead_charity.name} to Submitted: 2",
    }
    assert drawn.hidden == 0
    # Shared, every flow here is fewer than 5: none is drawn, and the caption says so.
    hidden = sankey(shared)
    assert hidden.bands == () and hidden.hidden == 3


def test_the_network_page_shows_the_picture(client_as, cast, quarter):
    response = client_as(cast.admin).get(reverse("reports:referral_network"), {"quarter": QUARTER})

    assert response.status_code == 200
    assert 'role="img"' in response.text and "Referral flows" in response.text
