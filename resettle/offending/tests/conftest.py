"""Shared setup for the offence and risk tests: with the root `agreement` (custody, case notes,
risk and outcomes shared with every partner), a statutory one giving offence information to
probation and the prison; a person whom probation, the prison, the lead charity, the football
trust and the mentoring charity all work with; and a record of theirs with history."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind
from resettle.offending import services
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.partnerships.models import SharingAgreement
from resettle.people.models import Person

# Text that appears only in the offence record, so a page or response that shows it is caught.
WORDING = "Not to enter the Quayside Gardens exclusion zone"
NOTES = "Risk to a named former partner: see the MARAC minutes"


def days(n: int) -> date:
    return date.today() + timedelta(days=n)


@pytest.fixture
def offence_agreement(share) -> SharingAgreement:
    return share(
        categories=[Category.OFFENCE],
        kinds=[OrganisationKind.PROBATION, OrganisationKind.PRISON],
        title="Statutory sharing",
    )


@pytest.fixture
def person(cast, make_person, agreement, offence_agreement) -> Person:
    return make_person(
        cast.probation,
        cast.prison,
        cast.caseworker,
        cast.coordinator,
        cast.mentor,
        given_name="Dana",
        family_name="Whitlock",
        started_on=days(-300),
    )


def sentence_data(**changes: Any) -> dict[str, Any]:
    return {
        "index_offence_category": "burglary",
        "sentence_type": "immediate_custody",
        "length_months": 30,
        "length_days": None,
        "sentenced_on": days(-400),
        "court": "Northshire Crown Court",
        "notes": "",
    } | changes


def risk_data(**changes: Any) -> dict[str, Any]:
    return {
        "assessed_on": days(-60),
        "rosh_level": "medium",
        "mappa_category": "none",
        "mappa_level": "none",
        "notes": "",
    } | changes


def condition_data(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "exclusion_zone",
        "wording": WORDING,
        "starts_on": days(-90),
        "ends_on": None,
    } | changes


@dataclass
class Recorded:
    earlier_sentence: Sentence
    sentence: Sentence
    earlier_risk: RiskAssessment
    risk: RiskAssessment
    condition: LicenceCondition
    ended: LicenceCondition


def record_history(actor: Membership, person: Person) -> Recorded:
    """Two sentences, a risk assessment superseded by another, a condition in force and one
    ended: a record with something in every part of its history."""
    earlier_sentence = services.sentence_record(
        actor=actor,
        person=person,
        data=sentence_data(
            index_offence_category="theft", length_months=6, sentenced_on=days(-1500)
        ),
    )
    sentence = services.sentence_record(actor=actor, person=person, data=sentence_data())
    earlier_risk = services.risk_assessment_record(
        actor=actor,
        person=person,
        data=risk_data(assessed_on=days(-80), rosh_level="high", notes=NOTES),
    )
    risk = services.risk_assessment_record(
        actor=actor,
        person=person,
        data=risk_data(mappa_category="2", mappa_level="1"),
    )
    condition = services.licence_condition_record(actor=actor, person=person, data=condition_data())
    ended = services.licence_condition_record(
        actor=actor,
        person=person,
        data=condition_data(kind="curfew", wording="Curfew 7pm to 7am", starts_on=days(-90)),
    )
    ended = services.licence_condition_end(actor=actor, condition=ended, ends_on=days(-30))
    return Recorded(earlier_sentence, sentence, earlier_risk, risk, condition, ended)


@pytest.fixture
def recorded(cast, person) -> Recorded:
    return record_history(cast.probation, person)
