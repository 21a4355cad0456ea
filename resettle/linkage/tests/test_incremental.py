"""Incremental runs: once a run has finished, the next links only the records added or changed
since, with that run's model, carries over the other pairs, and leaves every record of the
partnership in a cluster; without a finished run to build on, a run is full."""

from datetime import date

import pytest

from resettle.core.exceptions import ApplicationError
from resettle.linkage import matching, services
from resettle.linkage.models import (
    LinkageRun,
    LinkPair,
    PairStatus,
    PersonLink,
    RunKind,
    RunState,
)
from resettle.linkage.tests.test_runs import FIXTURE, _records, _run
from resettle.people.models import Person, PersonMerge, PersonName


def _clusters(run: LinkageRun) -> dict[str, str]:
    return {
        str(person): str(cluster)
        for person, cluster in PersonLink.objects.filter(run=run).values_list(
            "person_id", "cluster_id"
        )
    }


@pytest.fixture
def full_links(monkeypatch) -> list[int]:
    """Counts the runs of the full linkage (`matching.link`, which trains when there are enough
    records)."""
    calls: list[int] = []
    link = matching.link

    def counted(*args, **kwargs):
        calls.append(1)
        return link(*args, **kwargs)

    monkeypatch.setattr(matching, "link", counted)
    return calls


def test_an_incremental_run_links_a_new_duplicate_with_the_full_runs_model(
    cast, make_person, full_links
):
    truth = _records(cast, make_person)
    full = _run(cast)
    assert full.state == RunState.DONE, full.error
    assert (full.kind, full.records_linked) == (RunKind.FULL, len(FIXTURE))
    assert full_links == [1]
    # The model saved with the full run, made recognisable: the next run must use this one.
    saved = {**full.model, "probability_two_random_records_match": 0.0123}
    LinkageRun.objects.filter(pk=full.pk).update(model=saved)
    before = _clusters(full)
    william = next(pk for pk, who in truth.items() if who == "william")

    billy = make_person(
        cast.housing,
        given_name="Billy",
        family_name="Smiht",
        date_of_birth=date(1980, 3, 4),
        sex="male",
    )
    again = _run(cast)

    assert again.state == RunState.DONE, again.error
    assert again.kind == RunKind.INCREMENTAL
    assert again.based_on == full
    # Not trained (nor linked in full) again: the model kept is the full run's.
    assert full_links == [1]
    assert again.model == saved
    assert not again.figures["trained"]
    # One record scored against the rest, where the full run scored every one.
    assert again.records_linked == 1
    assert again.figures["records"] == len(FIXTURE) + 1
    after = _clusters(again)
    assert set(after) == set(before) | {str(billy.pk)}
    williams = {pk for pk, who in truth.items() if who == "william"}
    assert {k for k, v in after.items() if v == after[william]} == williams | {str(billy.pk)}
    # Every other cluster is as it was.
    others = {k: v for k, v in before.items() if k not in williams}
    assert {k: after[k] for k in others} == others
    assert again.figures["clusters"] == full.figures["clusters"]
    # The full run's pairs are carried over; the new ones all involve the new record.
    old = set(LinkPair.objects.filter(run=full).values_list("left_id", "right_id"))
    new = set(LinkPair.objects.filter(run=again).values_list("left_id", "right_id"))
    assert old < new
    assert all(billy.pk in pair for pair in new - old)


def test_it_scores_the_new_records_pairs_as_a_full_run_with_the_same_model_would(cast, make_person):
    _records(cast, make_person)
    full = _run(cast)
    tommy = make_person(
        cast.probation,
        given_name="Tommy",
        family_name="Jones",
        date_of_birth=date(1975, 5, 5),
        sex="male",
    )
    again = _run(cast)
    everything = matching.link(services.partnership_records(cast.partnership), model=full.model)
    kept = {
        (str(left), str(right)): weight
        for left, right, weight in LinkPair.objects.filter(run=again).values_list(
            "left_id", "right_id", "match_weight"
        )
    }
    assert set(kept) == {(p.left, p.right) for p in everything.pairs}
    # Scored now, with term frequencies over every record, as the full run scores them.
    for pair in everything.pairs:
        if str(tommy.pk) in (pair.left, pair.right):
            assert kept[(pair.left, pair.right)] == pytest.approx(pair.match_weight)


def test_a_changed_record_is_linked_again(cast, make_person):
    truth = _records(cast, make_person)
    full = _run(cast)
    kate = [pk for pk, who in truth.items() if who == "kate"]
    before = _clusters(full)
    assert before[kate[0]] == before[kate[1]]

    # One of Kate's records turns out to be someone else: a new name and date of birth.
    person = Person.objects.get(pk=kate[1])
    person.given_name, person.family_name = "Karen", "Hughes"
    person.date_of_birth = date(1950, 1, 1)
    person.save()
    again = _run(cast)

    assert again.kind == RunKind.INCREMENTAL
    assert again.records_linked == 1
    after = _clusters(again)
    assert after[kate[0]] != after[kate[1]]
    assert not LinkPair.objects.filter(run=again, left_id__in=kate, right_id__in=kate).exists()


def test_a_new_other_name_makes_the_record_changed(cast, make_person):
    truth = _records(cast, make_person)
    full = _run(cast)
    jane = next(pk for pk, who in truth.items() if who == "other_jane")
    PersonName.objects.create(
        person_id=jane, kind="previous", given_name="Janet", family_name="Dorey"
    )
    again = _run(cast)
    assert again.records_linked == 1
    assert again.figures["clusters"] == full.figures["clusters"]


def test_both_records_of_a_merge_made_since_are_linked_again(cast, make_person):
    # A merge moves names and addresses to the surviving record without saving either person.
    truth = _records(cast, make_person)
    _run(cast)
    kate = [pk for pk, who in truth.items() if who == "kate"]
    PersonMerge.objects.create(
        organisation=cast.lead_charity,
        survivor_id=kate[0],
        merged_id=kate[1],
        merged_by=cast.admin.user,
        reason="Same person",
    )
    again = _run(cast)
    assert again.kind == RunKind.INCREMENTAL
    assert again.records_linked == 2


def test_nothing_new_links_nothing_and_keeps_every_cluster(cast, make_person):
    _records(cast, make_person)
    full = _run(cast)
    again = _run(cast)
    assert again.records_linked == 0
    assert _clusters(again) == _clusters(full)
    assert again.figures["pairs"] == full.figures["pairs"]


def test_a_decision_made_since_is_followed_on_carried_pairs(cast, make_person):
    _records(cast, make_person)
    full = _run(cast)
    pair = LinkPair.objects.filter(run=full, status=PairStatus.LINKED).first()
    services.pair_decide(actor=cast.admin, pair=pair, decision="reject")
    again = _run(cast)
    assert again.records_linked == 0
    carried = LinkPair.objects.get(run=again, left=pair.left, right=pair.right)
    assert carried.status == PairStatus.REJECTED
    after = _clusters(again)
    assert after[str(pair.left_id)] != after[str(pair.right_id)]


def test_without_a_finished_run_an_incremental_run_is_full(cast, make_person):
    _records(cast, make_person)
    LinkageRun.objects.create(partnership=cast.partnership, state=RunState.FAILED)
    run = services.linkage_run_request(actor=cast.admin, partnership=cast.partnership, full=False)
    assert run.kind == RunKind.FULL
    run = services.linkage_run_execute(run_id=run.pk)
    assert (run.kind, run.records_linked, run.based_on) == (RunKind.FULL, len(FIXTURE), None)


def test_full_asks_for_every_record_again(cast, make_person):
    _records(cast, make_person)
    _run(cast)
    run = _run(cast, full=True)
    assert (run.kind, run.records_linked) == (RunKind.FULL, len(FIXTURE))


def test_new_thresholds_link_every_record_again(cast, make_person):
    _records(cast, make_person)
    _run(cast)
    run = _run(cast, lower_threshold=0.5)
    assert run.kind == RunKind.FULL


def test_enough_records_to_train_since_an_untrained_run_link_in_full(
    cast, make_person, monkeypatch
):
    _records(cast, make_person)
    first = _run(cast)
    assert not first.figures["trained"]
    monkeypatch.setattr(matching, "TRAIN_FROM", 10)
    run = _run(cast)
    assert (run.kind, run.records_linked, run.figures["trained"]) == (
        RunKind.FULL,
        len(FIXTURE),
        True,
    )
    assert "enough records to train" in run.figures["notes"][0]


def test_an_incremental_run_is_refused_while_another_is_under_way(cast, make_person):
    _records(cast, make_person)
    _run(cast)
    under_way = services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)
    assert under_way.kind == RunKind.INCREMENTAL
    with pytest.raises(ApplicationError, match="already running"):
        services.linkage_run_request(actor=cast.admin, partnership=cast.partnership)
    with pytest.raises(ApplicationError, match="already running"):
        services.linkage_run_request(actor=cast.admin, partnership=cast.partnership, full=True)


def test_a_record_no_longer_in_the_partnership_leaves_its_cluster(cast, make_person):
    truth = _records(cast, make_person)
    full = _run(cast)
    tom = [pk for pk, who in truth.items() if who == "tom"]
    assert _clusters(full)[tom[0]] == _clusters(full)[tom[1]]
    Person.objects.get(pk=tom[1]).working_relationships.all().delete()
    again = _run(cast)
    after = _clusters(again)
    assert tom[1] not in after
    assert after[tom[0]] == tom[0]
