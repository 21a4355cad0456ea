"""Offence and risk: sentences, risk of serious harm and MAPPA, and licence conditions. Rules on
the core.

Every part is read under the offence category, exactly as the registry places it: probation and
the prison under an agreement, anyone else only through an audited break-glass (which opens one
person's record, never lists). Recording is for case-level staff of probation and the prison
who may read it, so nobody adds to a record they cannot see."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from resettle.access.core import Actor, acting_staff, can_read, get_or_404
from resettle.access.principals import CASE_LEVEL_ROLES
from resettle.access.rules.suitability import is_suitability_assessor
from resettle.accounts.models import OrganisationKind
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.people.models import Person

SENTENCE = "offending.Sentence"
RISK_ASSESSMENT = "offending.RiskAssessment"
LICENCE_CONDITION = "offending.LicenceCondition"

OFFENDING_RECORDER_KINDS = frozenset({OrganisationKind.PROBATION, OrganisationKind.PRISON})


def can_view_offending(actor: Actor, person: Person) -> bool:
    """The person's offence and risk record: every part is in the same category."""
    return (
        can_read(actor, person, SENTENCE)
        and can_read(actor, person, RISK_ASSESSMENT)
        and can_read(actor, person, LICENCE_CONDITION)
    )


def can_record_offending(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in CASE_LEVEL_ROLES
        and staff.organisation.kind in OFFENDING_RECORDER_KINDS
        and can_view_offending(actor, person)
    )


def can_follow_offending_from_suitability(actor: Actor, person: Person) -> bool:
    """The suitability page points its assessor to the detail behind the answers; a partner
    reading the answers is never told where offence information is, let alone shown it."""
    return is_suitability_assessor(actor) and can_view_offending(actor, person)


def sentences_for_person(actor: Actor, person: Person) -> QuerySet[Sentence]:
    """One person's records for their page (what an open break-glass opens included)."""
    if not can_view_offending(actor, person):
        return Sentence.objects.none()
    return Sentence.objects.filter(person=person)


def risk_assessments_for_person(actor: Actor, person: Person) -> QuerySet[RiskAssessment]:
    if not can_view_offending(actor, person):
        return RiskAssessment.objects.none()
    return RiskAssessment.objects.filter(person=person)


def licence_conditions_for_person(actor: Actor, person: Person) -> QuerySet[LicenceCondition]:
    if not can_view_offending(actor, person):
        return LicenceCondition.objects.none()
    return LicenceCondition.objects.filter(person=person)


def get_sentence_for_actor(actor: Actor, sentence_id: Any) -> Sentence:
    """The sentence, or the same 404 whether it does not exist or its person's offence record is
    not the actor's to read."""
    sentence = get_or_404(
        Sentence.objects.select_related("person", "recorded_by", "organisation"),
        sentence_id,
        "sentence",
    )
    if not can_view_offending(actor, sentence.person):
        raise Http404("No such sentence")
    return sentence


def get_risk_assessment_for_actor(actor: Actor, assessment_id: Any) -> RiskAssessment:
    """The assessment (with the one that replaced it, if any), or the same 404."""
    assessment = get_or_404(
        RiskAssessment.objects.select_related(
            "person", "recorded_by", "organisation", "superseded_by"
        ),
        assessment_id,
        "risk assessment",
    )
    if not can_view_offending(actor, assessment.person):
        raise Http404("No such risk assessment")
    return assessment


def get_licence_condition_for_actor(actor: Actor, condition_id: Any) -> LicenceCondition:
    """The condition, or the same 404 whether it does not exist or its person's offence record
    is not the actor's to read."""
    condition = get_or_404(
        LicenceCondition.objects.select_related("person", "recorded_by", "organisation"),
        condition_id,
        "licence condition",
    )
    if not can_view_offending(actor, condition.person):
        raise Http404("No such licence condition")
    return condition
