"""The authorization matrix for the offence and risk routes: their decisions, and the records
they need.

DESIGN §4, as written: sentences, risk of serious harm, MAPPA and licence conditions are offence
information, which no agreement or consent opens beyond probation and the prison (the "shared"
scope has it for them, and for nobody else); the case-level staff of probation and the prison
who may read it record it, correct a sentence and end a licence condition. The person's page
opens for anyone who sees the person, and shows the record only with the category; one record
of it is a 404 without the category, as for a record that does not exist."""

from datetime import date, timedelta

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import Records, World
from resettle.accounts.models import OrganisationKind
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence

TODAY = date.today()
WRITE = ("GET", "POST")
OFFENCE = Category.OFFENCE

recorder = (
    lambda actor, scope, world: (
        actor.role in o.CASE_LEVEL_ROLES
        and actor.kind in (OrganisationKind.PROBATION, OrganisationKind.PRISON)
    ),
    o.Outcome.FORBIDDEN,
)
readable = o.has_category(OFFENCE, o.Outcome.NOT_FOUND)
# A record's person named in a body whom the actor may not see is invalid input (400); then the
# recorder's role and organisation, and the category, are a refusal (403).
creator = o.signed_in(
    (o.sees_person, o.Outcome.INVALID), recorder, o.has_category(OFFENCE, o.Outcome.FORBIDDEN)
)


def _person(records: Records) -> dict:
    return {"person": str(records.person.pk)}


def _sentence_body(records: Records) -> dict:
    return _person(records) | {
        "index_offence_category": "theft",
        "sentence_type": "immediate_custody",
        "length_months": 18,
        "sentenced_on": (TODAY - timedelta(days=500)).isoformat(),
    }


def _assessment_body(records: Records) -> dict:
    return _person(records) | {
        "assessed_on": TODAY.isoformat(),
        "rosh_level": "medium",
        "mappa_category": "none",
        "mappa_level": "none",
    }


def _condition_body(records: Records) -> dict:
    return _person(records) | {
        "kind": "curfew",
        "wording": "Stay at the approved address between 7pm and 7am.",
        "starts_on": TODAY.isoformat(),
    }


DECISIONS: dict[str, Decision] = {
    "offending:person": Decision(o.person(), about="person"),
    "offending:sentence_create": Decision(
        o.person(recorder, o.has_category(OFFENCE, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "offending:risk_assessment_create": Decision(
        o.person(recorder, o.has_category(OFFENCE, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "offending:licence_condition_create": Decision(
        o.person(recorder, o.has_category(OFFENCE, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "offending:sentence_correct": Decision(
        o.person(readable, recorder), about="person", methods=WRITE
    ),
    "offending:licence_condition_end": Decision(
        o.person(readable, recorder), about="person", methods=WRITE
    ),
    "GET /api/v1/people/{person_id}/offence-and-risk": Decision(
        o.person(o.has_category(OFFENCE, o.Outcome.FORBIDDEN)), about="person"
    ),
    "POST /api/v1/sentences": Decision(creator, about="person", body=_sentence_body),
    "GET /api/v1/sentences/{sentence_id}": Decision(o.person(readable), about="person"),
    "PATCH /api/v1/sentences/{sentence_id}": Decision(
        o.person(readable, recorder),
        about="person",
        body=lambda r: {"length_months": 25, "reason": "The length was typed wrongly."},
    ),
    "POST /api/v1/risk-assessments": Decision(creator, about="person", body=_assessment_body),
    "GET /api/v1/risk-assessments/{risk_assessment_id}": Decision(
        o.person(readable), about="person"
    ),
    "POST /api/v1/licence-conditions": Decision(creator, about="person", body=_condition_body),
    "GET /api/v1/licence-conditions/{condition_id}": Decision(o.person(readable), about="person"),
    "POST /api/v1/licence-conditions/{condition_id}/end": Decision(
        o.person(readable, recorder), about="person", body=lambda r: {"ends_on": TODAY.isoformat()}
    ),
}


def build(world: World) -> None:
    """A sentence, a risk assessment and a licence condition in force for every scope's person,
    recorded by probation."""
    probation = world.cast.probation
    for person in world.people.values():
        recorded = {"organisation": probation.organisation, "recorded_by": probation.user}
        extra = world.per_person[person.pk]["extra"]
        extra["sentence"] = Sentence.objects.create(
            person=person,
            index_offence_category="burglary",
            sentence_type="immediate_custody",
            length_months=24,
            sentenced_on=TODAY - timedelta(days=400),
            **recorded,
        )
        extra["risk_assessment"] = RiskAssessment.objects.create(
            person=person,
            assessed_on=TODAY - timedelta(days=100),
            rosh_level="high",
            mappa_category="2",
            mappa_level="1",
            **recorded,
        )
        extra["condition"] = LicenceCondition.objects.create(
            person=person,
            kind="exclusion_zone",
            wording="Do not enter Matrixville town centre.",
            starts_on=TODAY - timedelta(days=100),
            **recorded,
        )
