"""The authorization matrix for the evaluation routes: their decisions, and the records they need.

DESIGN §4 and §11, as written: criminal justice outcomes (further offences, arrests,
convictions, cautions, and recalls read from custody) are offence information, seen only by
probation and the prison under an agreement (the "shared" scope has it); probation and prison
referrers and caseworkers record them. Cohorts, evaluations and exports are an organisation's
evaluation work, for its analysts and partnership managers (anyone else is refused, 403); another
organisation's are a 404, and an export is downloaded only by the person who asked for it."""

import uuid
from datetime import date, timedelta

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OWN, Records, World
from resettle.accounts.models import OrganisationKind, Role
from resettle.evaluation.models import Cohort, Evaluation, ExportJob, ExportKind, OutcomeEvent
from resettle.partnerships.models import PermittedExport

TODAY = date.today()
WRITE = ("GET", "POST")
EVALUATOR = "Matrix Evaluation Unit"
OFFENCE = Category.OFFENCE

recorder = (
    lambda actor, scope, world: (
        actor.role in (Role.REFERRER, Role.CASEWORKER)
        and actor.kind in (OrganisationKind.PROBATION, OrganisationKind.PRISON)
    ),
    o.Outcome.FORBIDDEN,
)
evaluator = o.role_in(Role.ANALYST, Role.PARTNERSHIP_MANAGER)
own_organisations = o.scope_in(OWN)
# Every export in the matrix was asked for by the analyst.
asked_for_it = (lambda actor, scope, world: actor.key == "analyst", o.Outcome.NOT_FOUND)
cohort_rule = o.signed_in(evaluator, own_organisations)
export_rule = o.signed_in(evaluator, own_organisations, asked_for_it)


def _event_body(records: Records) -> dict:
    return {
        "person": str(records.person.pk),
        "kind": "arrest",
        "occurred_on": TODAY.isoformat(),
        "offence_category": "theft",
        "source": "police",
    }


def _export_body(records: Records) -> dict:
    cohort = records.cohort
    return {"kind": "jdl_cohort", "cohort": str(cohort.pk if cohort else uuid.uuid4())}


DECISIONS: dict[str, Decision] = {
    # The page opens for anyone who sees the person; it shows outcomes only with offence.
    "evaluation:person_outcomes": Decision(o.person(), about="person"),
    "evaluation:outcome_create": Decision(
        o.person(recorder, o.has_category(OFFENCE, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "evaluation:cohort_list": Decision(o.signed_in(evaluator)),
    "evaluation:cohort_create": Decision(o.signed_in(evaluator), methods=WRITE),
    "evaluation:cohort_detail": Decision(cohort_rule, about="cohort"),
    "evaluation:cohort_export": Decision(cohort_rule, about="cohort", methods=("POST",)),
    "evaluation:result_create": Decision(cohort_rule, about="cohort", methods=WRITE),
    "evaluation:evaluation_create": Decision(cohort_rule, about="cohort", methods=WRITE),
    "evaluation:evaluation_detail": Decision(cohort_rule, about="evaluation"),
    "evaluation:evaluation_extract": Decision(cohort_rule, about="evaluation", methods=("POST",)),
    "evaluation:export_detail": Decision(export_rule, about="export"),
    "evaluation:export_download": Decision(export_rule, about="export"),
    "GET /api/v1/outcome-events": Decision(o.signed_in()),
    # A person named in the body whom the actor may not see is invalid input (400).
    "POST /api/v1/outcome-events": Decision(
        o.signed_in(
            (o.sees_person, o.Outcome.INVALID),
            recorder,
            o.has_category(OFFENCE, o.Outcome.FORBIDDEN),
        ),
        about="person",
        body=_event_body,
    ),
    "GET /api/v1/outcome-events/{event_id}": Decision(
        o.person(o.has_category(OFFENCE, o.Outcome.NOT_FOUND)), about="person"
    ),
    # A cohort named in the body that is not the actor's organisation's is invalid input.
    "POST /api/v1/exports": Decision(
        o.signed_in(evaluator, o.scope_in(OWN, otherwise=o.Outcome.INVALID)),
        about="cohort",
        body=_export_body,
    ),
    "GET /api/v1/exports/{export_id}": Decision(export_rule, about="export"),
    "GET /api/v1/exports/{export_id}/download": Decision(export_rule, about="export"),
}


def build(world: World) -> None:
    """An arrest for every scope's person; for each organisation a cohort, an evaluation and an
    export the analyst asked for; and the main agreement permitting both kinds of file."""
    recorder_user = world.cast.probation.user
    for person in world.people.values():
        event = OutcomeEvent.objects.create(
            person=person,
            kind="arrest",
            occurred_on=TODAY - timedelta(days=10),
            offence_category="theft",
            source="police",
            organisation=world.cast.probation.organisation,
            recorded_by=recorder_user,
        )
        extra = world.per_person[person.pk]["extra"]
        extra["event"] = event
        for name in ("cohort", "evaluation", "export"):
            extra.setdefault(name, None)
    analyst = world.cast.analyst.user
    for organisation in world.organisations.values():
        cohort = Cohort.objects.create(
            organisation=organisation,
            name="Matrix cohort",
            service_from=TODAY - timedelta(days=365),
            service_to=TODAY - timedelta(days=1),
            created_by=analyst,
        )
        evaluation = Evaluation.objects.create(
            organisation=organisation,
            cohort=cohort,
            name="Matrix evaluation",
            evaluator=EVALUATOR,
            created_by=analyst,
        )
        export = ExportJob.objects.create(
            organisation=organisation,
            requested_by=analyst,
            kind=ExportKind.JDL_COHORT,
            cohort=cohort,
        )
        world.per_organisation.setdefault(organisation.pk, {}).update(
            {"cohort": cohort, "evaluation": evaluation, "export": export}
        )
    main = world.agreements["main"]
    main.permitted_exports = [PermittedExport.JUSTICE_DATA_LAB, PermittedExport.EVALUATOR_EXTRACT]
    main.evaluator = EVALUATOR
    main.save()
