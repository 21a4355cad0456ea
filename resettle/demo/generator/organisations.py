"""The fictional North Vale partnership and its organisations (DESIGN §7)."""

from dataclasses import dataclass

from resettle.accounts.models import Organisation, OrganisationKind
from resettle.demo.generator.context import DemoResult, Step
from resettle.partnerships.models import Partnership

PARTNERSHIP_NAME = "North Vale Resettlement Partnership"


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    kind: str
    description: str
    email_user: str
    phone: str


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "probation",
        "North Vale Probation Delivery Unit",
        OrganisationKind.PROBATION,
        "Supervises people on licence and community sentences across North Vale.",
        "northvale.pdu",
        "01632 960101",
    ),
    OrganisationSpec(
        "prison",
        "HMP Ashcombe resettlement team",
        OrganisationKind.PRISON,
        "Plans release with people in HMP Ashcombe from 12 weeks before their release date.",
        "ashcombe.resettlement",
        "01632 960102",
    ),
    OrganisationSpec(
        "lead",
        "Bridgeway Trust",
        OrganisationKind.LEAD_CHARITY,
        "Leads the partnership: casework from release, and onward referral to partners.",
        "hello.bridgeway",
        "01632 960103",
    ),
    OrganisationSpec(
        "mentoring",
        "Lantern Peer Mentors",
        OrganisationKind.MENTORING,
        "Mentors with lived experience meet people at the gate and stay alongside them.",
        "lantern.mentors",
        "01632 960104",
    ),
    OrganisationSpec(
        "trust_millbrook",
        "Millbrook Rovers Community Trust",
        OrganisationKind.SPORT_TRUST,
        "Football sessions, coaching qualifications and volunteering in Millbrook.",
        "community.millbrookrovers",
        "01632 960105",
    ),
    OrganisationSpec(
        "trust_ashcombe",
        "Ashcombe Town Football Foundation",
        OrganisationKind.SPORT_TRUST,
        "Walking football, fitness and employability courses at the Ashcombe Town ground.",
        "foundation.ashcombetown",
        "01632 960106",
    ),
    OrganisationSpec(
        "trust_eastgate",
        "Eastgate Harriers Sport Trust",
        OrganisationKind.SPORT_TRUST,
        "Running, boxing fitness and sports leadership for adults in Eastgate.",
        "trust.eastgateharriers",
        "01632 960107",
    ),
    OrganisationSpec(
        "housing",
        "Vale Haven Housing Association",
        OrganisationKind.HOUSING,
        "Supported and move-on housing for people leaving prison.",
        "lettings.valehaven",
        "01632 960108",
    ),
    OrganisationSpec(
        "family",
        "Little Anchors Family Support",
        OrganisationKind.FAMILY_SUPPORT,
        "Supports children and families affected by a family member's imprisonment.",
        "families.littleanchors",
        "01632 960109",
    ),
    OrganisationSpec(
        "womens",
        "Willow Women's Programme",
        OrganisationKind.WOMENS_SERVICE,
        "A women-only centre: key work, groups and practical help after custody.",
        "willow.women",
        "01632 960110",
    ),
    OrganisationSpec(
        "dwp",
        "DWP North Vale prison work coaches",
        OrganisationKind.DWP,
        "Work coaches who set up benefit claims before release and support people into work.",
        "northvale.workcoaches",
        "01632 960111",
    ),
)


def create_organisations(result: DemoResult) -> None:
    step = Step(result, "organisations")
    organisations = [
        Organisation(
            id=step.new_id(),
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            email=f"{spec.email_user}@example.org",
            phone=spec.phone,
        )
        for spec in ORGANISATIONS
    ]
    Organisation.objects.bulk_create(organisations)
    partnership = Partnership.objects.create(
        id=step.new_id(),
        name=PARTNERSHIP_NAME,
        description=(
            "A fictional partnership made for demonstration: probation, HMP Ashcombe, the "
            "Bridgeway Trust and its partners support people leaving prison, and their families."
        ),
    )
    partnership.organisations.set(organisations)
    result.partnership = partnership
    result.organisations = {
        spec.key: org for spec, org in zip(ORGANISATIONS, organisations, strict=True)
    }
    result.counts["organisations"] = len(organisations)
