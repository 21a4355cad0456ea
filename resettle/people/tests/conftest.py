"""Helpers for the people pages' tests."""

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.people.tests.sharing import make_consent


@pytest.fixture
def consent(db):
    """`consent(person, categories=[...], kinds=[...])`: the person's consent, given a month ago."""
    return make_consent


@pytest.fixture
def lead_charity_holds_criminal_justice_ids(share):
    """For tests about people's records rather than sharing: the caseworker's organisation
    receives prison numbers, CRNs and PNC IDs under a statutory agreement."""
    return share(categories=[Category.CRIMINAL_JUSTICE_IDS], kinds=[OrganisationKind.LEAD_CHARITY])
