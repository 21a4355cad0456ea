"""Whether a person meets a service's eligibility rules, in plain English.

Decisions:
- A rule the person's record shows they do not meet is a *reason*: `ineligibility_reasons`
  returns them, and an empty list means eligible.
- Data that is not recorded is never a reason to exclude: somebody whose date of birth is missing
  may still be eligible for an 18-25 service. What could not be checked is listed separately by
  `unchecked_rules` ("Age not recorded"), so the referrer knows to confirm it.
- Custody rules need a positive fact, so a person with no custody period on record does not meet
  "in custody", "released" or "on licence" (that is what the record shows, not a gap in it).
  Inside a period, a missing expected release date or licence end date is unknown, not a reason.
- Callers check that the actor may see the person. Pass `categories` (the data categories the
  actor may read, e.g. `policy.categories_visible`) to keep rules that rest on categories the
  actor may not read out of the reasons: those rules are reported as "not shared with you"
  instead, so the answer never reveals custody, address or family details.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q

from resettle.access.categories import Category
from resettle.custody.models import CustodyPeriod
from resettle.directory.models import CustodyEligibility, EligibleGender, Service
from resettle.people import choices
from resettle.people.models import Address, Person, Relationship

WOMEN_IDENTITIES = frozenset({choices.GenderIdentity.WOMAN})
MEN_IDENTITIES = frozenset({choices.GenderIdentity.MAN})
# Identities for which the sex registered at birth says the gender.
SEX_DECIDES = frozenset(
    {
        choices.GenderIdentity.SAME_AS_SEX,
        choices.GenderIdentity.NOT_RECORDED,
        choices.GenderIdentity.PREFER_NOT_TO_SAY,
    }
)


@dataclass
class CustodyState:
    """Where the person is in their journey through the gate on a given day."""

    has_period: bool = False
    in_custody: bool = False
    released: bool = False
    expected_release_date: date | None = None
    licence_end_date: date | None = None


@dataclass
class PersonFacts:
    """What the rules need about one person, read once for any number of services."""

    person: Person
    on: date
    age: int | None
    gender: str | None  # "women", "men", "other" or None (not recorded)
    outward_code: str | None
    no_fixed_abode: bool
    custody: CustodyState
    family_of_someone_in_custody: bool
    categories: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)

    def may_read(self, category: str) -> bool:
        return self.categories is None or category in self.categories


@dataclass
class Eligibility:
    """One service's answer for one person."""

    reasons: list[str]
    unchecked: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _gender(person: Person) -> str | None:
    identity = person.gender_identity
    if identity in WOMEN_IDENTITIES:
        return "women"
    if identity in MEN_IDENTITIES:
        return "men"
    if identity in SEX_DECIDES:
        if person.sex == choices.Sex.FEMALE:
            return "women"
        if person.sex == choices.Sex.MALE:
            return "men"
        return None
    return "other"


def _current_address(person: Person, on: date) -> Address | None:
    return (
        Address.objects.filter(person=person)
        .filter(Q(from_date__isnull=True) | Q(from_date__lte=on))
        .filter(Q(to_date__isnull=True) | Q(to_date__gt=on))
        .order_by("-from_date", "-created_at")
        .first()
    )


def _custody_state(periods: list[CustodyPeriod], on: date) -> CustodyState:
    """The state on `on` from the latest period that had started and not ended by then."""
    current = [p for p in periods if p.start_date <= on and (p.ended_on is None or p.ended_on > on)]
    state = CustodyState(has_period=any(p.start_date <= on for p in periods))
    if not current:
        # Every period ended: released and off licence, if ever released.
        state.released = any(p.released_on and p.released_on <= on for p in periods)
        return state
    period = max(current, key=lambda p: p.start_date)
    released = period.released_on is not None and period.released_on <= on
    recalled_since = (
        released
        and period.released_on is not None
        and period.recalled_on is not None
        and period.released_on < period.recalled_on <= on
    )
    state.in_custody = not released or recalled_since
    state.released = not state.in_custody
    state.expected_release_date = period.expected_release_date
    state.licence_end_date = period.licence_end_date
    return state


def person_facts(
    person: Person, *, on: date | None = None, categories: frozenset[str] | None = None
) -> PersonFacts:
    """Read what the rules need (a few queries, whatever the number of services)."""
    on = on or date.today()
    address = _current_address(person, on)
    postcode = address.postcode if address else ""
    periods = list(CustodyPeriod.objects.filter(person=person))
    relatives_in_custody = Relationship.objects.filter(_relative_in_custody(on), person=person)
    return PersonFacts(
        person=person,
        on=on,
        age=person.age_on(on),
        gender=_gender(person),
        outward_code=postcode.split()[0].upper() if postcode.strip() else None,
        no_fixed_abode=bool(address and address.kind == choices.AddressKind.NO_FIXED_ABODE),
        custody=_custody_state(periods, on),
        family_of_someone_in_custody=relatives_in_custody.exists(),
        categories=categories,
    )


def _relative_in_custody(on: date) -> Q:
    """Relationships whose related person has a custody period under way on `on`."""
    return Q(related_person__custody_periods__start_date__lte=on) & (
        Q(related_person__custody_periods__ended_on__isnull=True)
        | Q(related_person__custody_periods__ended_on__gt=on)
    )


def _age_rule(service: Service, facts: PersonFacts, result: Eligibility) -> None:
    if service.minimum_age is None and service.maximum_age is None:
        return
    if facts.age is None:
        result.unchecked.append("Age not recorded")
        return
    too_young = service.minimum_age is not None and facts.age < service.minimum_age
    too_old = service.maximum_age is not None and facts.age > service.maximum_age
    if too_young or too_old:
        result.reasons.append(f"Aged {facts.age}: the service is for people aged {_ages(service)}")


def _ages(service: Service) -> str:
    if service.minimum_age is not None and service.maximum_age is not None:
        return f"{service.minimum_age} to {service.maximum_age}"
    if service.minimum_age is not None:
        return f"{service.minimum_age} or over"
    return f"{service.maximum_age} or under"


def _gender_rule(service: Service, facts: PersonFacts, result: Eligibility) -> None:
    if service.eligible_gender == EligibleGender.ANY:
        return
    if facts.gender is None:
        result.unchecked.append("Sex and gender identity not recorded")
        return
    if facts.gender != service.eligible_gender:
        label = "women" if service.eligible_gender == EligibleGender.WOMEN else "men"
        result.reasons.append(f"The service is for {label} only")


def _area_rule(service: Service, facts: PersonFacts, result: Eligibility) -> None:
    districts = [d.upper() for d in service.postcode_districts or []]
    if not districts:
        return
    if not facts.may_read(Category.CONTACT):
        result.unchecked.append("Address not shared with you: check the area served")
        return
    if facts.outward_code is None:
        result.unchecked.append(
            "No fixed abode: check the area served"
            if facts.no_fixed_abode
            else "Postcode not recorded"
        )
        return
    if facts.outward_code not in districts:
        result.reasons.append(
            f"Lives in {facts.outward_code}: the service covers {', '.join(districts)}"
        )


def _custody_rule(service: Service, facts: PersonFacts, result: Eligibility) -> None:
    rule = service.custody_status
    if rule == CustodyEligibility.ANY:
        return
    if rule == CustodyEligibility.FAMILY_MEMBER:
        if not facts.may_read(Category.FAMILY_CHILDREN):
            result.unchecked.append("Family details not shared with you: check the relationship")
        elif not facts.family_of_someone_in_custody:
            result.reasons.append("Not recorded as a family member of someone in or leaving prison")
        return
    if not facts.may_read(Category.CUSTODY):
        result.unchecked.append("Custody status not shared with you: check it with the referrer")
        return
    custody = facts.custody
    if not custody.has_period:
        result.reasons.append("No custody period recorded")
        return
    if rule == CustodyEligibility.IN_CUSTODY:
        if not custody.in_custody:
            result.reasons.append("Not in custody: the service is for people in custody")
    elif rule == CustodyEligibility.PRE_RELEASE:
        _pre_release_rule(service, facts, result)
    elif rule == CustodyEligibility.RELEASED:
        if not custody.released:
            result.reasons.append("In custody: the service is for people after release")
    elif rule == CustodyEligibility.ON_LICENCE:
        _licence_rule(facts, result)


def _pre_release_rule(service: Service, facts: PersonFacts, result: Eligibility) -> None:
    custody, weeks = facts.custody, service.release_window_weeks or 0
    if not custody.in_custody:
        result.reasons.append("Not in custody: the service is for people before release")
        return
    if custody.expected_release_date is None:
        result.unchecked.append("Expected release date not recorded")
        return
    # A release date already passed while still in custody counts as imminent.
    if custody.expected_release_date > facts.on + timedelta(weeks=weeks):
        result.reasons.append(
            f"Release expected on {custody.expected_release_date:%-d %B %Y}: the service "
            f"starts {weeks} weeks before release"
        )


def _licence_rule(facts: PersonFacts, result: Eligibility) -> None:
    custody = facts.custody
    if not custody.released:
        result.reasons.append("In custody: the service is for people on licence")
        return
    if custody.licence_end_date is None:
        result.unchecked.append("Licence end date not recorded")
    elif custody.licence_end_date <= facts.on:
        result.reasons.append(f"Licence ended on {custody.licence_end_date:%-d %B %Y}")


RULES = (_age_rule, _gender_rule, _area_rule, _custody_rule)


def check(service: Service, facts: PersonFacts) -> Eligibility:
    result = Eligibility(reasons=[], unchecked=[])
    for rule in RULES:
        rule(service, facts, result)
    return result


def ineligibility_reasons(
    service: Service,
    person: Person,
    *,
    on: date | None = None,
    categories: frozenset[str] | None = None,
) -> list[str]:
    """Plain-English reasons the person does not meet the service's rules; empty = eligible.
    Missing data is not a reason (see `unchecked_rules`)."""
    return check(service, person_facts(person, on=on, categories=categories)).reasons


def unchecked_rules(
    service: Service,
    person: Person,
    *,
    on: date | None = None,
    categories: frozenset[str] | None = None,
) -> list[str]:
    """The rules that could not be checked because the data is not recorded or not shared."""
    return check(service, person_facts(person, on=on, categories=categories)).unchecked


def eligibility_for(
    services, person: Person, *, on: date | None = None, categories: frozenset[str] | None = None
) -> dict:
    """{service pk: Eligibility} for many services, reading the person's record once."""
    facts = person_facts(person, on=on, categories=categories)
    return {service.pk: check(service, facts) for service in services}


def eligible_services(
    services_qs, person: Person, *, on: date | None = None, categories=None
) -> list[Service]:
    """The services (from a queryset or list already filtered for the actor) whose rules the
    person meets."""
    services = list(services_qs)
    answers = eligibility_for(services, person, on=on, categories=categories)
    return [s for s in services if answers[s.pk].eligible]
