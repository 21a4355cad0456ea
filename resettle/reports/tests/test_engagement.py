"""Engagement for the quarter of conftest, with a release and gate meetings added, worked out by
hand: release to first contact, gate meetings, contact per person-month, length of support, the
drop-off by 30-day month of support, and open cases gone quiet."""

from datetime import timedelta

import pytest

from resettle.cases.models import Case, Task, TaskKind
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.reports.engagement import engagement
from resettle.reports.selectors import report_scopes
from resettle.reports.tests.conftest import START, on

pytestmark = pytest.mark.django_db


def test_engagement_counts_by_its_definitions(cast, quarter):
    CustodyPeriod.objects.create(
        person=quarter.refused,
        kind=CustodyKind.SENTENCE,
        start_date=START - timedelta(days=200),
        establishment="HMP Northshire",
        released_on=START + timedelta(days=2),
        recorded_by=cast.prison.user,
    )
    case = Case.objects.get(person=quarter.repeat)
    for completed in (True, False):
        Task.objects.create(
            case=case,
            kind=TaskKind.GATE_MEETING,
            title="Meet at the gate",
            due_at=on(START + timedelta(days=3), 8),
            completed_at=on(START + timedelta(days=3), 9) if completed else None,
        )
    scope = report_scopes(actor=cast.admin)[0]

    report = engagement(scope=scope, period=quarter.period, exact=True)

    figures = {f.key: f.cell.count for f in report.figures}
    assert figures["released"] == 1
    assert figures["released_seen"] == 1
    assert figures["median_days_release_to_first_contact"] == 8.0  # released day 2, seen day 10
    assert (figures["gate_meetings_due"], figures["gate_meetings_met"]) == (2, 1)
    days = (quarter.period.end - quarter.period.start).days + 1
    assert figures["contacts_per_person_month"] == pytest.approx(6 / 5 / (days / 30))
    assert figures["median_days_of_support"] == 37.0  # unknown's case, day 3 to day 40
    drop_off = [row.cell.count for row in report.breakdown("drop_off").rows]
    assert drop_off == [4, 1, 1, 0, 0, 0]
    quiet = [row.cell.count for row in report.breakdown("quiet").rows]
    assert quiet == [3, 1, 0]
