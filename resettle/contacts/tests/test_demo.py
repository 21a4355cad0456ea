"""The demo's contacts and plans: a believable year of contacts, and plans with history."""

from datetime import date, timedelta

import pytest

from resettle.contacts.models import Contact
from resettle.demo.generator import generate
from resettle.plans.models import Goal, GoalStep, GoalUpdate, PlanReview

pytestmark = pytest.mark.django_db

TODAY = date.today()


def test_a_year_of_contacts_thins_out_and_has_misses_and_sensitive_notes():
    generate(40, 3, TODAY, password="a-demo-password")
    contacts = Contact.objects.all()
    assert contacts.count() > 200
    assert contacts.filter(outcome="did_not_attend").exists()
    assert contacts.filter(outcome="cancelled").exclude(cancelled_by="").exists()
    assert not contacts.filter(outcome="attended").exclude(cancelled_by="").exists()
    assert contacts.filter(sensitive=True).exists()
    oldest = TODAY - timedelta(days=366)
    assert not contacts.filter(happened_at__date__lt=oldest).exists()
    for contact in contacts.select_related("case")[:200]:
        assert contact.happened_at.date() >= contact.case.opened_on
    assert Goal.objects.exists() and GoalStep.objects.exists() and PlanReview.objects.exists()
    # Every goal's status is where its history of updates leads.
    for goal in Goal.objects.prefetch_related("updates")[:100]:
        latest = max(goal.updates.all(), key=lambda u: u.on, default=None)
        if latest:
            assert (
                goal.status == latest.status_to
                or GoalUpdate.objects.filter(goal=goal, status_to=goal.status).exists()
            )
        else:
            assert goal.status == "not_started"
