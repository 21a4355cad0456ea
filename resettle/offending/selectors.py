"""Reads of a person's offence and risk record, already filtered by the access policy. Every read
that shows it is recorded in the audit trail under the offence category."""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_read
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.people.models import Person

# Every part of the record is in this one category (the registry says so; test_registry
# keeps it true).
OFFENCE = category_of("offending.Sentence")


@dataclass(frozen=True)
class OffenceRecord:
    """A person's offence and risk record: what holds now first, then the history."""

    sentences: list[Sentence]  # the latest (the current one) first
    risk_assessments: list[RiskAssessment]  # the current one first
    licence_conditions: list[LicenceCondition]  # the latest start first
    today: date

    @property
    def current_sentence(self) -> Sentence | None:
        return self.sentences[0] if self.sentences else None

    @property
    def earlier_sentences(self) -> list[Sentence]:
        return self.sentences[1:]

    @property
    def current_risk(self) -> RiskAssessment | None:
        return self.risk_assessments[0] if self.risk_assessments else None

    @property
    def earlier_risk(self) -> list[RiskAssessment]:
        return self.risk_assessments[1:]

    @property
    def live_conditions(self) -> list[LicenceCondition]:
        """In force now, or set to start later (a release still to come)."""
        return [c for c in self.licence_conditions if c.live_on(self.today)]

    @property
    def ended_conditions(self) -> list[LicenceCondition]:
        ended = [c for c in self.licence_conditions if not c.live_on(self.today)]
        return sorted(ended, key=lambda c: (c.ends_on, c.created_at), reverse=True)

    @property
    def empty(self) -> bool:
        return not (self.sentences or self.risk_assessments or self.licence_conditions)


def _in_chain_order(assessments: list[RiskAssessment]) -> list[RiskAssessment]:
    """The current assessment (superseded by none) first, then each one it replaced."""
    by_id = {a.pk: a for a in assessments}
    replaced = {a.supersedes_id for a in assessments}
    ordered: list[RiskAssessment] = []
    step = next((a for a in assessments if a.pk not in replaced), None)
    while step is not None:
        ordered.append(step)
        step = by_id.get(step.supersedes_id) if step.supersedes_id else None
    return ordered


def offence_record(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> OffenceRecord | None:
    """The person's offence and risk record, or None when the actor may not read it. Reading
    it (when there is anything to read) is audited."""
    if not policy.can_view_offending(actor, person):
        return None
    record = OffenceRecord(
        sentences=list(
            policy.sentences_for_person(actor, person)
            .select_related("recorded_by", "organisation")
            .order_by("-sentenced_on", "-created_at")
        ),
        risk_assessments=_in_chain_order(
            list(
                policy.risk_assessments_for_person(actor, person).select_related(
                    "recorded_by", "organisation"
                )
            )
        ),
        licence_conditions=list(
            policy.licence_conditions_for_person(actor, person)
            .select_related("recorded_by", "organisation")
            .order_by("-starts_on", "-created_at")
        ),
        today=date.today(),
    )
    if not record.empty:
        record_read(actor=actor, person=person, categories=[OFFENCE], request=request)
    return record


def record_offending_read(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> None:
    """Audit a read of one record of the person's offence and risk (an API detail)."""
    record_read(actor=actor, person=person, categories=[OFFENCE], request=request)
