"""Every API operation, fed generated input (valid and invalid) by schemathesis, as several
roles: none may answer with a server error or contradict the OpenAPI schema it publishes (status
codes, content types, bodies, headers). Settings for the checks are in schemathesis.toml."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from resettle.api.tests.conftest import add_person
from resettle.testing import token_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# A caseworker of the lead charity (who works with people), a delivery partner's coordinator
# (who sees little) and probation (who sees offence information).
ROLES = ["caseworker", "coordinator", "probation"]


@pytest.fixture
def token_of(cast):
    add_person(cast.caseworker)
    return lambda role: token_for(getattr(cast, role).user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_keeps_to_its_schema(case, role, token_of):
    case.call_and_validate(headers={"Authorization": f"Bearer {token_of(role)}"})
