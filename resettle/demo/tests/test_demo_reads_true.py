"""The demo reads true: every check finds nothing in generated demos, and each check finds the
untrue record planted for it, so none can pass by finding nothing at all."""

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from resettle.cases.models import Case
from resettle.contacts.models import Contact, ContactKind, ContactOutcome
from resettle.custody.models import CustodyEvent, CustodyEventKind, CustodyKind, CustodyPeriod
from resettle.demo import checks
from resettle.demo.generator import generate
from resettle.demo.generator.custody import WOMENS_ESTABLISHMENTS
from resettle.demo.management.commands.generate_demo import DEFAULT_SEED
from resettle.lib.identifiers import pnc_check_letter
from resettle.people.choices import IdentifierScheme, Sex
from resettle.people.models import Person
from resettle.suitability.models import Answer, SuitabilityAssessment, YesNo

from .conftest import SMALL_DEMO

WOMENS_PRISON = WOMENS_ESTABLISHMENTS[0]
# The small demo around today, and a larger one built around Christmas and New Year, when
# releases due on a bank holiday must be brought forward.
DEMOS = {
    "small": (SMALL_DEMO, DEFAULT_SEED, None),
    "christmas": (120, 7, date(2025, 12, 22)),
}


@pytest.fixture(scope="module", params=list(DEMOS))
def found(request, django_db_setup, django_db_blocker) -> dict[str, list[str]]:
    """What each check finds in one generated demo, generated once for all the rules."""
    people, seed, today = DEMOS[request.param]
    with django_db_blocker.unblock(), transaction.atomic():
        generate(people, seed, today or date.today(), password="a-demo-password")
        problems = {name: check() for name, check in checks.CHECKS.items()}
        transaction.set_rollback(True)
    return problems


@pytest.mark.parametrize("rule", list(checks.CHECKS))
def test_the_generated_demo_reads_true(found, rule):
    assert found[rule] == []


# Each check catches an untrue record planted for it, and passes the true one beside it.


@pytest.fixture
def recorder(cast):
    return cast.probation.user


def _person(make_person, *, sex: str = Sex.MALE, born: date = date(1990, 5, 17), **fields):
    return make_person(sex=sex, date_of_birth=born, **fields)


def _custody(person: Person, recorder, **fields) -> CustodyPeriod:
    fields.setdefault("establishment", "HMP Ashcombe")
    fields.setdefault("start_date", date(2024, 1, 8))
    return CustodyPeriod.objects.create(
        person=person, kind=CustodyKind.SENTENCE, recorded_by=recorder, **fields
    )


def _named(problems: list[str], person: Person) -> list[str]:
    return [problem for problem in problems if str(person.pk) in problem]


def test_it_finds_a_man_moved_into_a_womens_prison(make_person, recorder):
    man = _person(make_person, given_name="Liam")
    woman = _person(make_person, sex=Sex.FEMALE, given_name="Leanne")
    period = _custody(man, recorder)
    _custody(woman, recorder, establishment=WOMENS_PRISON)
    assert checks.sex_matches_the_prison() == []

    period.establishment = WOMENS_PRISON
    period.save()

    assert checks.sex_matches_the_prison() == [
        f"Liam Example ({man.pk}) (male) is held at {WOMENS_PRISON}, a women's prison"
    ]


def test_it_finds_a_woman_in_a_mens_prison(make_person, recorder):
    woman = _person(make_person, sex=Sex.FEMALE)
    _custody(woman, recorder, establishment="HMP Ashcombe")

    assert _named(checks.sex_matches_the_prison(), woman) == [
        f"Jordan Example ({woman.pk}) (female) is held at HMP Ashcombe, which is not a women's "
        "prison"
    ]


def test_it_finds_a_release_on_christmas_day_and_one_on_a_saturday(make_person, recorder):
    on_time = _person(make_person)
    _custody(on_time, recorder, released_on=date(2025, 12, 24))  # a Wednesday
    christmas = _person(make_person, given_name="Noel")
    period = _custody(christmas, recorder, released_on=date(2025, 12, 25))
    CustodyEvent.objects.create(
        period=period, kind=CustodyEventKind.RELEASED, on=date(2025, 12, 27), recorded_by=recorder
    )

    assert checks.releases_on_working_days() == [
        f"Noel Example ({christmas.pk}) released on Thursday 25 December 2025 from HMP Ashcombe, "
        "a bank holiday (Christmas Day)",
        f"Noel Example ({christmas.pk}) released on Saturday 27 December 2025 from HMP Ashcombe, "
        "a Saturday",
    ]


def test_it_finds_expected_and_conditional_releases_on_a_bank_holiday(make_person, recorder):
    person = _person(make_person)
    easter_monday = date(2026, 4, 6)
    _custody(person, recorder, expected_release_date=easter_monday)
    _custody(
        _person(make_person),
        recorder,
        start_date=date(2023, 1, 9),
        conditional_release_date=easter_monday,
    )

    problems = checks.releases_on_working_days()

    assert len(problems) == 2
    assert "expected to be released on Monday 6 April 2026" in _named(problems, person)[0]
    assert all("a bank holiday (Easter Monday)" in problem for problem in problems)


def _pnc(year: int, serial: str = "0052494") -> str:
    return f"{year}/{serial}{pnc_check_letter(str(year), serial)}"


def test_it_finds_a_pnc_id_dated_after_the_sentence(make_person, recorder):
    before = _person(make_person, identifiers={IdentifierScheme.PNC: _pnc(2019)})
    _custody(before, recorder, start_date=date(2021, 3, 1))
    after = _person(make_person, identifiers={IdentifierScheme.PNC: _pnc(2023, "0101010")})
    _custody(after, recorder, start_date=date(2019, 6, 3), released_on=date(2020, 1, 6))
    _custody(after, recorder, start_date=date(2022, 6, 6))

    assert checks.identifiers_dated_before_events() == [
        f"Jordan Example ({after.pk}) has PNC ID {_pnc(2023, '0101010')}, made in 2023, after "
        "their first custody began on Monday 3 June 2019"
    ]


def test_it_finds_a_pnc_id_made_before_the_person_was_ten(make_person):
    child = _person(make_person, born=date(2012, 2, 1), identifiers={"pnc": _pnc(2019)})

    assert checks.identifiers_dated_before_events() == [
        f"Jordan Example ({child.pk}) has PNC ID {_pnc(2019)}, made in 2019, before they were "
        "10 (born Wednesday 1 February 2012)"
    ]


def _contact(person: Person, membership, note: str, on: date, **fields) -> Contact:
    case, _ = Case.objects.get_or_create(
        person=person,
        organisation=membership.organisation,
        defaults={"opened_on": on - timedelta(days=30)},
    )
    return Contact.objects.create(
        person=person,
        case=case,
        organisation=membership.organisation,
        recorded_by=membership.user,
        kind=fields.pop("kind", ContactKind.FACE_TO_FACE),
        happened_at=timezone.make_aware(datetime.combine(on, time(11))),
        outcome=ContactOutcome.ATTENDED,
        note=note,
        **fields,
    )


def test_it_finds_a_child_with_a_probation_note(make_person, cast):
    today = date.today()
    child = _person(make_person, given_name="Ellie", born=today - timedelta(days=365 * 12))
    _contact(child, cast.family, "Made a card to send their dad at the family day.", today)
    assert checks.records_fit_the_age() == []

    _contact(child, cast.family, "Reminded her about the probation appointment.", today)

    [problem] = checks.records_fit_the_age()
    age = child.age_on(today)
    assert problem.startswith(f"Ellie Example ({child.pk}) was {age} when the contact note of ")
    assert "written for an adult leaving prison (“probation”)" in problem


def test_it_finds_a_child_with_a_case_at_probation_or_held_in_an_adult_prison(
    make_person, cast, recorder
):
    child = _person(make_person, born=date.today() - timedelta(days=365 * 16))
    Case.objects.create(
        person=child, organisation=cast.probation.organisation, opened_on=date.today()
    )
    _custody(child, recorder, start_date=date.today() - timedelta(days=30))
    adult = _person(make_person, born=date(2000, 1, 1))
    Case.objects.create(
        person=adult, organisation=cast.probation.organisation, opened_on=date.today()
    )

    problems = checks.records_fit_the_age()

    assert len(problems) == 2 and problems == _named(problems, child)
    assert "at HMP Ashcombe, which does not hold children" in problems[0]
    assert "Northshire Probation Delivery Unit, a service for adults" in problems[1]


def _assessment(person: Person, cast, **answers) -> SuitabilityAssessment:
    fields = {
        "group_sessions_with_adults": Answer.YES,
        "sessions_with_under_18s_present": Answer.YES,
        "sessions_with_vulnerable_adults_present": Answer.YES,
        "one_to_one_sessions": Answer.YES,
        "two_staff_needed": YesNo.NO,
        "named_contact_restriction": YesNo.NO,
        "measures": "",
    } | answers
    return SuitabilityAssessment.objects.create(
        person=person,
        assessed_by=cast.probation.user,
        assessor_organisation=cast.probation.organisation,
        assessed_on=date(2026, 3, 2),
        review_on=date(2026, 9, 2),
        assessor_contact="01632 960101",
        **fields,
    )


def test_it_finds_a_suitability_answer_contradicted_by_its_measures(make_person, cast):
    consistent = _person(make_person)
    _assessment(
        consistent,
        cast,
        sessions_with_under_18s_present=Answer.YES_WITH_MEASURES,
        measures="Where under-18s are present, stay in sight of a coach.",
    )
    assert checks.suitability_answers_match_measures() == []

    contradicted = _person(make_person)
    _assessment(
        contradicted,
        cast,
        sessions_with_under_18s_present=Answer.YES_WITH_MEASURES,
        measures="Adult-only sessions: not the Saturday junior slot.",
    )

    assert checks.suitability_answers_match_measures() == [
        f"The suitability assessment of Jordan Example ({contradicted.pk}) on Monday 2 March "
        "2026: the measures keep them from under-18s, but “may attend group sessions where "
        "under-18s are present” is yes, with the measures below: Adult-only sessions: not the "
        "Saturday junior slot."
    ]


@pytest.mark.parametrize(
    ("answers", "found"),
    [
        ({"one_to_one_sessions": Answer.YES_WITH_MEASURES}, "but none are given"),
        ({"measures": "A named coach stays with the group."}, "no answer is yes with measures"),
        (
            {"group_sessions_with_adults": Answer.NO},
            "“may attend group sessions where under-18s are present” is yes, more open than",
        ),
        (
            {
                "group_sessions_with_adults": Answer.YES_WITH_MEASURES,
                "measures": "Meet in reception for one-to-one sessions.",
            },
            "a measure speaks to “may have one-to-one sessions with staff”, answered yes",
        ),
        (
            {
                "group_sessions_with_adults": Answer.YES_WITH_MEASURES,
                "measures": "Two members of staff at every session.",
            },
            "the measures ask for two staff, but two staff are not needed",
        ),
        ({"two_staff_needed": YesNo.YES}, "two staff are needed, but every answer is plain"),
    ],
)
def test_each_kind_of_suitability_contradiction_is_found(make_person, cast, answers, found):
    _assessment(_person(make_person), cast, **answers)

    assert any(found in problem for problem in checks.suitability_answers_match_measures())


def test_it_finds_a_visit_in_custody_after_release_and_a_gate_meeting_on_another_day(
    make_person, cast, recorder
):
    person = _person(make_person)
    period = _custody(person, recorder, start_date=date(2025, 1, 6), released_on=date(2025, 6, 2))
    CustodyEvent.objects.create(
        period=period, kind=CustodyEventKind.STARTED, on=period.start_date, recorded_by=recorder
    )
    CustodyEvent.objects.create(
        period=period, kind=CustodyEventKind.RELEASED, on=date(2025, 6, 2), recorded_by=recorder
    )
    _contact(person, cast.prison, "", date(2025, 5, 1), kind=ContactKind.CUSTODY_VISIT)
    _contact(person, cast.mentor, "", date(2025, 6, 2), kind=ContactKind.GATE_MEETING)
    assert checks.custody_contacts_fit_custody() == []

    _contact(person, cast.prison, "", date(2025, 6, 9), kind=ContactKind.CUSTODY_VISIT)
    _contact(person, cast.mentor, "", date(2025, 6, 3), kind=ContactKind.GATE_MEETING)

    assert checks.custody_contacts_fit_custody() == [
        f"Jordan Example ({person.pk}) had a visit in custody on Monday 9 June 2025, when they "
        "were not in custody",
        f"Jordan Example ({person.pk}) has a gate meeting on Tuesday 3 June 2025, not a day they "
        "were released or are expected out",
    ]


def test_it_finds_records_dated_before_birth_and_custody_out_of_order(make_person, cast, recorder):
    baby = _person(make_person, born=date(2026, 1, 14))
    _contact(baby, cast.family, "", date(2026, 1, 10))
    person = _person(make_person)
    period = _custody(person, recorder, start_date=date(2025, 1, 6))
    CustodyEvent.objects.create(
        period=period, kind=CustodyEventKind.RELEASED, on=date(2025, 1, 3), recorded_by=recorder
    )

    problems = checks.dates_in_order()

    assert "has a case dated Thursday 11 December 2025, before they were born" in problems[0]
    assert "has a contact dated Saturday 10 January 2026, before they were born" in problems[1]
    assert problems[2:] == [
        f"Jordan Example ({person.pk})'s custody from Monday 6 January 2025 has “Released” on "
        "Friday 3 January 2025 first"
    ]


def test_check_demo_runs_every_check(make_person, recorder):
    _custody(
        _person(make_person), recorder, establishment=WOMENS_PRISON, released_on=date(2025, 12, 25)
    )

    assert len(checks.check_demo()) == 2


def test_the_command_prints_each_check_and_succeeds_when_none_finds_a_problem(db):
    out = StringIO()

    call_command("check_demo", stdout=out)

    assert "Releases on working days: no problems" in out.getvalue()
    assert "The demo reads true." in out.getvalue()


def test_the_command_prints_each_problem_and_fails(make_person, recorder):
    _custody(_person(make_person), recorder, released_on=date(2025, 12, 25))
    out = StringIO()

    with pytest.raises(CommandError, match=r"does not read true: 1 problem\."):
        call_command("check_demo", stdout=out)

    assert "Releases on working days: 1 problem\n  - Jordan Example (" in out.getvalue()
