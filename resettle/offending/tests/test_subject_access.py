"""The subject access pack holds the offence and risk record, with its history, in the answer of
an organisation that recorded or may read it, and nowhere in a partner's."""

import pytest

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.dataprotection import pack
from resettle.offending.tests.conftest import WORDING

pytestmark = pytest.mark.django_db

SECTIONS = ("sentences", "risk_assessments", "licence_conditions")


def _lead(member: Membership) -> Membership:
    member.is_data_protection_lead = True
    member.save()
    return member


def _sections(lead: Membership, person) -> dict[str, list[pack.Record]]:
    built = pack.build(
        scope=policy.subject_access_scope(lead, person), person=person, requested_by="Test"
    )
    return {
        section.key: section.records
        for group in built.groups
        for section in group.sections
        if section.key in SECTIONS
    }


def test_probations_pack_holds_the_record_and_its_history(cast, person, recorded):
    sections = _sections(_lead(cast.probation), person)

    assert len(sections["sentences"]) == 2
    assert len(sections["risk_assessments"]) == 2
    conditions = sections["licence_conditions"]
    assert len(conditions) == 2 and all(record.own for record in conditions)
    wordings = [f.text for record in conditions for f in record.fields if f.name == "wording"]
    assert WORDING in wordings


def test_the_prison_may_read_probations_record_in_its_pack(cast, person, recorded):
    sections = _sections(_lead(cast.prison), person)

    assert len(sections["sentences"]) == 2
    assert not any(record.own for record in sections["sentences"])


def test_a_partners_pack_holds_none_of_it(cast, person, recorded):
    sections = _sections(_lead(cast.admin), person)

    assert sections == {key: [] for key in SECTIONS}
