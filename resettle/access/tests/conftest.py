import pytest
from django.db import transaction

from resettle.access.tests.matrix.scenario import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The authorization matrix's world, built once for a module inside a transaction rolled
    back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
