from datetime import date

import pytest

from resettle.demo.generator.context import DemoResult
from resettle.demo.generator.organisations import create_organisations
from resettle.demo.generator.services import FULL_SERVICE_NAME, create_services
from resettle.directory.models import Access, Schedule

pytestmark = pytest.mark.django_db


def test_every_demo_organisation_has_open_and_referral_only_services():
    result = DemoResult(seed=7, today=date(2026, 11, 23))
    create_organisations(result)
    create_services(result)

    owners = {service.organisation_id for service in result.services}
    assert owners == {org.pk for org in result.organisations.values()}
    assert {s.access for s in result.services} == set(Access.values)
    full = next(s for s in result.services if s.name == FULL_SERVICE_NAME)
    assert full.capacity == 4 and full.has_waiting_list
    for service in result.services:
        service.full_clean(validate_unique=False)
    for schedule in Schedule.objects.all():
        schedule.full_clean()
