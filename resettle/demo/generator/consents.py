"""People's consent to share their records (DESIGN §4) under the consent-based agreements.

Most people leaving prison have a current consent covering the voluntary-sector and delivery
partners; some gave none, a few withdrew it and a few let it expire. Family members the family
charity works with consent to family support; for a child under 18 that is someone with
parental responsibility, or the child after an assessment that they are competent to decide.
A few people in the named logins' caseloads are set on purpose, so the demo always shows each
case to the coordinator and the caseworker.
"""

from datetime import date, timedelta
from enum import Enum

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind, Role, User
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.demo.generator.agreements import DELIVERY_PARTNERS, VOLUNTARY_SECTOR
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.people.models import Person, WorkingRelationship

LEAVER_CATEGORIES = (
    Category.CONTACT,
    Category.CUSTODY,
    Category.RISK_SUITABILITY,
    Category.FAMILY_CHILDREN,
    Category.CASE_NOTES,
    Category.OUTCOMES,
    Category.HEALTH,
    Category.SUBSTANCE_USE,
)
# Some people share everything but their health and substance use.
PRIVATE_HEALTH = frozenset({Category.HEALTH, Category.SUBSTANCE_USE})
LEAVER_KINDS = (*VOLUNTARY_SECTOR, *DELIVERY_PARTNERS)
RELATIVE_CATEGORIES = (
    Category.CONTACT,
    Category.FAMILY_CHILDREN,
    Category.CASE_NOTES,
    Category.OUTCOMES,
)
RELATIVE_KINDS = (OrganisationKind.FAMILY_SUPPORT,)
# From this age a child may be assessed as competent to decide for themselves.
COMPETENCE_AGE = 13


class Status(Enum):
    CURRENT = "current"
    CURRENT_BUT_HEALTH = "current, not health"
    NONE = "none"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


LEAVER_STATUSES = {
    Status.CURRENT: 62.0,
    Status.CURRENT_BUT_HEALTH: 15.0,
    Status.NONE: 10.0,
    Status.WITHDRAWN: 6.0,
    Status.EXPIRED: 7.0,
}
RELATIVE_STATUSES = {Status.CURRENT: 85.0, Status.NONE: 10.0, Status.WITHDRAWN: 5.0}
METHODS = {ConsentMethod.WRITTEN: 50.0, ConsentMethod.VERBAL: 30.0, ConsentMethod.DIGITAL: 20.0}

# (organisation key, the named login whose caseload it is or None for the organisation's,
# statuses for the first people in it): what the demo walk-through relies on.
SHOWCASE = (
    ("trust_millbrook", None, (Status.CURRENT, Status.WITHDRAWN)),
    ("lead", "caseworker", (Status.CURRENT, Status.NONE, Status.WITHDRAWN, Status.EXPIRED)),
)


def create_consents(result: DemoResult) -> None:
    step = Step(result, "consents")
    statuses = {person.pk: step.pick(LEAVER_STATUSES) for person in result.leavers}
    for org_key, username, shown in SHOWCASE:
        for person_id, status in zip(_caseload(result, org_key, username), shown, strict=False):
            statuses[person_id] = status
    lead_staff = _staff(result, "lead")
    consents = [
        consent
        for person in result.leavers
        if (
            consent := _consent(
                step,
                person,
                statuses[person.pk],
                LEAVER_CATEGORIES,
                LEAVER_KINDS,
                step.rng.choice(lead_staff),
                result,
                "lead",
            )
        )
    ]
    consents += _relatives(step, result)
    save_all(Consent, consents, "consents", result)


def _relatives(step: Step, result: DemoResult) -> list[Consent]:
    supported = set(_caseload(result, "family", None))
    family_staff = _staff(result, "family")
    consents = []
    for family in result.families:
        carer = family.members[0] if family.children else None
        for person in family.members:
            if person.pk not in supported:
                continue
            consent = _consent(
                step,
                person,
                step.pick(RELATIVE_STATUSES),
                RELATIVE_CATEGORIES,
                RELATIVE_KINDS,
                step.rng.choice(family_staff),
                result,
                "family",
            )
            if consent is None:
                continue
            age = person.age_on(step.today)
            if age is not None and age < 18:
                if age >= COMPETENCE_AGE and step.chance(0.35):
                    consent.given_by = ConsentGivenBy.COMPETENCE_ASSESSED
                    consent.notes = (
                        f"{person.given_name} was assessed as competent to decide (Gillick "
                        "competence) and gave consent in a meeting with their family worker."
                    )
                else:
                    consent.given_by = ConsentGivenBy.PARENTAL_RESPONSIBILITY
                    parent = carer if carer is not None and carer.pk != person.pk else None
                    consent.given_by_name = (parent or family.leaver).full_name
            consents.append(consent)
    return consents


def _consent(
    step: Step,
    person: Person,
    status: Status,
    categories: tuple[str, ...],
    kinds: tuple[str, ...],
    recorder: User,
    result: DemoResult,
    org_key: str,
) -> Consent | None:
    if status is Status.NONE:
        return None
    today = step.today
    expires_on: date | None
    if status is Status.EXPIRED:
        given_on = step.days_ago(400, 700)
        expires_on = given_on + timedelta(days=365)
    else:
        given_on = step.days_ago(10, 330)
        expires_on = given_on + timedelta(days=365) if step.chance(0.7) else None
    if person.date_of_birth and given_on < person.date_of_birth:
        # A baby's consent, given for them once they were born.
        given_on = person.date_of_birth
        expires_on = given_on + timedelta(days=365) if expires_on else None
    withdrawn_on = None
    notes = ""
    if status is Status.WITHDRAWN:
        withdrawn_on = step.date_between(given_on + timedelta(days=7), today - timedelta(days=1))
        withdrawn_on = min(withdrawn_on, today)
        notes = "Withdrew consent by phone and asked that partners stop receiving information."
    shared = [
        c for c in categories if not (status is Status.CURRENT_BUT_HEALTH and c in PRIVATE_HEALTH)
    ]
    return Consent(
        id=step.new_id(),
        person=person,
        categories=shared,
        organisation_kinds=list(kinds),
        method=step.pick(METHODS),
        given_by=ConsentGivenBy.PERSON,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=recorder,
        recorded_by_organisation=result.organisations[org_key],
        withdrawn_on=withdrawn_on,
        withdrawn_recorded_by=recorder if withdrawn_on else None,
        notes=notes,
    )


def _caseload(result: DemoResult, org_key: str, username: str | None) -> list:
    """Ids of the people an organisation (or one named login in it) works with now."""
    relationships = WorkingRelationship.objects.filter(
        organisation=result.organisations[org_key], ended_on__isnull=True
    )
    if username is not None:
        relationships = relationships.filter(allocated_to=result.users[username])
    return list(relationships.order_by("started_on", "id").values_list("person_id", flat=True))


def _staff(result: DemoResult, org_key: str) -> list[User]:
    return result.staff[f"{org_key}:{Role.CASEWORKER}"]
