"""Who qualifies for a Justice Data Lab cohort, the index date rule, and the JDL file."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from resettle.cases.models import Case
from resettle.custody.models import CustodyEventKind
from resettle.directory.models import Service
from resettle.evaluation import extracts
from resettle.evaluation.cohorts import JDL_COLUMNS, CustodyStep, Exclusion, index_date
from resettle.evaluation.disclosure import suppressed_counts
from resettle.evaluation.selectors import cohort_summary
from resettle.evaluation.tests.conftest import START, released
from resettle.people import choices
from resettle.people.models import Identifier
from resettle.referrals.models import Referral

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 1)


def test_support_in_the_community_is_indexed_on_its_start():
    assert index_date(DAY, [], DAY + timedelta(days=90)) == (False, DAY)


def test_support_that_started_in_custody_is_indexed_on_the_release():
    steps = [
        CustodyStep("p", CustodyEventKind.STARTED, DAY - timedelta(days=200)),
        CustodyStep("p", CustodyEventKind.RELEASED, DAY + timedelta(days=20)),
    ]
    assert index_date(DAY, steps, DAY + timedelta(days=90)) == (True, DAY + timedelta(days=20))


def test_support_in_custody_before_a_release_has_no_index_date():
    steps = [CustodyStep("p", CustodyEventKind.STARTED, DAY - timedelta(days=200))]
    assert index_date(DAY, steps, DAY + timedelta(days=90)) == (True, None)


def test_a_release_before_support_started_leaves_it_in_the_community():
    steps = [
        CustodyStep("p", CustodyEventKind.STARTED, DAY - timedelta(days=200)),
        CustodyStep("p", CustodyEventKind.RELEASED, DAY - timedelta(days=20)),
    ]
    assert index_date(DAY, steps, DAY + timedelta(days=90)) == (False, DAY)


def test_people_without_a_date_of_birth_are_listed_excluded_and_counted(cast, cohort, supported):
    kept = supported(family_name="Kept")
    missing = supported(family_name="Nodob", date_of_birth=None)
    summary = cohort_summary(actor=cast.analyst, cohort=cohort)
    assert [m.person_id for m in summary.qualifying] == [kept.pk]
    assert [m.person_id for m in summary.excluded] == [missing.pk]
    assert summary.excluded[0].exclusions == (Exclusion.NO_DATE_OF_BIRTH,)
    counts = dict(summary.exclusion_counts)
    assert counts == {
        Exclusion.NO_DATE_OF_BIRTH: 1,
        Exclusion.NO_GENDER: 0,
        Exclusion.NO_INDEX_DATE: 0,
    }


def test_sex_not_recorded_and_not_yet_released_are_exclusions_too(cast, cohort, supported):
    supported(family_name="Nosex", sex=choices.Sex.PREFER_NOT_TO_SAY)
    inside = supported(family_name="Inside")
    released(inside, cast.probation.user, started=START - timedelta(days=100), released_on=None)
    summary = cohort_summary(actor=cast.analyst, cohort=cohort)
    assert dict(summary.exclusion_counts) == {
        Exclusion.NO_DATE_OF_BIRTH: 0,
        Exclusion.NO_GENDER: 1,
        Exclusion.NO_INDEX_DATE: 1,
    }
    assert not summary.qualifying


def test_through_the_gate_support_takes_the_release_date(cast, cohort, supported):
    person = supported(days_in=10)
    release_on = START + timedelta(days=40)
    released(
        person, cast.probation.user, started=START - timedelta(days=200), released_on=release_on
    )
    [member] = cohort_summary(actor=cast.analyst, cohort=cohort).members
    assert member.through_the_gate
    assert member.index_date == release_on


def test_support_outside_the_range_and_other_organisations_cases_are_not_in_the_cohort(
    cast, cohort, supported, make_person
):
    supported(days_in=-5)
    elsewhere = make_person(cast.housing)
    Case.objects.create(person=elsewhere, organisation=cast.housing_provider, opened_on=START)
    assert cohort_summary(actor=cast.analyst, cohort=cohort).members == []


def _accepted_referral(cast, person, on: date, state: str = "accepted") -> None:
    service, _ = Service.objects.get_or_create(
        organisation=cast.lead_charity,
        name="Resettlement support",
        defaults={
            "description": "Support.",
            "access": "referral_only",
            "pathways": ["accommodation"],
        },
    )
    decided = timezone.make_aware(datetime.combine(on, time(10)))
    Referral.objects.create(
        person=person,
        service=service,
        referring_organisation=cast.probation_unit,
        referred_by=cast.probation.user,
        reason="Needs housing support",
        pathway="accommodation",
        state=state,
        submitted_at=decided - timedelta(days=1),
        decided_at=decided,
        decline_reason="no_capacity" if state == "declined" else "",
    )


def test_an_accepted_referral_in_the_range_counts_as_receiving_the_service(
    cast, cohort, make_person
):
    person = make_person(cast.caseworker, date_of_birth=date(1988, 1, 2), sex="female")
    _accepted_referral(cast, person, START + timedelta(days=3))
    before = make_person(cast.caseworker, family_name="Before")
    _accepted_referral(cast, before, START - timedelta(days=1))
    declined = make_person(cast.caseworker, family_name="Declined")
    _accepted_referral(cast, declined, START + timedelta(days=5), state="declined")
    [member] = cohort_summary(actor=cast.analyst, cohort=cohort).members
    assert member.person_id == person.pk
    assert member.support_start == START + timedelta(days=3)
    assert member.qualifies


def test_the_jdl_file_has_the_template_columns_and_formats(cast, cohort, supported):
    person = supported(family_name="Okafor", given_name="Sam")
    Identifier.objects.create(person=person, scheme="pnc", value="2011/0012345Z")
    Identifier.objects.create(person=person, scheme="prison_number", value="A1234BC")
    supported(family_name="Nodob", date_of_birth=None)
    summary = cohort_summary(actor=cast.analyst, cohort=cohort)
    rows = list(csv.reader(io.StringIO(extracts.jdl_file(summary.members).decode())))
    assert tuple(rows[0]) == JDL_COLUMNS
    assert rows[1:] == [
        [
            "Okafor",
            "Sam",
            "17/05/1990",
            "Male",
            (START + timedelta(days=30)).strftime("%d/%m/%Y"),
            "2011/0012345Z",
            "A1234BC",
        ]
    ]


def test_small_counts_are_hidden_with_a_second_so_the_total_does_not_give_them_away():
    assert suppressed_counts({"a": 3, "b": 7, "c": 20, "d": 0}) == {
        "a": "fewer than 5",
        "b": "suppressed",
        "c": "20",
        "d": "0",
    }
    assert suppressed_counts({"a": 3, "b": 2, "c": 20}) == {
        "a": "fewer than 5",
        "b": "fewer than 5",
        "c": "20",
    }
