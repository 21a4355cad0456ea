"""The North Vale partnership's information-sharing agreements (DESIGN §4), owned by the lead
charity: statutory sharing with probation and the prison, consent-based casework sharing with
the voluntary sector, criminal-justice identifiers for the lead charity alone, referrals to
delivery partners, and a pilot that has ended, so the demo
shows an agreement expiring."""

from dataclasses import dataclass
from datetime import timedelta

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.partnerships.models import LawfulBasis, SharingAgreement


@dataclass(frozen=True)
class AgreementSpec:
    title: str
    number: int  # in the document reference
    purpose: str
    lawful_basis: str
    categories: tuple[str, ...]
    recipient_kinds: tuple[str, ...]
    # Days before the demo's today it started, and (for one that has ended) ended.
    started_days_ago: int
    ended_days_ago: int | None = None


VOLUNTARY_SECTOR = (
    OrganisationKind.LEAD_CHARITY,
    OrganisationKind.MENTORING,
    OrganisationKind.HOUSING,
    OrganisationKind.FAMILY_SUPPORT,
    OrganisationKind.WOMENS_SERVICE,
)
DELIVERY_PARTNERS = (OrganisationKind.SPORT_TRUST, OrganisationKind.DWP)

AGREEMENTS: tuple[AgreementSpec, ...] = (
    AgreementSpec(
        title="Statutory supervision and release planning",
        number=1,
        purpose=(
            "Probation and the prison resettlement team share what they need to supervise "
            "people on licence and to plan release safely, under their statutory duties."
        ),
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        categories=(
            Category.CONTACT,
            Category.CUSTODY,
            Category.OFFENCE,
            Category.RISK_SUITABILITY,
            Category.FAMILY_CHILDREN,
            Category.CRIMINAL_JUSTICE_IDS,
        ),
        recipient_kinds=(OrganisationKind.PROBATION, OrganisationKind.PRISON),
        started_days_ago=420,
    ),
    AgreementSpec(
        title="Casework sharing",
        number=2,
        purpose=(
            "Voluntary-sector partners share casework so a person tells their story once: "
            "contact details, release and licence dates, suitability, family, case notes, "
            "outcomes, and health and substance use where the person agrees."
        ),
        lawful_basis=LawfulBasis.CONSENT,
        categories=(
            Category.CONTACT,
            Category.CUSTODY,
            Category.RISK_SUITABILITY,
            Category.FAMILY_CHILDREN,
            Category.CASE_NOTES,
            Category.OUTCOMES,
            Category.HEALTH,
            Category.SUBSTANCE_USE,
        ),
        recipient_kinds=VOLUNTARY_SECTOR,
        started_days_ago=400,
    ),
    AgreementSpec(
        title="Referrals to delivery partners",
        number=3,
        purpose=(
            "Sport trusts and DWP work coaches receive contact details and suitability answers "
            "for the people referred to them, so they can accept referrals safely. Never "
            "offence details or risk narrative."
        ),
        lawful_basis=LawfulBasis.CONSENT,
        categories=(Category.CONTACT, Category.RISK_SUITABILITY),
        recipient_kinds=DELIVERY_PARTNERS,
        started_days_ago=300,
    ),
    AgreementSpec(
        title="Criminal-justice identifiers for release planning",
        number=5,
        purpose=(
            "The lead charity receives prison numbers, CRNs and PNC IDs so it can arrange "
            "prison visits and gate meetings and work with probation on release plans. Other "
            "voluntary-sector partners and delivery partners do not receive them."
        ),
        lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        categories=(Category.CRIMINAL_JUSTICE_IDS,),
        recipient_kinds=(OrganisationKind.LEAD_CHARITY,),
        started_days_ago=400,
    ),
    AgreementSpec(
        title="Employment outcomes pilot",
        number=4,
        purpose=(
            "A six-month pilot in which DWP work coaches saw case notes and outcomes, to "
            "measure job starts. It has ended; DWP no longer receives them."
        ),
        lawful_basis=LawfulBasis.CONSENT,
        categories=(Category.CASE_NOTES, Category.OUTCOMES),
        recipient_kinds=(OrganisationKind.DWP,),
        started_days_ago=270,
        ended_days_ago=90,
    ),
)


def create_agreements(result: DemoResult) -> None:
    step = Step(result, "agreements")
    owner = result.organisations["lead"]
    agreements = []
    for spec in AGREEMENTS:
        starts_on = step.today - timedelta(days=spec.started_days_ago)
        ends_on = (
            step.today - timedelta(days=spec.ended_days_ago)
            if spec.ended_days_ago is not None
            else None
        )
        agreements.append(
            SharingAgreement(
                id=step.new_id(),
                partnership=result.partnership,
                owner=owner,
                title=spec.title,
                document_reference=f"NVRP-ISA-{starts_on.year}-{spec.number:02d}",
                purpose=spec.purpose,
                lawful_basis=spec.lawful_basis,
                categories=list(spec.categories),
                recipient_kinds=list(spec.recipient_kinds),
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=result.users["admin"],
            )
        )
    save_all(SharingAgreement, agreements, "sharing agreements", result)
