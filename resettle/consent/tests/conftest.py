"""The agreement that makes consent matter: health shared with housing on consent."""

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.partnerships.tests.factories import make_agreement


@pytest.fixture
def health_by_consent(cast) -> SharingAgreement:
    """Housing providers may see health, but only where the person has consented."""
    return make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.HOUSING],
        lawful_basis=LawfulBasis.CONSENT,
    )
