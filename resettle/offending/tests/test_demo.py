"""The demo's offence and risk records: for the people probation supervises, dated by their
custody records, with history, readable by the probation login and no partner's, the same for
the same seed, and removed with the demo."""

from datetime import date, timedelta

import pytest

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.demo.generator import delete_demo, generate
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.people.models import WorkingRelationship

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _digest() -> list:
    return [
        sorted(Sentence.objects.values_list("id", "person_id", "sentenced_on", "length_months")),
        sorted(RiskAssessment.objects.values_list("id", "supersedes_id", "rosh_level")),
        sorted(LicenceCondition.objects.values_list("id", "kind", "starts_on", "ends_on")),
    ]


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def test_the_demo_records_offence_and_risk_in_step_with_custody() -> None:
    generate(80, 3, TODAY, password="a-demo-password")
    probation = _member("probation")
    supervised = set(
        WorkingRelationship.objects.filter(organisation=probation.organisation).values_list(
            "person_id", flat=True
        )
    )
    sentences = list(Sentence.objects.all())
    assert sentences and {s.person_id for s in sentences} <= supervised
    periods: dict = {}
    for period in CustodyPeriod.objects.filter(kind=CustodyKind.SENTENCE):
        periods.setdefault(period.person_id, []).append(period)
    for sentence in sentences:
        sentence.full_clean()
        # Sentenced on, or a few days before, the start of a custody period of theirs.
        assert any(
            timedelta(0) <= p.start_date - sentence.sentenced_on <= timedelta(days=6)
            for p in periods[sentence.person_id]
        )
    assert Sentence.objects.values("person_id").distinct().count() < len(sentences), (
        "some people have an earlier sentence as history"
    )

    assessments = list(RiskAssessment.objects.all())
    for assessment in assessments:
        assessment.full_clean(validate_constraints=False)
        assert assessment.assessed_on <= TODAY
    assert any(a.supersedes_id for a in assessments), "some were reassessed"
    current = RiskAssessment.objects.filter(superseded_by__isnull=True)
    assert current.count() == current.values("person_id").distinct().count()

    conditions = list(LicenceCondition.objects.all())
    for condition in conditions:
        latest = max(periods[condition.person_id], key=lambda p: p.start_date)
        assert condition.starts_on in (latest.released_on, latest.expected_release_date)
    assert any(c.ends_on and c.ends_on <= TODAY for c in conditions), "some have ended"
    assert any(c.live_on(TODAY) for c in conditions), "some are in force"

    person = sentences[0].person
    assert policy.can_view_offending(probation, person)
    for partner in ("caseworker", "coordinator", "mentor", "housing"):
        assert not policy.can_view_offending(_member(partner), person)


def test_the_same_seed_gives_the_same_records_and_a_reset_removes_them() -> None:
    generate(40, 5, TODAY, password="a-demo-password")
    first = _digest()
    delete_demo()
    assert not (Sentence.objects.exists() or RiskAssessment.objects.exists())
    assert not LicenceCondition.objects.exists()

    generate(40, 5, TODAY, password="a-demo-password")

    assert _digest() == first
