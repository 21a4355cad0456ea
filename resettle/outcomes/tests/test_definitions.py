"""Instrument files: the shipped ones load and score as published; a bad file is refused with
the question named and nothing loaded; loading again changes nothing; a new version leaves old
answers with the version they were given on."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from resettle.outcomes.definitions import MISSING, REFUSED, DefinitionError, parse_definition
from resettle.outcomes.instruments_loader import SHIPPED, load_instruments
from resettle.outcomes.models import Instrument
from resettle.outcomes.tests.conftest import instrument, record

pytestmark = pytest.mark.django_db


def _ons4() -> dict:
    return json.loads((SHIPPED / "ons4.json").read_text())


def _write(folder: Path, name: str, data: dict) -> None:
    (folder / name).write_text(json.dumps(data))


def test_the_shipped_instruments_are_loaded_after_migrate():
    codes = set(Instrument.objects.values_list("code", flat=True))
    assert {"ons4", "physical_activity", "pathway_self_rating", "support_needs"} <= codes


def test_loading_again_changes_nothing():
    results = load_instruments()
    assert {r.outcome for r in results} == {"unchanged"}
    assert Instrument.objects.filter(code="ons4").count() == 1


def test_ons4_has_the_four_published_questions():
    ons4 = instrument("ons4").parsed
    assert [q.text for q in ons4.questions] == [
        "Overall, how satisfied are you with your life nowadays?",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "Overall, how happy did you feel yesterday?",
        'On a scale where 0 is "not at all anxious" and 10 is "completely anxious", overall, '
        "how anxious did you feel yesterday?",
    ]
    assert all((q.low, q.high) == (0, 10) for q in ons4.questions)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "low"),
        (4, "low"),
        (5, "medium"),
        (6, "medium"),
        (7, "high"),
        (8, "high"),
        (9, "very_high"),
        (10, "very_high"),
    ],
)
def test_ons4_life_satisfaction_bands_follow_the_ons_thresholds(value, band):
    ons4 = instrument("ons4").parsed
    answers = ons4.clean_answers(
        {"life_satisfaction": value, "worthwhile": 5, "happiness": 5, "anxiety": 5}
    )
    scores, bands = ons4.score(answers)
    assert scores["life_satisfaction"] == value
    assert bands["life_satisfaction"] == band


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "very_low"),
        (1, "very_low"),
        (2, "low"),
        (3, "low"),
        (4, "medium"),
        (5, "medium"),
        (6, "high"),
        (10, "high"),
    ],
)
def test_ons4_anxiety_is_banded_with_its_own_thresholds_and_lower_is_better(value, band):
    ons4 = instrument("ons4").parsed
    anxiety = ons4.question("anxiety")
    assert anxiety is not None
    assert anxiety.band_of(value).code == band
    assert anxiety.improved(-2) and not anxiety.improved(2)
    assert ons4.question("happiness").improved(2)


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (0, "inactive"),
        (29, "inactive"),
        (30, "fairly_active"),
        (149, "fairly_active"),
        (150, "active"),
        (600, "active"),
    ],
)
def test_activity_minutes_are_banded_as_active_lives(minutes, band):
    activity = instrument("physical_activity").parsed
    _, bands = activity.score(activity.clean_answers({"minutes": minutes}))
    assert bands == {"minutes": band}


def test_missing_and_refused_are_kept_and_never_scored():
    ons4 = instrument("ons4").parsed
    answers = ons4.clean_answers(
        {"life_satisfaction": REFUSED, "worthwhile": MISSING, "happiness": 6, "anxiety": 2}
    )
    assert answers["life_satisfaction"] == REFUSED and answers["worthwhile"] == MISSING
    scores, bands = ons4.score(answers)
    assert scores == {"happiness": 6, "anxiety": 2}
    assert bands == {"happiness": "medium", "anxiety": "low"}


@pytest.mark.parametrize("bad", [11, -1, "seven", 4.5, True])
def test_an_answer_outside_the_scale_is_refused_naming_the_question(bad):
    ons4 = instrument("ons4").parsed
    with pytest.raises(ValidationError) as refused:
        ons4.clean_answers(
            {"life_satisfaction": 5, "worthwhile": 5, "happiness": bad, "anxiety": 5}
        )
    assert set(refused.value.message_dict) == {"happiness"}
    assert "0 to 10" in refused.value.message_dict["happiness"][0]


def test_support_needs_take_only_their_statuses():
    needs = instrument("support_needs").parsed
    question = needs.questions[0]
    assert [v for v, _ in question.options] == [
        "identified",
        "in_progress",
        "met",
        "declined",
        "not_needed",
    ]
    assert needs.clean_answers({question.code: "met"}) == {question.code: "met"}
    with pytest.raises(ValidationError):
        needs.clean_answers({question.code: "sorted"})


def test_the_pathway_self_rating_asks_the_seven_pathways_with_the_workers_view_beside():
    rating = instrument("pathway_self_rating").parsed
    person_rated = [q for q in rating.scored_questions if q.rater == "person"]
    worker_rated = [q for q in rating.scored_questions if q.rater == "worker"]
    assert len(person_rated) == len(worker_rated) == 7
    assert all((q.low, q.high) == (1, 5) for q in person_rated)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["questions"][1]["scale"].update(max="ten"),
            'question "worthwhile": "max" must be a whole number',
        ),
        (
            lambda d: d["questions"][2]["bands"].pop(1),
            'question "happiness": the bands leave a gap',
        ),
        (lambda d: d["questions"][3].update(better="sideways"), 'question "anxiety": "better"'),
        (lambda d: d["questions"][0].pop("text"), 'question "life_satisfaction": "text"'),
        (lambda d: d.update(version=0), '"version"'),
    ],
)
def test_a_bad_file_names_the_question_and_loads_nothing(tmp_path, change, message):
    good = json.loads((SHIPPED / "physical_activity.json").read_text()) | {"code": "activity_two"}
    bad = _ons4() | {"code": "wellbeing_two"}
    change(bad)
    _write(tmp_path, "a_good.json", good)
    _write(tmp_path, "b_bad.json", bad)
    with pytest.raises(DefinitionError) as refused:
        load_instruments(tmp_path)
    assert "b_bad.json" in str(refused.value) and message in str(refused.value)
    assert not Instrument.objects.filter(code__in=["activity_two", "wellbeing_two"]).exists()


def test_the_command_says_what_is_wrong_and_loads_nothing(tmp_path):
    bad = _ons4() | {"code": "wellbeing_two"}
    bad["questions"][0]["scale"]["min"] = 20
    _write(tmp_path, "bad.json", bad)
    with pytest.raises(
        CommandError, match=re.escape('Nothing loaded. bad.json: question "life_satisfaction"')
    ):
        call_command("load_instruments", directory=tmp_path)
    assert not Instrument.objects.filter(code="wellbeing_two").exists()


def test_a_new_version_leaves_old_answers_with_the_old_one(tmp_path, cast, person, case):
    old = record(cast.caseworker, person, case=case)
    newer = _ons4() | {"version": 2}
    newer["questions"][0]["text"] = "How satisfied are you with your life these days?"
    _write(tmp_path, "ons4.json", newer)
    assert [r.outcome for r in load_instruments(tmp_path)] == ["added"]
    assert instrument("ons4").version == 2
    old.refresh_from_db()
    assert old.instrument.version == 1
    assert old.instrument.parsed.questions[0].text.startswith("Overall, how satisfied")


def test_a_version_with_answers_cannot_be_changed(tmp_path, cast, person, case):
    record(cast.caseworker, person, case=case)
    changed = _ons4()
    changed["questions"][0]["text"] = "Changed wording"
    _write(tmp_path, "ons4.json", changed)
    with pytest.raises(DefinitionError, match="has answers already"):
        load_instruments(tmp_path)
    assert instrument("ons4").parsed.questions[0].text.startswith("Overall")


def test_parse_refuses_a_question_listed_twice():
    data = _ons4()
    data["questions"].append(data["questions"][0])
    with pytest.raises(DefinitionError, match='question "life_satisfaction" is listed twice'):
        parse_definition(data, "ons4.json")
