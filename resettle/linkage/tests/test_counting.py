"""Counting people once across the partnership: records a finished linkage run put in one
cluster count once; before any run, each record counts."""

import uuid

from resettle.linkage.models import LinkageRun, PersonLink, RunState
from resettle.linkage.selectors import distinct_people
from resettle.people.models import Person


def test_linked_records_count_once_and_unlinked_records_count_alone(cast, make_person):
    bill = make_person(cast.caseworker, given_name="Bill", family_name="Smith")
    william = make_person(cast.probation, given_name="William", family_name="Smith")
    jane = make_person(cast.housing, given_name="Jane", family_name="Doe")
    later = make_person(cast.housing, given_name="Newly", family_name="Added")
    people = Person.objects.filter(pk__in=[bill.pk, william.pk, jane.pk, later.pk])

    assert distinct_people(partnership_id=cast.partnership.pk, people=people) is None

    run = LinkageRun.objects.create(partnership=cast.partnership, state=RunState.DONE)
    cluster = min(bill.pk, william.pk, key=str)
    PersonLink.objects.create(run=run, person=bill, cluster_id=cluster, match_weight=20)
    PersonLink.objects.create(run=run, person=william, cluster_id=cluster, match_weight=20)
    PersonLink.objects.create(run=run, person=jane, cluster_id=jane.pk)
    # `later` was added after the run: it counts as itself.
    assert distinct_people(partnership_id=cast.partnership.pk, people=people) == 3


def test_another_partnerships_run_does_not_count(cast, make_person):
    person = make_person(cast.caseworker)
    assert (
        distinct_people(partnership_id=uuid.uuid4(), people=Person.objects.filter(pk=person.pk))
        is None
    )
