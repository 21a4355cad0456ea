"""Every data-protection route is declared in the authorization matrix (which then checks each
role and scope against it: resettle/access/tests/test_matrix.py)."""

from resettle.access.tests.matrix.routes import DECISIONS, all_routes


def test_every_data_protection_route_has_a_matrix_decision():
    ours = [
        route.key
        for route in all_routes()
        if (route.name or "").startswith("dataprotection:") or "subject-access" in route.route
    ]
    assert len(ours) == 12
    assert [key for key in ours if key not in DECISIONS] == []
