"""Linkage runs end to end: the partnership's records, known truth, every pair right; one run at
a time; reviewers' decisions override the model next run."""

from datetime import date
from itertools import combinations

import pytest

from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.linkage import matching, services
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus, PersonLink, RunState
from resettle.people.models import Address, PersonName

# (truth, given, family, date of birth, sex, postcode, aliases): records with the same truth are
# one person, written differently by different organisations.
FIXTURE = [
    ("william", "William", "Smith", date(1980, 3, 4), "male", "L1 2AB", ()),
    ("william", "Bill", "Smith", date(1980, 3, 4), "male", "L1 2AB", ()),
    ("william", "Will", "Smyth", date(1980, 4, 3), "male", "L1 9ZZ", ()),
    ("jane", "Jane", "Doe", date(1990, 1, 2), "female", "M1 1AA", ()),
    ("jane", "Jane", "Doe-Brown", date(1990, 1, 2), "female", "", ()),
    ("other_jane", "Jane", "Doe", date(1962, 7, 9), "female", "M14 5TT", ()),
    ("tom", "Tom", "Jones", date(1975, 5, 5), "male", "L8 1AA", ()),
    ("tom", "Thomas", "Jnoes", date(1975, 5, 5), "male", "L8 1AA", ()),
    ("mary", "Mary", "Jones", date(2001, 5, 5), "female", "L8 1AA", ()),
    ("kate", "Katherine", "O'Neill", date(1985, 11, 21), "female", "CH41 2AB", ()),
    ("kate", "Kate", "Oneill", date(1985, 11, 12), "female", "CH41 2AB", ()),
    ("sam", "Samantha", "Green", date(1993, 6, 30), "female", "WA1 1AA", ("Samantha White",)),
    ("sam", "Sam", "White", date(1993, 6, 30), "female", "WA1 1AB", ()),
    ("pete", "Peter", "Clarke", date(1970, 2, 14), "male", "L4 0TH", ()),
    ("pete_son", "Peter", "Clarke", date(1998, 9, 1), "male", "L4 0TH", ()),
]


def _records(cast, make_person):
    makers = [cast.caseworker, cast.probation, cast.coordinator, cast.housing]
    truth = {}
    for index, (who, given, family, born, sex, postcode, aliases) in enumerate(FIXTURE):
        person = make_person(
            makers[index % len(makers)],
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=sex,
        )
        if postcode:
            Address.objects.create(person=person, kind="home", line_1="1 Road", postcode=postcode)
        for alias in aliases:
            alias_given, alias_family = alias.split(" ")
            PersonName.objects.create(
                person=person, kind="previous", given_name=alias_given, family_name=alias_family
            )
        truth[str(person.pk)] = who
    return truth


def _run(cast, **thresholds) -> LinkageRun:
    run = services.linkage_run_request(actor=cast.admin, partnership=cast.partnership, **thresholds)
    return services.linkage_run_execute(run_id=run.pk)


def test_it_links_every_pair_of_the_known_truth_right(cast, make_person):
    truth = _records(cast, make_person)
    run = _run(cast)
    assert run.state == RunState.DONE, run.error
    linked = {
        (str(p.left_id), str(p.right_id))
        for p in LinkPair.objects.filter(run=run, status=PairStatus.LINKED)
    }
    clusters = dict(PersonLink.objects.filter(run=run).values_list("person_id", "cluster_id"))
    clusters = {str(k): v for k, v in clusters.items()}
    for a, b in combinations(sorted(truth), 2):
        same = truth[a] == truth[b]
        assert (clusters[a] == clusters[b]) == same, (truth[a], truth[b])
    # No link the model made on its own joins two different people.
    assert all(truth[a] == truth[b] for a, b in linked)
    assert run.figures["records"] == len(FIXTURE)
    assert run.figures["clusters"] == len(set(truth.values()))
    assert run.model["comparisons"]


def test_it_keeps_the_reasons_with_each_link(cast, make_person):
    _records(cast, make_person)
    run = _run(cast)
    pair = LinkPair.objects.filter(run=run, status=PairStatus.LINKED).first()
    assert pair is not None and pair.agreed
    linked = PersonLink.objects.filter(run=run, match_weight__isnull=False).first()
    assert linked is not None and linked.reasons


def test_it_refuses_a_second_run_while_one_is_under_way(cast):
    services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)
    with pytest.raises(ApplicationError, match="already running"):
        services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)


def test_it_refuses_a_caseworker(cast):
    with pytest.raises(PermissionDenied):
        services.linkage_run_request(actor=cast.caseworker, partnership=cast.partnership)


def test_a_rejected_pair_stays_apart_on_the_next_run(cast, make_person):
    _records(cast, make_person)
    run = _run(cast)
    pair = LinkPair.objects.filter(run=run, status=PairStatus.LINKED).first()
    services.pair_decide(actor=cast.admin, pair=pair, decision="reject")
    again = _run(cast)
    same = LinkPair.objects.get(run=again, left=pair.left, right=pair.right)
    assert same.status == PairStatus.REJECTED


def test_the_model_scores_nicknames_and_transposed_dates_without_the_database():
    records = [
        matching.Record("1", "Robert", "Brown", date(1988, 2, 10), "male", "L1 1AA"),
        matching.Record("2", "Bob", "Brown", date(1988, 10, 2), "male", "L1 1AA"),
    ]
    result = matching.link(records)
    (pair,) = result.pairs
    assert pair.agreed["given_name"] == "nickname or known-as name"
    assert pair.agreed["date_of_birth"] == "transposed day and month"
    assert pair.match_weight >= matching.DEFAULT_UPPER


def test_names_the_wrong_way_round_count_once_even_when_one_has_become_part_of_a_longer_name():
    records = [
        matching.Record("1", "Emmanuel", "Abdullahi", date(1990, 11, 16), "male", None),
        matching.Record("2", "Abdullahi", "Emmanuel-Fitzwilliam", date(1990, 11, 16), "male", None),
        matching.Record("3", "Lewis", "James", date(1975, 3, 8), "male", None),
        matching.Record("4", "James", "Lewis", date(1975, 3, 8), "male", None),
    ]
    result = matching.link(records)
    for pair in result.pairs:
        assert pair.agreed["given_name"] == "swapped with family name", pair
        assert pair.agreed["family_name"] == "swapped with given name", pair
        assert pair.match_weight >= matching.DEFAULT_UPPER
    assert {(p.left, p.right) for p in result.pairs} == {("1", "2"), ("3", "4")}


def test_a_shared_address_is_weighed_against_households_not_against_one_persons_records():
    """How often two people of one family name share an address is counted among records of
    different given names: two records of John Smith at one address are most likely one man."""
    from splink import DuckDBAPI

    def smith(record_id, given, postcode):
        return matching.Record(record_id, given, "Smith", None, "male", postcode)

    records = [
        smith("1", "John", "L1 1AA"),
        smith("2", "John", "L1 1AA"),
        smith("3", "Mary", "L1 1AA"),
        smith("4", "Peter", "L2 2BB"),
        smith("5", "Paul", "L3 3CC"),
    ]
    model = matching.settings(0.01)
    with matching._connection() as connection:
        db_api = DuckDBAPI(connection)
        table = db_api.register(matching.columns(records), table_name="records")
        fitted = matching._household(db_api, table, model)
    (postcode,) = (c for c in fitted["comparisons"] if c["output_column_name"] == "postcode")
    (household,) = (
        lv for lv in postcode["comparison_levels"] if lv["label_for_charts"] == matching.HOUSEHOLD
    )
    # Pairs of Smiths with different given names: 9; of those, at one address: 2 (John and Mary,
    # twice). Times how often one person's records agree on the family name.
    assert household["u_probability"] == pytest.approx(0.8 * 2 / 9)
