from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from resettle.accounts.models import Membership

SMALL_DEMO = 40


@pytest.fixture(autouse=True)
def _isolated_password(settings, tmp_path, monkeypatch):
    """Never read or write the developer's own .demo-password, nor use their DEMO_PASSWORD."""
    settings.DEMO_PASSWORD_FILE = tmp_path / ".demo-password"
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def demo(db):
    call_command("generate_demo", people=SMALL_DEMO, today=date.today(), stdout=StringIO())


@pytest.fixture
def actor():
    """The one membership of a named demo login, as the policy's actor."""

    def membership(username: str) -> Membership:
        return Membership.objects.select_related("organisation", "user").get(
            user__username=username
        )

    return membership
