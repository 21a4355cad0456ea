"""The test harness itself: the network is blocked, the cast is as DESIGN §7 describes, and
query counts are taken with the clock stopped."""

import socket
import time
from pathlib import Path

import pytest
from pytest_socket import SocketConnectBlockedError

from resettle.accounts.models import Organisation, Role


def test_the_network_beyond_this_machine_is_blocked():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routed


def test_cast_has_one_member_per_demo_role_and_an_outsider(cast):
    members = cast.members()
    assert set(members) == {
        "probation",
        "prison",
        "caseworker",
        "mentor",
        "coordinator",
        "family",
        "housing",
        "manager",
        "analyst",
        "admin",
        "safeguarding",
        "outsider",
    }
    assert cast.mentor.role == Role.PEER_MENTOR
    assert cast.safeguarding.is_safeguarding_lead
    in_partnership = set(cast.partnership.organisations.all())
    assert cast.outsider.organisation not in in_partnership
    assert all(m.organisation in in_partnership for n, m in members.items() if n != "outsider")


def test_counting_queries_stops_the_clock(count_queries):
    before = time.time()
    time.sleep(0.01)
    with count_queries() as queries:
        Organisation.objects.count()
    assert time.time() == before
    assert len(queries) == 1


def test_asserting_a_query_count_stops_the_clock(db, django_assert_num_queries):
    before = time.time()
    time.sleep(0.01)
    with django_assert_num_queries(0):
        pass
    assert time.time() == before


def test_queries_are_counted_only_through_the_fixtures_that_stop_the_clock():
    """Counting any other way would run with the clock going, so a slow run could count a
    session write that a fast one does not."""
    root = Path(__file__).resolve().parents[3]
    ways = ("CaptureQueriesContext", "assertNumQueries", "connection.queries")
    this_file = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(root))
        for path in sorted((root / "resettle").rglob("*.py"))
        if "tests" in path.parts or path.parent.name == "e2e"
        if path != this_file and any(way in path.read_text() for way in ways)
    ]
    assert offenders == []
