from datetime import time

import pytest

from resettle.directory import services
from resettle.directory.models import Access


def service_data(**changes) -> dict:
    data = {
        "name": "Monday football",
        "description": "Five-a-side for adults.",
        "access": Access.REFERRAL_ONLY,
        "pathways": ["sport"],
    }
    return data | changes


@pytest.fixture
def make_service(cast):
    """A service of the acting organisation (the football trust's coordinator by default)."""

    def build(actor=None, **changes):
        return services.service_create(
            actor=actor or cast.coordinator, data=service_data(**changes)
        )

    return build


SESSION = {"opens_at": time(10), "closes_at": time(12)}
