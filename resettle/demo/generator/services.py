"""The demo directory: services for every demo organisation, some open to all, some by referral
only, with locations and weekly sessions. Vale Haven's move-on flats are small on purpose
(capacity 4, with a waiting list), so the referrals step can fill them: the one full service.

Reads `result.organisations`; writes `result.services` (in the order of SERVICES)."""

from dataclasses import dataclass, field
from datetime import time, timedelta

from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.directory.models import (
    Access,
    CustodyEligibility,
    Location,
    Schedule,
    Service,
    TaxonomyTerm,
)
from resettle.directory.services import pathway_taxonomy

# Outward codes of the fictional North Vale (valid in form, not real places).
MILLBROOK, ASHCOMBE, EASTGATE, VALE_CENTRAL = "NV1", "NV2", "NV3", "NV4"

# The service built to be full: the referrals step gives it as many live referrals as places.
FULL_SERVICE_NAME = "Move-on flats"


@dataclass(frozen=True)
class Session:
    rrule: str
    opens: time
    closes: time


@dataclass(frozen=True)
class ServiceSpec:
    organisation: str
    name: str
    description: str
    access: str
    pathways: tuple[str, ...]
    location: str
    town: str
    postcode: str
    who_it_is_for: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligible_gender: str = "any"
    districts: tuple[str, ...] = ()
    custody_status: str = CustodyEligibility.ANY
    release_window_weeks: int | None = None
    capacity: int | None = None
    has_waiting_list: bool = True
    cost: str = ""
    sessions: tuple[Session, ...] = field(default_factory=tuple)


def _weekly(day: str, opens: int, closes: int) -> Session:
    return Session(f"FREQ=WEEKLY;BYDAY={day}", time(opens), time(closes))


# Every demo town (NV postcodes) is in the one fictional county.
DEMO_COUNTY = "North Vale"

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "probation",
        "Accommodation duty to refer",
        "Probation refers people at risk of homelessness on release to the council's housing "
        "team, and follows up the outcome.",
        Access.REFERRAL_ONLY,
        ("accommodation",),
        "North Vale probation office",
        "Vale Central",
        "NV4 2PB",
        who_it_is_for="People on licence or a community sentence supervised in North Vale",
        custody_status=CustodyEligibility.ON_LICENCE,
    ),
    ServiceSpec(
        "prison",
        "Pre-release resettlement planning",
        "One-to-one planning for release: housing, ID, bank account, GP and benefits, from 12 "
        "weeks before the release date.",
        Access.REFERRAL_ONLY,
        ("accommodation", "finance_benefit_id", "health"),
        "HMP Ashcombe resettlement hub",
        "Ashcombe",
        "NV2 8HP",
        custody_status=CustodyEligibility.PRE_RELEASE,
        release_window_weeks=12,
        capacity=60,
        sessions=(_weekly("MO,WE", 9, 12),),
    ),
    ServiceSpec(
        "lead",
        "Through-the-gate casework",
        "A caseworker from 12 weeks before release to a year after: a plan across every "
        "pathway, and onward referral to the partners.",
        Access.REFERRAL_ONLY,
        ("accommodation", "education_employment", "finance_benefit_id", "attitudes_behaviour"),
        "Bridgeway House",
        "Vale Central",
        "NV4 1BT",
        minimum_age=18,
        capacity=120,
    ),
    ServiceSpec(
        "lead",
        "Drop-in advice",
        "Come in for help with benefits, ID, debt or finding somewhere to live. No appointment "
        "or referral needed.",
        Access.OPEN,
        ("finance_benefit_id", "accommodation"),
        "Bridgeway House",
        "Vale Central",
        "NV4 1BT",
        sessions=(_weekly("TU,TH", 10, 13),),
    ),
    ServiceSpec(
        "mentoring",
        "Gate-to-home mentoring",
        "A peer mentor with lived experience meets you at the gate and stays alongside you for "
        "the first months after release.",
        Access.REFERRAL_ONLY,
        ("mentoring", "attitudes_behaviour"),
        "Lantern hub",
        "Millbrook",
        "NV1 3LN",
        minimum_age=18,
        custody_status=CustodyEligibility.PRE_RELEASE,
        release_window_weeks=8,
        capacity=25,
    ),
    ServiceSpec(
        "trust_millbrook",
        "Monday night football",
        "Casual five-a-side for adults, with coaches on hand. Boots and kit provided.",
        Access.OPEN,
        ("sport",),
        "Millbrook Rovers community pitches",
        "Millbrook",
        "NV1 6RF",
        minimum_age=18,
        sessions=(_weekly("MO", 18, 20),),
    ),
    ServiceSpec(
        "trust_millbrook",
        "Coaching qualification course",
        "An eight-week course leading to a level 1 coaching award, with volunteering at club "
        "sessions after.",
        Access.REFERRAL_ONLY,
        ("sport", "education_employment"),
        "Millbrook Rovers community pitches",
        "Millbrook",
        "NV1 6RF",
        minimum_age=18,
        maximum_age=35,
        districts=(MILLBROOK, VALE_CENTRAL),
        custody_status=CustodyEligibility.RELEASED,
        capacity=12,
        sessions=(_weekly("WE", 13, 16),),
    ),
    ServiceSpec(
        "trust_ashcombe",
        "Walking football",
        "Gentle football for every fitness level; tea and a chat after.",
        Access.BOTH,
        ("sport", "health"),
        "Ashcombe Town ground",
        "Ashcombe",
        "NV2 4AT",
        sessions=(_weekly("TH", 11, 12),),
    ),
    ServiceSpec(
        "trust_ashcombe",
        "Get Match Fit employability course",
        "Fitness in the morning, CV and interview practice in the afternoon, for six weeks.",
        Access.REFERRAL_ONLY,
        ("sport", "education_employment"),
        "Ashcombe Town ground",
        "Ashcombe",
        "NV2 4AT",
        minimum_age=18,
        custody_status=CustodyEligibility.RELEASED,
        capacity=15,
        sessions=(Session("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", time(10), time(15)),),
    ),
    ServiceSpec(
        "trust_eastgate",
        "Boxing fitness",
        "Non-contact boxing circuits in a friendly gym.",
        Access.OPEN,
        ("sport", "health"),
        "Eastgate Harriers gym",
        "Eastgate",
        "NV3 2EH",
        minimum_age=16,
        sessions=(_weekly("TU", 19, 20),),
    ),
    ServiceSpec(
        "trust_eastgate",
        "Sports leadership for young adults",
        "Lead sessions for local children's clubs and earn a sports leader award.",
        Access.REFERRAL_ONLY,
        ("sport", "education_employment"),
        "Eastgate Harriers gym",
        "Eastgate",
        "NV3 2EH",
        minimum_age=18,
        maximum_age=25,
        districts=(EASTGATE,),
        capacity=10,
    ),
    ServiceSpec(
        "housing",
        FULL_SERVICE_NAME,
        "Supported flats for up to two years after release, with a key worker, while you find "
        "a home of your own.",
        Access.REFERRAL_ONLY,
        ("accommodation",),
        "Vale Haven Court",
        "Vale Central",
        "NV4 7WH",
        minimum_age=18,
        custody_status=CustodyEligibility.PRE_RELEASE,
        release_window_weeks=12,
        capacity=4,
        has_waiting_list=True,
    ),
    ServiceSpec(
        "housing",
        "Tenancy sustainment",
        "Help to keep a tenancy going: bills, neighbours, repairs and budgeting.",
        Access.REFERRAL_ONLY,
        ("accommodation", "finance_benefit_id"),
        "Vale Haven Court",
        "Vale Central",
        "NV4 7WH",
        capacity=30,
        has_waiting_list=False,
    ),
    ServiceSpec(
        "family",
        "Family days and visits support",
        "Help for children and families to keep in touch with a parent in prison: travel, "
        "visits and family days.",
        Access.BOTH,
        ("children_families",),
        "Little Anchors family room",
        "Ashcombe",
        "NV2 5LA",
        custody_status=CustodyEligibility.FAMILY_MEMBER,
        sessions=(Session("FREQ=MONTHLY;BYDAY=1SA", time(10), time(14)),),
    ),
    ServiceSpec(
        "family",
        "Children's support worker",
        "One-to-one support for children affected by a family member's imprisonment.",
        Access.REFERRAL_ONLY,
        ("children_families", "health"),
        "Little Anchors family room",
        "Ashcombe",
        "NV2 5LA",
        maximum_age=17,
        custody_status=CustodyEligibility.FAMILY_MEMBER,
        capacity=20,
    ),
    ServiceSpec(
        "womens",
        "Women's centre drop-in",
        "A women-only space: lunch, advice and someone to talk to.",
        Access.OPEN,
        ("health", "finance_benefit_id"),
        "Willow Centre",
        "Vale Central",
        "NV4 3WD",
        eligible_gender="women",
        sessions=(_weekly("WE", 11, 15),),
    ),
    ServiceSpec(
        "womens",
        "Key work after custody",
        "A key worker for women leaving prison: housing, children, health and appointments.",
        Access.REFERRAL_ONLY,
        ("accommodation", "children_families", "health", "drugs_alcohol"),
        "Willow Centre",
        "Vale Central",
        "NV4 3WD",
        eligible_gender="women",
        minimum_age=18,
        capacity=18,
    ),
    ServiceSpec(
        "dwp",
        "Benefit claims before release",
        "A prison work coach starts your Universal Credit claim before release, so money "
        "arrives sooner.",
        Access.REFERRAL_ONLY,
        ("finance_benefit_id",),
        "HMP Ashcombe resettlement hub",
        "Ashcombe",
        "NV2 8HP",
        custody_status=CustodyEligibility.PRE_RELEASE,
        release_window_weeks=6,
    ),
    ServiceSpec(
        "dwp",
        "Jobcentre work coach",
        "Help into work, training and benefits from a work coach who knows about convictions.",
        Access.BOTH,
        ("education_employment", "finance_benefit_id"),
        "North Vale Jobcentre",
        "Vale Central",
        "NV4 5JP",
        minimum_age=18,
        sessions=(_weekly("MO,TU,WE,TH,FR", 9, 17),),
    ),
)


def create_services(result: DemoResult) -> None:
    step = Step(result, "services")
    taxonomy = pathway_taxonomy()
    terms = {term.code: term for term in taxonomy.terms.all()}
    locations: dict[tuple[str, str], Location] = {}
    services: list[Service] = []
    schedules: list[Schedule] = []
    for spec in SERVICES:
        organisation = result.organisations[spec.organisation]
        key = (spec.organisation, spec.location)
        if key not in locations:
            locations[key] = Location(
                id=step.new_id(),
                organisation=organisation,
                name=spec.location,
                address_line_1=f"{step.rng.randint(1, 90)} {spec.town} Road",
                town=spec.town,
                county=DEMO_COUNTY,
                postcode=spec.postcode,
                accessibility="Step-free entrance and an accessible toilet.",
                transport=f"Buses stop outside; {spec.town} station is a 10-minute walk.",
            )
        services.append(
            Service(
                id=step.new_id(),
                organisation=organisation,
                name=spec.name,
                description=spec.description,
                who_it_is_for=spec.who_it_is_for,
                access=spec.access,
                pathways=list(spec.pathways),
                minimum_age=spec.minimum_age,
                maximum_age=spec.maximum_age,
                eligible_gender=spec.eligible_gender,
                postcode_districts=list(spec.districts),
                custody_status=spec.custody_status,
                release_window_weeks=spec.release_window_weeks,
                capacity=spec.capacity,
                has_waiting_list=spec.has_waiting_list,
                cost=spec.cost,
                contact_name="Duty worker",
                email=organisation.email,
                phone=organisation.phone,
            )
        )
        for session in spec.sessions:
            schedules.append(
                Schedule(
                    id=step.new_id(),
                    service=services[-1],
                    location=locations[key],
                    valid_from=step.today - timedelta(days=step.rng.randint(60, 400)),
                    opens_at=session.opens,
                    closes_at=session.closes,
                    rrule=session.rrule,
                )
            )
    save_all(Location, locations.values(), "locations", result)
    save_all(Service, services, "services", result)
    save_all(Schedule, schedules, "schedules", result)
    Location.services.through.objects.bulk_create(
        [
            Location.services.through(
                location_id=locations[(spec.organisation, spec.location)].pk, service_id=s.pk
            )
            for s, spec in zip(services, SERVICES, strict=True)
        ]
    )
    TaxonomyTermLink = TaxonomyTerm.services.through
    TaxonomyTermLink.objects.bulk_create(
        [
            TaxonomyTermLink(taxonomyterm_id=terms[pathway].pk, service_id=s.pk)
            for s in services
            for pathway in s.pathways
        ]
    )
    result.services = services
