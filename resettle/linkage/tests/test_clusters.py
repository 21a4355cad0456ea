"""Clusters respect reviewers: two records they said are different people never share a cluster,
even when each is linked to a third record; the cluster is split at the weakest link on the
strongest path between them, and a link the model made that was left out goes to review."""

import math
from datetime import date

from resettle.linkage import matching
from resettle.linkage.models import LinkPair, PairDecision, PairStatus, PersonLink
from resettle.linkage.tests.test_runs import _records, _run
from resettle.people.models import Address, Person


def test_links_make_connected_clusters_named_by_their_smallest_record():
    found = matching.clusters("abcde", [("b", "a", 9.0), ("b", "c", 7.0), ("d", "e", 8.0)])
    assert found.cluster_of == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "d"}
    assert found.cut == set()


def test_a_rejected_pair_is_split_at_the_weakest_link_between_them():
    # a - b - c - d, with a and d said to be different people: b - c is the weakest link.
    links = [("a", "b", 12.0), ("b", "c", 6.5), ("c", "d", 9.0), ("x", "y", 7.0)]
    found = matching.clusters("abcdxy", links, apart=[("d", "a")])
    assert found.cluster_of == {"a": "a", "b": "a", "c": "c", "d": "c", "x": "x", "y": "x"}
    assert found.cut == {("b", "c")}


def test_the_weakest_link_on_the_strongest_path_is_cut_and_others_are_kept():
    # Two paths from a to c: through b (10 and 7) and straight (6.2). The straight link is
    # the weakest and goes first, then b - c, the weaker link on the stronger path.
    links = [("a", "b", 10.0), ("b", "c", 7.0), ("a", "c", 6.2)]
    found = matching.clusters("abc", links, apart=[("a", "c")])
    assert found.cluster_of == {"a": "a", "b": "a", "c": "c"}
    assert found.cut == {("a", "c"), ("b", "c")}


def test_a_link_reviewers_accepted_outlasts_the_models():
    links = [("a", "b", math.inf), ("b", "c", 20.0)]
    found = matching.clusters("abc", links, apart=[("a", "c")])
    assert found.cluster_of == {"a": "a", "b": "a", "c": "c"}
    assert found.cut == {("b", "c")}


def test_every_rejected_pair_in_a_cluster_is_kept_apart():
    links = [("a", "b", 9.0), ("b", "c", 8.0), ("c", "d", 7.0), ("d", "e", 10.0)]
    found = matching.clusters("abcde", links, apart=[("a", "c"), ("c", "e")])
    groups = {}
    for record, cluster in found.cluster_of.items():
        groups.setdefault(cluster, set()).add(record)
    assert sorted(map(sorted, groups.values())) == [["a", "b"], ["c"], ["d", "e"]]


def test_a_rejected_pair_does_not_end_up_in_one_cluster_through_a_third_record(cast, make_person):
    truth = _records(cast, make_person)
    names = dict(Person.objects.filter(pk__in=truth).values_list("given_name", "pk"))
    william, bill, will = names["William"], names["Bill"], names["Will"]
    run = _run(cast)
    clusters = dict(PersonLink.objects.filter(run=run).values_list("person_id", "cluster_id"))
    assert clusters[william] == clusters[bill] == clusters[will]

    # Bill and Will are linked only through William (the model did not score Bill with Will).
    assert not LinkPair.objects.filter(run=run, left__in=(bill, will), right__in=(bill, will))
    left, right = sorted((bill, will), key=str)
    PairDecision.objects.create(
        partnership=cast.partnership,
        left_id=left,
        right_id=right,
        decision="reject",
        decided_by=cast.admin,
    )
    for again in (_run(cast, full=True), _run(cast)):
        clusters = dict(PersonLink.objects.filter(run=again).values_list("person_id", "cluster_id"))
        # William and Will's link is weaker than William and Bill's: it is the one left out.
        assert clusters[bill] == clusters[william] != clusters[will], again.kind
        assert again.figures["kept_apart"] == 1
        cut = LinkPair.objects.get(run=again, left__in=(william, will), right__in=(william, will))
        assert cut.status == PairStatus.REVIEW
        assert not any(
            clusters[pair.left_id] != clusters[pair.right_id]
            for pair in LinkPair.objects.filter(run=again, status=PairStatus.LINKED)
        )


def test_a_pair_the_model_finds_different_is_kept_apart_unless_reviewers_linked_them():
    links = [("a", "b", 9.0), ("b", "c", 5.0)]
    found = matching.clusters("abc", links, against=[("a", "c")])
    assert found.cluster_of == {"a": "a", "b": "a", "c": "c"}
    assert found.cut == {("b", "c")}
    accepted = [("a", "b", math.inf), ("b", "c", math.inf)]
    found = matching.clusters("abc", accepted, against=[("a", "c")])
    assert set(found.cluster_of.values()) == {"a"}
    assert found.cut == set()


# One John Smith written twice (the second time without a date of birth), and his namesake at the
# same address, born eighteen years earlier: the record without a date of birth links to both.
NAMESAKES = [
    ("John", "Smith", date(1980, 5, 1), "LS1 1AA"),
    ("John", "Smith", None, "LS1 1AA"),
    ("John", "Smith", date(1962, 11, 23), "LS1 1AA"),
]


def test_the_model_scores_the_pairs_links_would_chain():
    records = [
        matching.Record(str(n), given, family, born, "male", postcode)
        for n, (given, family, born, postcode) in enumerate(NAMESAKES)
    ]
    result = matching.link(records)
    scored = {(p.left, p.right): p.match_weight for p in result.pairs}
    # The record without a date of birth is as likely as not to be either; the other two are
    # below the lower threshold, so not kept.
    assert set(scored) == {("0", "1"), ("1", "2")}
    links = [(left, right, weight) for (left, right), weight in scored.items()]
    found = matching.against(records, links, scored, model=result.model, lower=0.0)
    assert [(p.left, p.right) for p in found] == [("0", "2")]
    assert found[0].match_weight < 0 and "date_of_birth" in found[0].disagreed
    # Links alone would chain all three; nothing to score without a chain of three.
    assert matching.against(records, links[:1], scored, model=result.model, lower=0.0) == []


def test_a_run_keeps_namesakes_apart_that_a_record_links_to_both(cast, make_person):
    makers = [cast.caseworker, cast.probation, cast.coordinator]
    people = []
    for maker, (given, family, born, postcode) in zip(makers, NAMESAKES, strict=True):
        person = make_person(
            maker, given_name=given, family_name=family, date_of_birth=born, sex="male"
        )
        Address.objects.create(person=person, kind="home", line_1="1 Road", postcode=postcode)
        people.append(person.pk)
    first, undated, namesake = people
    # Link without review whatever the record without a date of birth is linked to.
    scored = LinkPair.objects.filter(run=_run(cast), left__in=people, right__in=people)
    assert scored.count() == 2
    run = _run(cast, full=True, upper_threshold=min(p.match_weight for p in scored) - 0.01)
    clusters = dict(PersonLink.objects.filter(run=run).values_list("person_id", "cluster_id"))
    assert clusters[first] != clusters[namesake]
    assert clusters[undated] in (clusters[first], clusters[namesake])
    assert run.figures["chained_found_different"] == 1
    assert run.figures["kept_apart"] == 1
    assert not any(
        clusters[pair.left_id] != clusters[pair.right_id]
        for pair in LinkPair.objects.filter(run=run, status=PairStatus.LINKED)
    )
    assert LinkPair.objects.filter(run=run, status=PairStatus.REVIEW).count() >= 1
