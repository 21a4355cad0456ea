"""Evidence for evaluation (DESIGN §11): a few further offences, arrests, convictions and
cautions recorded by probation after people's releases (recalls are already custody events);
an agreement letting the lead charity send its Justice Data Lab file and an extract to a named
university evaluator; and the lead charity's cohort of the last two years, which the custody
histories make evaluation-ready (most were released, with dates of birth and sex recorded).
Reads `result.custody_periods` and the working relationships."""

from datetime import timedelta

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.evaluation.models import (
    Cohort,
    OffenceCategory,
    OutcomeEvent,
    OutcomeEventKind,
    OutcomeSource,
)
from resettle.partnerships.models import LawfulBasis, PermittedExport, SharingAgreement
from resettle.people.models import WorkingRelationship

EVALUATOR = "University of North Vale, Centre for Criminology"
EVENT_SHARE = 0.06
KINDS = {
    OutcomeEventKind.ARREST: 40.0,
    OutcomeEventKind.FURTHER_OFFENCE: 20.0,
    OutcomeEventKind.CONVICTION: 25.0,
    OutcomeEventKind.CAUTION: 15.0,
}
CATEGORIES = {
    OffenceCategory.THEFT: 30.0,
    OffenceCategory.DRUGS: 20.0,
    OffenceCategory.VIOLENCE: 15.0,
    OffenceCategory.PUBLIC_ORDER: 12.0,
    OffenceCategory.BURGLARY: 8.0,
    OffenceCategory.CRIMINAL_DAMAGE: 8.0,
    OffenceCategory.MOTORING: 7.0,
}
SOURCES = {
    OutcomeEventKind.ARREST: OutcomeSource.POLICE,
    OutcomeEventKind.FURTHER_OFFENCE: OutcomeSource.PROBATION,
    OutcomeEventKind.CONVICTION: OutcomeSource.COURT,
    OutcomeEventKind.CAUTION: OutcomeSource.POLICE,
}
COHORT_DAYS = 730


def create_evaluation(result: DemoResult) -> None:
    step = Step(result, "evaluation")
    today = result.today
    probation = result.organisations["probation"]
    lead = result.organisations["lead"]
    recorder = result.users["probation"]
    supervised = set(
        WorkingRelationship.objects.filter(organisation=probation).values_list(
            "person_id", flat=True
        )
    )
    events = []
    for period in result.custody_periods:
        released = period.released_on
        if period.person_id not in supervised or released is None:
            continue
        if (today - released).days < 30 or not step.chance(EVENT_SHARE):
            continue
        kind = step.pick(KINDS)
        events.append(
            OutcomeEvent(
                id=step.new_id(),
                person_id=period.person_id,
                kind=kind,
                occurred_on=step.date_between(released + timedelta(days=14), today),
                offence_category=step.pick(CATEGORIES),
                source=SOURCES[kind],
                organisation=probation,
                recorded_by=recorder,
            )
        )
    save_all(OutcomeEvent, events, "criminal justice outcome events", result)
    agreement = SharingAgreement(
        id=step.new_id(),
        partnership=result.partnership,
        owner=lead,
        title="Evaluation and the Justice Data Lab",
        document_reference=f"NVRP-ISA-{today.year}-06",
        purpose=(
            "The lead charity sends the Justice Data Lab the names, dates of birth and "
            "identifiers of the people it supported, to measure reoffending against a matched "
            f"group, and gives {EVALUATOR} a pseudonymised extract for its evaluation."
        ),
        lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        categories=[Category.CRIMINAL_JUSTICE_IDS],
        recipient_kinds=[OrganisationKind.LEAD_CHARITY],
        permitted_exports=[PermittedExport.JUSTICE_DATA_LAB, PermittedExport.EVALUATOR_EXTRACT],
        evaluator=EVALUATOR,
        starts_on=today - timedelta(days=200),
        created_by=result.users["admin"],
    )
    save_all(SharingAgreement, [agreement], "evaluation agreements", result)
    cohort = Cohort(
        id=step.new_id(),
        organisation=lead,
        name="New Leaf support, last two years",
        service_from=today - timedelta(days=COHORT_DAYS),
        service_to=today - timedelta(days=1),
        created_by=result.users["analyst"],
    )
    save_all(Cohort, [cohort], "evaluation cohorts", result)
