"""Every API operation, fed generated input (valid and invalid) by schemathesis, as several
roles: none may answer with a server error or contradict the OpenAPI schema it publishes (status
codes, content types, bodies, headers). Settings for the checks are in schemathesis.toml."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from resettle.api.tests.conftest import add_person
from resettle.testing import token_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# A caseworker of the lead charity (who works with people), a delivery partner's coordinator
# (who sees little) and probation (who sees offence information).
ROLES = ["caseworker", "coordinator", "probation"]


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """The WSGI handler closes the database connection after each request, as it should in
    service; here that would end the test's transaction. Django's test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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
