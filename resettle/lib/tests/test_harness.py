"""The test harness itself: the network is blocked and the cast is as DESIGN §7 describes."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from resettle.accounts.models import Role


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
