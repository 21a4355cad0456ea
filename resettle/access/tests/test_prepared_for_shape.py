from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import DateField

from resettle.access import policy
from resettle.access.core import Access, access_for
from resettle.access.prepared import PreparedForShape
from resettle.cases.models import Case
from resettle.core.prepared import Param

pytestmark = pytest.mark.django_db
TODAY = date.today()

# The organisation's own cases the actor sees, opened since a day given each run.
OWN_CASES = PreparedForShape(
    lambda actor, on: (
        policy.cases_visible_to(actor)
        .filter(organisation_id=actor.organisation_id, opened_on__gte=Param("since", DateField()))
        .order_by("opened_on")
    )
)


@pytest.fixture
def served(settings):
    """As a server runs: the SQL a shape compiled is kept, not built again each run."""
    settings.ENVIRONMENT = "production"


def open_case(actor, person, days_ago: int) -> Case:
    return Case.objects.create(
        person=person,
        organisation=actor.organisation,
        worker=actor.user,
        opened_on=TODAY - timedelta(days=days_ago),
    )


def test_each_shape_reads_its_own_rows(served, cast, make_person):
    charity = open_case(cast.caseworker, make_person(cast.caseworker), days_ago=3)
    family = open_case(cast.family, make_person(cast.family), days_ago=3)

    for _ in range(2):  # the second run of each uses the SQL kept from the first
        since = TODAY - timedelta(days=10)
        assert OWN_CASES(cast.caseworker, TODAY, since=since) == [charity]
        assert OWN_CASES(cast.family, TODAY, since=since) == [family]
        assert OWN_CASES(cast.outsider, TODAY, since=since) == []


def test_each_run_takes_its_own_values(served, cast, make_person, django_assert_num_queries):
    older = open_case(cast.caseworker, make_person(cast.caseworker), days_ago=30)
    newer = open_case(cast.caseworker, make_person(cast.caseworker), days_ago=3)
    Access.for_request(cast.caseworker)  # as a request's: what it may see, worked out once
    OWN_CASES(cast.caseworker, TODAY, since=TODAY)

    with django_assert_num_queries(2):
        assert OWN_CASES(cast.caseworker, TODAY, since=TODAY - timedelta(days=60)) == [
            older,
            newer,
        ]
        assert OWN_CASES(cast.caseworker, TODAY, since=TODAY - timedelta(days=10)) == [newer]


def test_access_that_ended_is_refused_on_the_next_run(served, cast, make_person):
    case = open_case(cast.caseworker, make_person(cast.caseworker), days_ago=3)
    since = TODAY - timedelta(days=10)
    assert OWN_CASES(cast.caseworker, TODAY, since=since) == [case]

    cast.caseworker.ended_on = TODAY
    cast.caseworker.save()

    assert OWN_CASES(cast.caseworker, TODAY, since=since) == []


def test_a_list_resting_on_what_the_shape_leaves_out_fails_under_test(cast, make_person):
    person = make_person(cast.caseworker)
    chosen = [person.pk]
    resting = PreparedForShape(
        lambda actor, on: policy.cases_visible_to(actor).filter(person_id__in=list(chosen))
    )
    resting(cast.caseworker, TODAY)
    chosen.append(make_person(cast.caseworker).pk)

    with pytest.raises(AssertionError, match="changed between builds"):
        resting(cast.caseworker, TODAY)


def test_a_paginator_reads_the_rows_page_by_page(served, cast, make_person):
    cases = [open_case(cast.caseworker, make_person(cast.caseworker), n) for n in (5, 4, 3)]
    since = TODAY - timedelta(days=10)

    for _ in range(2):
        paginator = Paginator(OWN_CASES.rows(cast.caseworker, TODAY, since=since), per_page=2)
        assert paginator.count == 3
        assert list(paginator.page(1).object_list) == cases[:2]
        assert list(paginator.page(2).object_list) == cases[2:]
    with pytest.raises(TypeError, match="a page at a time"):
        OWN_CASES.rows(cast.caseworker, TODAY, since=since)[0]


def test_the_least_recently_used_forms_are_given_up_first(served, cast, make_person, monkeypatch):
    monkeypatch.setattr("resettle.access.prepared.KEPT", 2)
    since = TODAY - timedelta(days=10)
    own = PreparedForShape(OWN_CASES.build)
    for actor in (cast.caseworker, cast.family, cast.caseworker, cast.housing):
        own(actor, TODAY, since=since)

    kept = [key[0] for key in own._kept]
    assert len(kept) == 2
    assert kept[0] == access_for(cast.caseworker).principal.shape(TODAY)  # used again, so kept
    assert kept[1] == access_for(cast.housing).principal.shape(TODAY)
