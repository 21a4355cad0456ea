from datetime import date

import pytest

from resettle.access import policy
from resettle.people import selectors
from resettle.people.choices import NameKind, RelationshipKind
from resettle.people.models import PersonName, Relationship
from resettle.people.selectors import (
    ORDERINGS,
    person_family,
    person_list,
    possible_duplicates,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("lead_charity_holds_criminal_justice_ids"),
]


@pytest.fixture
def people(cast, make_person):
    """A small caseload for the lead charity, and look-alikes it must never find."""
    return {
        "william": make_person(cast.caseworker, given_name="William", family_name="Turner"),
        "john": make_person(
            cast.caseworker, given_name="John", family_name="Smith", date_of_birth=date(1985, 2, 3)
        ),
        "jane": make_person(
            cast.caseworker, given_name="Jane", family_name="Smith", date_of_birth=date(1990, 7, 1)
        ),
        "marek": make_person(
            cast.caseworker,
            given_name="Marek",
            family_name="Nowak",
            identifiers={"prison_number": "A1234BC"},
        ),
        "hidden_smith": make_person(
            cast.housing,
            given_name="John",
            family_name="Smith",
            date_of_birth=date(1985, 2, 3),
            identifiers={"prison_number": "Z9999ZZ"},
        ),
    }


def names(found) -> list[str]:
    return [p.full_name for p in found]


@pytest.mark.parametrize("few_people", [0, 2000])
@pytest.mark.parametrize("ordering", ["name", "-date_of_birth", "updated"])
@pytest.mark.parametrize("role", ["caseworker", "mentor"])
def test_a_small_or_large_caseload_lists_the_same_people_in_the_same_order(
    cast, people, make_person, monkeypatch, few_people, ordering, role
):
    # Counted first, a small caseload is read by its ids; a large one in the order wanted.
    actor = getattr(cast, role)
    make_person(actor, given_name="Mina", family_name="Mentee")
    expected = list(policy.people_visible_to(actor).order_by(*ORDERINGS[ordering]))
    monkeypatch.setattr(selectors, "FEW_PEOPLE", few_people)
    count = policy.count_people_visible_to(actor)
    found = person_list(actor=actor, ordering=ordering, visible_count=count)
    assert list(found) == expected
    assert count == len(expected)


def test_list_without_a_query_is_the_actors_caseload_by_name(cast, people):
    assert names(person_list(actor=cast.caseworker)) == [
        "Marek Nowak",
        "Jane Smith",
        "John Smith",
        "William Turner",
    ]


def test_nickname_finds_the_formal_name(cast, people):
    assert names(person_list(actor=cast.caseworker, query="Bill Turner")) == ["William Turner"]


@pytest.mark.parametrize("query", ["John Smtih", "Jon Smith", "Jonh Smith"])
def test_typos_still_find_the_person(cast, people, query):
    assert names(person_list(actor=cast.caseworker, query=query))[0] == "John Smith"


def test_swapped_names_find_the_person(cast, people):
    assert names(person_list(actor=cast.caseworker, query="Smith John"))[0] == "John Smith"


def test_family_name_then_comma_then_given_name_finds_the_person(cast, people):
    assert names(person_list(actor=cast.caseworker, query="Smith, John"))[0] == "John Smith"


def test_one_word_matches_either_name(cast, people):
    assert set(names(person_list(actor=cast.caseworker, query="smith"))) == {
        "John Smith",
        "Jane Smith",
    }
    assert names(person_list(actor=cast.caseworker, query="Marek")) == ["Marek Nowak"]


def test_alias_finds_the_person(cast, people):
    PersonName.objects.create(
        person=people["marek"], kind=NameKind.ALIAS, given_name="Mark", family_name="Novak"
    )
    assert names(person_list(actor=cast.caseworker, query="Mark Novak")) == ["Marek Nowak"]


@pytest.mark.parametrize("query", ["A1234BC", "a1234bc", " a 1234 bc "])
def test_identifier_finds_exactly_that_person(cast, people, query):
    assert names(person_list(actor=cast.caseworker, query=query)) == ["Marek Nowak"]


def test_date_of_birth_narrows_the_list(cast, people):
    found = person_list(actor=cast.caseworker, query="Smith", date_of_birth=date(1990, 7, 1))
    assert names(found) == ["Jane Smith"]
    assert names(person_list(actor=cast.caseworker, date_of_birth=date(1985, 2, 3))) == [
        "John Smith"
    ]


def test_search_never_returns_people_the_actor_cannot_see(cast, people):
    found = person_list(actor=cast.caseworker, query="John Smith")
    assert people["hidden_smith"] not in found
    assert person_list(actor=cast.caseworker, query="Z9999ZZ") == []


def test_roles_that_see_no_people_find_nobody(cast, people):
    assert not person_list(actor=cast.analyst)
    assert person_list(actor=cast.analyst, query="John Smith") == []
    assert person_list(actor=cast.outsider, query="A1234BC") == []


def test_a_name_in_another_script_finds_only_that_person(cast, make_person):
    ivan = make_person(cast.caseworker, given_name="Иван", family_name="Петров")
    make_person(cast.caseworker, given_name="Ольга", family_name="Смирнова")
    assert person_list(actor=cast.caseworker, query="Иван Петров") == [ivan], (
        "Names with no Latin letters fold to an empty key, so every such name scores as a "
        "perfect match for every other"
    )


def test_list_query_count_does_not_grow_with_the_caseload(
    cast, make_person, django_assert_max_num_queries
):
    for n in range(12):
        make_person(cast.caseworker, identifiers={"crn": f"X{n:06d}"})
    # The people, their identifiers, and the agreements in force (read once per request: their
    # follow-up windows decide whose work with the organisation has ended).
    with django_assert_max_num_queries(3):
        assert len(list(person_list(actor=cast.caseworker))) == 12


# possible_duplicates


def test_duplicates_name_the_visible_and_only_count_the_hidden(cast, people):
    check = possible_duplicates(
        actor=cast.caseworker,
        given_name="Jon",
        family_name="Smith",
        date_of_birth=date(1985, 2, 3),
    )
    assert check.visible == [people["john"]]
    assert check.hidden_count == 1
    assert check


def test_duplicates_by_identifier_are_found_whoever_holds_it(cast, people):
    check = possible_duplicates(
        actor=cast.caseworker,
        given_name="Someone",
        family_name="Else",
        date_of_birth=None,
        identifiers={"prison_number": "z9999zz"},
    )
    assert check.visible == []
    assert check.hidden_count == 1


def test_no_duplicates_for_a_new_person(cast, people):
    check = possible_duplicates(
        actor=cast.caseworker,
        given_name="Priya",
        family_name="Shah",
        date_of_birth=date(2000, 1, 1),
        identifiers={"prison_number": "not an identifier"},
    )
    assert not check
    assert check.hidden_count == 0


def test_the_person_being_edited_is_not_their_own_duplicate(cast, people):
    check = possible_duplicates(
        actor=cast.caseworker,
        given_name="John",
        family_name="Smith",
        date_of_birth=date(1985, 2, 3),
        exclude=people["john"],
    )
    assert check.visible == []


# person_family


def test_family_marks_relatives_the_actor_cannot_see(cast, make_person):
    parent = make_person(cast.caseworker, given_name="Ada")
    visible_partner = make_person(cast.caseworker, given_name="Ben")
    hidden_child = make_person(cast.family, given_name="Cal", date_of_birth=date(2015, 1, 1))
    Relationship.objects.create(
        person=parent, related_person=visible_partner, kind=RelationshipKind.PARTNER
    )
    Relationship.objects.create(
        person=parent, related_person=hidden_child, kind=RelationshipKind.CHILD
    )
    family = person_family(actor=cast.caseworker, person=parent)
    seen = {r.related_person.given_name: r.related_visible for r in family["relationships"]}
    assert seen == {"Ben": True, "Cal": False}


def test_a_part_of_a_double_barrelled_family_name_finds_the_person(cast, make_person):
    make_person(cast.caseworker, given_name="Ruth", family_name="Smith-Jones")
    make_person(cast.caseworker, given_name="Amir", family_name="Ali Khan")

    assert names(person_list(actor=cast.caseworker, query="Jones")) == ["Ruth Smith-Jones"]
    assert names(person_list(actor=cast.caseworker, query="Ruth Jones")) == ["Ruth Smith-Jones"]
    assert names(person_list(actor=cast.caseworker, query="khan")) == ["Amir Ali Khan"]


def test_the_name_index_follows_renames_and_removals(cast, make_person):
    # On SQLite the family-name index is an FTS5 table kept in step by triggers.
    ruth = make_person(cast.caseworker, given_name="Ruth", family_name="Smith-Jones")
    ruth.family_name = "Okafor-Hughes"
    ruth.save()

    assert names(person_list(actor=cast.caseworker, query="Jones")) == []
    assert names(person_list(actor=cast.caseworker, query="Hughes")) == ["Ruth Okafor-Hughes"]
    ruth.delete()
    assert names(person_list(actor=cast.caseworker, query="Hughes")) == []


def test_a_search_matching_more_than_can_be_ranked_says_so(cast, make_person, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_CANDIDATES", 3)
    for given in ("Ann", "Bob", "Cat", "Dan"):
        make_person(cast.caseworker, given_name=given, family_name="Okafor")

    found = person_list(actor=cast.caseworker, query="Okafor")
    assert found.truncated
    assert len(found) == 3
    assert not person_list(actor=cast.caseworker, query="Cat").truncated
