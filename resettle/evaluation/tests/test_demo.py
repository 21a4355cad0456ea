"""The demo's evidence: an evaluation-ready cohort of more than 60 released people, a few
outcome events, and an agreement that permits the files."""

from datetime import date

import pytest

from resettle.access.policy import agreement_permitting
from resettle.accounts.models import Membership
from resettle.custody.models import CustodyPeriod
from resettle.demo.generator import delete_demo, generate
from resettle.evaluation.cohorts import JDL_MINIMUM
from resettle.evaluation.models import Cohort, OutcomeEvent
from resettle.evaluation.selectors import cohort_summary
from resettle.partnerships.models import PermittedExport

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _digest() -> list:
    return list(
        OutcomeEvent.objects.order_by("id").values_list(
            "id", "person_id", "kind", "occurred_on", "offence_category", "source"
        )
    )


def test_the_analysts_demo_cohort_is_ready_for_the_justice_data_lab():
    generate(300, 7, TODAY, password="a-demo-password")
    analyst = Membership.objects.select_related("organisation", "user").get(
        user__username="analyst"
    )
    cohort = Cohort.objects.get(organisation=analyst.organisation)
    summary = cohort_summary(actor=analyst, cohort=cohort)
    qualifying = {m.person_id for m in summary.qualifying}
    released = CustodyPeriod.objects.filter(person_id__in=qualifying, released_on__isnull=False)
    assert released.values("person_id").distinct().count() > JDL_MINIMUM
    assert any(m.through_the_gate for m in summary.qualifying)
    assert summary.excluded, "the demo shows why some people do not qualify"
    assert agreement_permitting(analyst, PermittedExport.JUSTICE_DATA_LAB) is not None
    assert OutcomeEvent.objects.count() >= 3
    first = _digest()
    delete_demo()
    generate(300, 7, TODAY, password="a-demo-password")
    assert _digest() == first
