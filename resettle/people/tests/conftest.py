"""Helpers for the people pages' tests."""

import pytest

from resettle.people.tests.sharing import make_consent


@pytest.fixture
def consent(db):
    """`consent(person, categories=[...], kinds=[...])`: the person's consent, given a month ago."""
    return make_consent
