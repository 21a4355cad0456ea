"""The authorization matrix for the reports area: counts, never people. Partnership managers,
analysts and organisation admins read reports (anyone else is refused, 403); the scope defaults
to the actor's own organisation, so no record is named in the route."""

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World
from resettle.accounts.models import Role

reporter = o.role_in(Role.PARTNERSHIP_MANAGER, Role.ANALYST, Role.ORGANISATION_ADMIN)

DECISIONS: dict[str, Decision] = {
    "reports:index": Decision(o.signed_in(reporter)),
    "reports:quarterly_return": Decision(o.signed_in(reporter)),
    "reports:quarterly_return_download": Decision(o.signed_in(reporter)),
    "GET /api/v1/reports/quarterly-return": Decision(o.signed_in(reporter)),
    "reports:data_quality": Decision(o.signed_in(reporter)),
    "reports:data_quality_download": Decision(o.signed_in(reporter)),
    "GET /api/v1/reports/data-quality": Decision(o.signed_in(reporter)),
    "reports:demand_and_capacity": Decision(o.signed_in(reporter)),
    "reports:demand_and_capacity_download": Decision(o.signed_in(reporter)),
    "GET /api/v1/reports/demand-and-capacity": Decision(o.signed_in(reporter)),
    "reports:engagement": Decision(o.signed_in(reporter)),
    "reports:engagement_download": Decision(o.signed_in(reporter)),
    "GET /api/v1/reports/engagement": Decision(o.signed_in(reporter)),
    "reports:referral_network": Decision(o.signed_in(reporter)),
    "reports:referral_network_download": Decision(o.signed_in(reporter)),
    "GET /api/v1/reports/referral-network": Decision(o.signed_in(reporter)),
}


def build(world: World) -> None:
    """Reports need no records of their own."""
