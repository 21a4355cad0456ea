"""The people a principal may see, compiled once per request: the same rows as the ORM's own
EXISTS in every shape a rule uses it (a filter, an OR, a negation, an annotation, inside a
correlated subquery, through a join, over the relationships table itself), one compile however
often a request asks, and nothing kept past a write it rests on."""

from datetime import date

import pytest
from django.db.models import Exists, OuterRef, Q

from resettle.access import compiled, core
from resettle.access.categories import Category
from resettle.access.compiled import CompiledExists
from resettle.access.core import Access, about, people_visible_to, people_with_category
from resettle.people.models import Identifier, Person, WorkingRelationship
from resettle.people.tests.sharing import make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast, make_person):
    """Two people the caseworker works with (one also with housing), one it does not."""
    mine = make_person(cast.caseworker, given_name="Mine")
    shared = make_person(cast.caseworker, cast.housing, given_name="Shared")
    theirs = make_person(cast.housing, given_name="Theirs")
    for person in (mine, shared, theirs):
        Identifier.objects.create(person=person, scheme="ni_number", value=str(person.pk)[:9])
    return mine, shared, theirs


def orm_about(actor, field: str = "person_id") -> Exists:
    """The ORM's own EXISTS over the same people, built without the request's Access."""
    return Exists(Person.objects.filter(Exists(_relationships(actor)), pk=OuterRef(field)))


def _relationships(actor):
    return WorkingRelationship.objects.filter(
        person_id=OuterRef("pk"), organisation_id=actor.organisation_id, ended_on__isnull=True
    )


def test_it_is_compiled_for_the_access_the_request_keeps(cast, people):
    access = Access.for_request(cast.caseworker)
    assert isinstance(about(people_visible_to(access)), CompiledExists)
    # A queryset filtered after the Access gave it is not what the Access keeps.
    assert isinstance(about(people_visible_to(access).filter(given_name="Mine")), Exists)


@pytest.mark.parametrize(
    "shape",
    [
        lambda visible: Q(visible),
        lambda visible: Q(visible) | Q(person__given_name="Theirs"),
        lambda visible: ~Q(visible),
        lambda visible: Q(visible) & ~Q(person__given_name="Mine"),
    ],
    ids=["filter", "or", "not", "and-not"],
)
def test_it_finds_the_same_identifiers_as_the_orm(cast, people, shape):
    access = Access.for_request(cast.caseworker)
    compiled = Identifier.objects.filter(shape(about(people_visible_to(access))))
    orm = Identifier.objects.filter(shape(orm_about(cast.caseworker)))
    assert sorted(compiled.values_list("pk", flat=True)) == sorted(orm.values_list("pk", flat=True))


def test_it_annotates_as_exists_does(cast, people):
    access = Access.for_request(cast.caseworker)
    rows = Identifier.objects.annotate(visible=about(people_visible_to(access)))
    seen = {row.person.given_name: row.visible for row in rows.select_related("person")}
    assert seen == {"Mine": True, "Shared": True, "Theirs": False}


def test_it_follows_a_join_to_the_person(cast, people):
    access = Access.for_request(cast.caseworker)
    # The person's id read through the join from identifier to person.
    rows = Identifier.objects.filter(about(people_visible_to(access), "person__pk"))
    assert {row.person.given_name for row in rows} == {"Mine", "Shared"}


def test_it_works_inside_a_correlated_subquery(cast, people):
    access = Access.for_request(cast.caseworker)
    identifiers = Identifier.objects.filter(about(people_visible_to(access)))
    people_with_visible_identifier = Person.objects.filter(
        Exists(identifiers.filter(person_id=OuterRef("pk")))
    )
    assert {p.given_name for p in people_with_visible_identifier} == {"Mine", "Shared"}


def test_the_outer_relationships_are_not_confused_with_its_own(cast, people):
    """Over the working relationships table itself: every relationship (any organisation's) of a
    person the caseworker may see, not only the caseworker's own."""
    access = Access.for_request(cast.caseworker)
    rows = WorkingRelationship.objects.filter(about(people_visible_to(access)))
    assert sorted((r.person.given_name, r.organisation_id) for r in rows) == sorted(
        [
            ("Mine", cast.caseworker.organisation_id),
            ("Shared", cast.caseworker.organisation_id),
            ("Shared", cast.housing.organisation_id),
        ]
    )


def test_someone_who_sees_nobody_matches_nothing_and_its_negation_everything(cast, people):
    access = Access.for_request(cast.analyst)
    visible = about(people_visible_to(access))
    assert not Identifier.objects.filter(visible).exists()
    assert Identifier.objects.filter(~Q(visible)).count() == 3


def test_a_request_compiles_each_kept_set_of_people_once(cast, people, monkeypatch):
    calls = []
    real = core.compile_subquery
    monkeypatch.setattr(core, "compile_subquery", lambda *a: calls.append(a) or real(*a))
    access = Access.for_request(cast.caseworker)
    for _ in range(3):
        list(Identifier.objects.filter(about(people_visible_to(access))))
        list(Identifier.objects.filter(about(people_with_category(access, Category.IDENTITY))))
    assert len(calls) == 2


def test_a_write_it_rests_on_is_seen_by_the_next_query(cast, people, make_person):
    access = Access.for_request(cast.caseworker)
    before = Identifier.objects.filter(about(people_visible_to(access)))
    assert before.count() == 2
    _, _, theirs = people
    WorkingRelationship.objects.create(
        person=theirs, organisation=cast.caseworker.organisation, started_on=date.today()
    )
    after = Identifier.objects.filter(about(people_visible_to(access)))
    assert after.count() == 3


def test_the_compiled_subquery_is_part_of_the_one_query_not_a_list_of_ids(
    cast, people, count_queries
):
    access = Access.for_request(cast.caseworker)
    access.agreement_grants()  # read once per request, before any list
    with count_queries() as queries:
        list(Identifier.objects.filter(about(people_visible_to(access))))
    (query,) = queries
    assert "EXISTS" in query["sql"].upper()


def _compiles(monkeypatch) -> list:
    calls: list = []
    real = core.compile_subquery

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(core, "compile_subquery", counted)
    return calls


def test_later_requests_of_the_same_shape_use_the_sql_compiled_before(
    cast, people, monkeypatch, settings
):
    settings.ENVIRONMENT = "production"
    compiled._shared.clear()
    calls = _compiles(monkeypatch)
    for _ in range(3):
        access = Access.for_request(cast.caseworker)
        assert Identifier.objects.filter(about(people_visible_to(access))).count() == 2
    assert len(calls) == 1
    # Another organisation, another shape: its own SQL, its own people.
    housing = Access.for_request(cast.housing)
    assert Identifier.objects.filter(about(people_visible_to(housing))).count() == 2
    assert len(calls) == 2


def test_a_change_to_what_the_sql_rests_on_makes_a_new_shape(cast, people, make_person, settings):
    settings.ENVIRONMENT = "production"
    compiled._shared.clear()
    before = Access.for_request(cast.caseworker).principal.shape(date.today())
    make_agreement(
        cast.partnership,
        owner=cast.probation_unit,
        categories=[Category.CUSTODY],
        organisations=[cast.lead_charity],
    )
    after = Access.for_request(cast.caseworker).principal.shape(date.today())
    assert before != after
    cast.caseworker.role = "peer_mentor"
    assert Access.for_request(cast.caseworker).principal.shape(date.today()) != after


def test_under_test_a_shape_that_does_not_decide_its_sql_fails(cast, people):
    compiled._shared.clear()  # earlier tests in this process leave their shapes
    access = Access.for_request(cast.caseworker)
    list(Identifier.objects.filter(about(people_visible_to(access))))
    key = next(iter(compiled._shared))
    compiled._shared[key] = ("SELECT 1 WHERE %s", (1,))
    with pytest.raises(AssertionError, match="does not decide its SQL"):
        list(
            Identifier.objects.filter(about(people_visible_to(Access.for_request(cast.caseworker))))
        )
    compiled._shared.clear()
