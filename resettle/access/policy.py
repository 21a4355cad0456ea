"""The one place that decides who may see and change what (DESIGN §4). Deny by default.

Everything is decided for an *actor*: a user acting for one organisation in one role
(their current Membership). Views, API, fragments, search and exports all ask here.
"""

from datetime import date, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from resettle.access.categories import (
    BREAK_GLASS_CATEGORIES,
    CHILD_RECORD_KINDS,
    NEVER_SHARED_BEYOND,
    WITH_WORKING_RELATIONSHIP,
    Category,
)
from resettle.access.models import BreakGlassAccess
from resettle.accounts.models import Membership, Organisation, OrganisationKind, Role
from resettle.cases.models import Case
from resettle.consent.models import Consent
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.directory.models import Access, Location, Service, ServiceStatus
from resettle.mentoring.models import MentorProfile
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.people.models import Household, HouseholdMember, Person, WorkingRelationship
from resettle.plans.models import Goal
from resettle.referrals.models import LIVE_STATES, Referral, ReferralState

# Roles that work with individual people's records.
CASE_LEVEL_ROLES = frozenset(
    {Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR, Role.PEER_MENTOR}
)
# Roles that may add a person to Resettle (a new referral or a walk-in).
CREATE_PERSON_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})
ORGANISATION_ADMIN_ROLES = frozenset({Role.ORGANISATION_ADMIN})


def is_current(actor: Membership | None, on: date | None = None) -> bool:
    """A membership counts until the day it ends (an end date in the future is not yet ended)."""
    if actor is None:
        return False
    return actor.ended_on is None or actor.ended_on > (on or date.today())


def _started_working_relationships(actor: Membership, on: date) -> QuerySet[WorkingRelationship]:
    relationships = WorkingRelationship.objects.filter(
        organisation_id=actor.organisation_id, started_on__lte=on
    )
    if actor.role == Role.PEER_MENTOR:
        # A peer mentor sees only the people allocated to them.
        relationships = relationships.filter(allocated_to_id=actor.user_id)
    return relationships


def _current_working_relationships(actor: Membership, on: date) -> QuerySet[WorkingRelationship]:
    """Open on `on`, or ended within the follow-up window an agreement gives (see below)."""
    window = _agreement_terms(actor, on).follow_up_days
    return _started_working_relationships(actor, on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on - timedelta(days=window))
    )


# Follow-up after the work ends --------------------------------------------------------------------
#
# When an organisation stops working with a person, an agreement in force may give it a follow-up
# window of N days: it may still open the person's record, but read only their identity and
# contact details, to follow up outcomes. Without a window, access ends with the work.

FOLLOW_UP_CATEGORIES = frozenset({Category.IDENTITY, Category.CONTACT})


def _working_now(actor: Membership, on: date) -> QuerySet[WorkingRelationship]:
    """The relationships the actor's organisation is working in on `on`, windows aside."""
    return _started_working_relationships(actor, on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def _only_following_up(actor: Membership, person: Person, on: date) -> bool:
    """Whether the actor sees the person only through a follow-up window."""
    if not _agreement_terms(actor, on).follow_up_days:
        return False
    return not _working_now(actor, on).filter(person_id=person.pk).exists()


def can_view_case_records(actor: Membership | None) -> bool:
    """Whether the actor's role works with individual people's records at all."""
    return is_current(actor) and actor.role in CASE_LEVEL_ROLES


def people_visible_to(actor: Membership | None, on: date | None = None) -> QuerySet[Person]:
    """The people whose record this actor may open. Lists, search, counts and exports use it."""
    if not can_view_case_records(actor) or not is_current(actor, on):
        return Person.objects.none()
    working = _current_working_relationships(actor, on or date.today())
    if actor.role == Role.PEER_MENTOR:
        # A mentor's few mentees: read them from the relationships, rather than test everyone.
        return Person.objects.filter(pk__in=working.values("person_id"))
    return Person.objects.filter(Exists(working.filter(person_id=OuterRef("pk"))))


def visible_person_ids(actor: Membership | None, on: date | None = None) -> QuerySet:
    """The ids of `people_visible_to(actor, on)`, read from the working relationships alone:
    for `person_id__in=` filters that need not join the people table."""
    if not can_view_case_records(actor) or not is_current(actor, on):
        return WorkingRelationship.objects.none().values_list("person_id", flat=True)
    working = _current_working_relationships(actor, on or date.today())
    return working.values_list("person_id", flat=True)


def count_people_visible_to(actor: Membership | None, on: date | None = None) -> int:
    """`people_visible_to(actor, on).count()`, counted from the working relationships alone.

    A person has at most one open relationship with an organisation (working_relationship_one_open),
    so open relationships are counted from the index without making people distinct; the few
    that end later are added where the person has no open one. An organisation working with
    hundreds of thousands of people is counted without reading their records."""
    if not can_view_case_records(actor) or not is_current(actor, on):
        return 0
    on = on or date.today()
    started = _started_working_relationships(actor, on)
    still_open = started.filter(ended_on__isnull=True)
    ending_later = (
        started.filter(ended_on__gt=on - timedelta(days=_agreement_terms(actor, on).follow_up_days))
        .exclude(Exists(still_open.filter(person_id=OuterRef("person_id"))))
        .values("person_id")
        .distinct()
    )
    return still_open.count() + ending_later.count()


def can_view_person(actor: Membership | None, person: Person) -> bool:
    return people_visible_to(actor).filter(pk=person.pk).exists()


def get_person_for_actor(actor: Membership | None, person_id) -> Person:
    """The person, or the same 404 whether they do not exist or are not this actor's to see."""
    try:
        return people_visible_to(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such person") from exc


def can_create_person(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in CREATE_PERSON_ROLES


def can_edit_person(actor: Membership | None, person: Person) -> bool:
    return (
        actor is not None
        and actor.role in CREATE_PERSON_ROLES | {Role.PEER_MENTOR}
        and can_view_person(actor, person)
    )


def households_visible_to(actor: Membership | None) -> QuerySet[Household]:
    """Households with a current member whose family information the actor may see: which
    household someone lives in is itself family information."""
    members = HouseholdMember.objects.filter(
        _about(people_with_category(actor, Category.FAMILY_CHILDREN)),
        household_id=OuterRef("pk"),
        left_on__isnull=True,
    )
    return Household.objects.filter(Exists(members))


def get_household_for_actor(actor: Membership | None, household_id) -> Household:
    """The household, or the same 404 whether it is missing, not visible or not shared."""
    try:
        return households_visible_to(actor).get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such household") from exc


def organisations_visible_to(actor: Membership | None) -> QuerySet[Organisation]:
    """Organisations in any partnership the actor's organisation belongs to, and its own."""
    if not is_current(actor):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk=actor.organisation_id) | Q(partnerships__organisations=actor.organisation_id)
    ).distinct()


def can_edit_organisation(actor: Membership | None, organisation: Organisation) -> bool:
    return (
        is_current(actor)
        and actor.role in ORGANISATION_ADMIN_ROLES
        and actor.organisation_id == organisation.pk
    )


# Data categories -------------------------------------------------------------------------------
#
# Beyond identity, an organisation sees a category of a person's record only when
#   (a) it is working with the person (people_visible_to),
#   (b) a sharing agreement in force in one of its partnerships gives it that category,
#   (c) where that agreement rests on consent, the person's current consent covers it,
#   (d) no hard limit forbids it (offence outside probation/prison; children outside family
#       services),
# or a safeguarding lead has an open break-glass for that person and category.


def _in_force(on: date) -> Q:
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gt=on))


class _AgreementTerms(NamedTuple):
    grants: dict[str, set[str]]
    follow_up_days: int


def agreement_grants(actor: Membership, on: date | None = None) -> dict[str, set[str]]:
    """Category -> lawful bases under which agreements in force give it to the actor's
    organisation."""
    return _agreement_terms(actor, on or date.today()).grants


def _agreement_terms(actor: Membership, on: date) -> _AgreementTerms:
    """What the agreements in force on `on` give the actor's organisation: the categories, and
    the longest follow-up window. Cached on the actor for the request, so a page asks the
    database once."""
    cache = actor.__dict__.setdefault("_agreement_grants", {})
    if on in cache:
        return cache[on]
    organisation = actor.organisation
    agreements = (
        SharingAgreement.objects.filter(_in_force(on), partnership__organisations=organisation)
        .prefetch_related("recipient_organisations")
        .distinct()
    )
    grants: dict[str, set[str]] = {}
    window = 0
    for agreement in agreements:
        named = {o.pk for o in agreement.recipient_organisations.all()}
        if organisation.kind not in agreement.recipient_kinds and organisation.pk not in named:
            continue
        for category in agreement.categories:
            grants.setdefault(category, set()).add(agreement.lawful_basis)
        window = max(window, agreement.follow_up_days or 0)
    cache[on] = _AgreementTerms(grants, window)
    return cache[on]


def _consent_covers(actor: Membership, on: date) -> Q:
    """Consents current on `on` whose scope includes the actor's organisation or its kind."""
    organisation = actor.organisation
    return (
        Q(given_on__lte=on)
        & (Q(expires_on__isnull=True) | Q(expires_on__gt=on))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        & (
            Q(organisations=organisation)
            | Q(organisation_kinds__icontains=f'"{organisation.kind}"')
        )
    )


def _consented_categories(actor: Membership, person: Person, on: date) -> set[str]:
    consents = Consent.objects.filter(_consent_covers(actor, on), person=person).distinct()
    return {category for consent in consents for category in consent.categories}


def _hard_limit_allows(actor: Membership, person: Person, category: str) -> bool:
    kind = actor.organisation.kind
    limit = NEVER_SHARED_BEYOND.get(category)
    if limit is not None and kind not in limit:
        return False
    return not (person.is_child and kind not in CHILD_RECORD_KINDS)


def _open_break_glass(actor: Membership, person: Person) -> set[str]:
    now = timezone.now()
    return set(
        BreakGlassAccess.objects.filter(
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            person=person,
            closed_at__isnull=True,
            opened_at__lte=now,
            expires_at__gt=now,
        ).values_list("category", flat=True)
    )


def categories_visible(
    actor: Membership | None, person: Person, on: date | None = None
) -> frozenset[str]:
    """Every data category of this person's record the actor may read now."""
    if not can_view_person(actor, person):
        return frozenset()
    on = on or date.today()
    visible = _categories_for(actor, person, on)
    if _only_following_up(actor, person, on):
        return visible & FOLLOW_UP_CATEGORIES
    return visible


def _categories_for(actor: Membership, person: Person, on: date) -> frozenset[str]:
    """The categories the agreements, consent, hard limits and break-glass give the actor's
    organisation for this person, were it working with them."""
    visible = set(WITH_WORKING_RELATIONSHIP)
    grants = agreement_grants(actor, on)
    needs_consent = {c for c, bases in grants.items() if bases == {LawfulBasis.CONSENT}}
    consented = _consented_categories(actor, person, on) if needs_consent else set()
    for category in grants:
        if not _hard_limit_allows(actor, person, category):
            continue
        if category not in needs_consent or category in consented:
            visible.add(category)
    visible |= _open_break_glass(actor, person)
    return frozenset(visible)


def can_view_category(actor: Membership | None, person: Person, category: str) -> bool:
    return category in categories_visible(actor, person)


def people_with_category(
    actor: Membership | None, category: str, on: date | None = None
) -> QuerySet[Person]:
    """The people for whom the actor may read `category` (without break-glass): for lists,
    counts and exports of that category."""
    on = on or date.today()
    people = people_visible_to(actor, on)
    if (
        category not in FOLLOW_UP_CATEGORIES
        and can_view_case_records(actor)
        and _agreement_terms(actor, on).follow_up_days
    ):
        people = people.filter(Exists(_working_now(actor, on).filter(person_id=OuterRef("pk"))))
    if category in WITH_WORKING_RELATIONSHIP:
        return people
    if not can_view_case_records(actor):
        return Person.objects.none()
    bases = agreement_grants(actor, on).get(category)
    if not bases:
        return Person.objects.none()
    limit = NEVER_SHARED_BEYOND.get(category)
    if limit is not None and actor.organisation.kind not in limit:
        return Person.objects.none()
    if actor.organisation.kind not in CHILD_RECORD_KINDS:
        people = people.filter(
            Q(date_of_birth__isnull=True) | Q(date_of_birth__lte=_eighteenth_birthday_cutoff(on))
        )
    if bases == {LawfulBasis.CONSENT}:
        consents = Consent.objects.filter(
            _consent_covers(actor, on),
            person_id=OuterRef("pk"),
            categories__icontains=f'"{category}"',
        )
        people = people.filter(Exists(consents))
    return people


def _eighteenth_birthday_cutoff(on: date) -> date:
    """People born on or before this date are 18 or over on `on` (29 February counts as 1 March)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:
        return date(on.year - 18, 2, 28)


def can_break_glass(actor: Membership | None, person: Person, category: str) -> bool:
    """A designated safeguarding lead, working with the person, for a restricted category."""
    return (
        is_current(actor)
        and actor.is_safeguarding_lead
        and category in BREAK_GLASS_CATEGORIES
        and can_view_person(actor, person)
    )


def can_record_consent(actor: Membership | None, person: Person) -> bool:
    return (
        is_current(actor)
        and actor.role in {Role.CASEWORKER, Role.REFERRER}
        and can_view_person(actor, person)
    )


def can_manage_agreements(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in ORGANISATION_ADMIN_ROLES


# Oversight --------------------------------------------------------------------------------------

# Roles that answer to a person for how their record is used, besides safeguarding leads.
ACCESS_LOG_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER})
# Roles that oversee how the partnership uses break-glass, whatever their safeguarding flag.
BREAK_GLASS_OVERSIGHT_ROLES = ORGANISATION_ADMIN_ROLES | {Role.PARTNERSHIP_MANAGER}


def can_view_access_log(actor: Membership | None, person: Person) -> bool:
    """ "Who has accessed this record": a safeguarding lead, caseworker or referrer whose
    organisation is working with the person."""
    return (
        is_current(actor)
        and (actor.is_safeguarding_lead or actor.role in ACCESS_LOG_ROLES)
        and can_view_person(actor, person)
    )


def can_view_organisation_audit(actor: Membership | None) -> bool:
    """An organisation admin may read the events of their own organisation's staff."""
    return is_current(actor) and actor.role in ORGANISATION_ADMIN_ROLES


def can_view_break_glass_report(actor: Membership | None) -> bool:
    """Organisation admins, partnership managers and designated safeguarding leads."""
    return is_current(actor) and (
        actor.role in BREAK_GLASS_OVERSIGHT_ROLES or actor.is_safeguarding_lead
    )


# Suitability assessments ------------------------------------------------------------------------
#
# Reading the answers is the category risk_suitability, decided above. Recording is for the
# organisations that assess: probation, prison and the lead charity.

SUITABILITY_ASSESSOR_ROLES = frozenset({Role.REFERRER, Role.CASEWORKER})
SUITABILITY_ASSESSOR_KINDS = frozenset(
    {OrganisationKind.PROBATION, OrganisationKind.PRISON, OrganisationKind.LEAD_CHARITY}
)


def can_view_suitability(actor: Membership | None, person: Person) -> bool:
    return can_view_category(actor, person, Category.RISK_SUITABILITY)


def is_suitability_assessor(actor: Membership | None) -> bool:
    """Whether the actor's role and organisation are ones that assess suitability at all."""
    return (
        is_current(actor)
        and actor.role in SUITABILITY_ASSESSOR_ROLES
        and actor.organisation.kind in SUITABILITY_ASSESSOR_KINDS
    )


def can_record_suitability(actor: Membership | None, person: Person) -> bool:
    """An assessor working with the person. A new assessment replaces the current one, so the
    assessor must also be able to read it, or they would replace it unseen."""
    return (
        is_suitability_assessor(actor)
        and can_view_person(actor, person)
        and can_view_suitability(actor, person)
    )


def can_request_suitability_review(actor: Membership | None, person: Person) -> bool:
    """Those who see the answers but do not assess ask the assessor to look again."""
    return (
        is_current(actor)
        and not is_suitability_assessor(actor)
        and can_view_suitability(actor, person)
    )


def can_see_named_people_to_avoid(actor: Membership | None, assessment) -> bool:
    """Names of people to avoid stay with the organisation that assessed; partners are told a
    restriction applies and to ask the assessor."""
    return is_current(actor) and actor.organisation_id == assessment.assessor_organisation_id


# Service directory ------------------------------------------------------------------------------
#
# Everyone (signed in or not) sees the active services open to all; signed in, an actor also sees
# every service of the organisations in its partnerships, referral-only ones included.

SERVICE_MANAGER_ROLES = frozenset({Role.ORGANISATION_ADMIN, Role.DELIVERY_COORDINATOR})


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(
        status=ServiceStatus.ACTIVE, access__in=(Access.OPEN, Access.BOTH)
    )


def services_visible_to(actor: Membership | None) -> QuerySet[Service]:
    if not is_current(actor):
        return public_services()
    partners = organisations_visible_to(actor).values("pk")
    return Service.objects.filter(
        Q(organisation__in=partners)
        | Q(status=ServiceStatus.ACTIVE, access__in=(Access.OPEN, Access.BOTH))
    )


def get_service_for_actor(actor: Membership | None, service_id) -> Service:
    try:
        return services_visible_to(actor).get(pk=service_id)
    except (Service.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such service") from exc


def can_manage_services(actor: Membership | None) -> bool:
    """Add services to the actor's own organisation's directory entry."""
    return is_current(actor) and actor.role in SERVICE_MANAGER_ROLES


def can_edit_service(actor: Membership | None, service: Service) -> bool:
    return can_manage_services(actor) and service.organisation_id == actor.organisation_id


# Referrals --------------------------------------------------------------------------------------
#
# The referring organisation sees the referrals it sent about people it may see; the receiving
# organisation (the service's) sees those submitted to it. Until it accepts, the receiving
# organisation sees the person only through the referral: their identity and the categories the
# agreements and consent allow, narrowed to what the person agreed to share with the referral.
# Accepting creates the working relationship that opens the person's record.

REFERRAL_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})


def _about(people: QuerySet[Person], field: str = "person_id") -> Exists:
    """Records whose `field` is one of `people`, as a correlated EXISTS: checked through the
    person's indexes for the rows a list actually reads. (`person__in=` inside an OR makes the
    database build the whole set of people first: tens of thousands for a large organisation.)"""
    return Exists(people.filter(pk=OuterRef(field)))


def can_refer(actor: Membership | None, person: Person) -> bool:
    return is_current(actor) and actor.role in REFERRAL_ROLES and can_view_person(actor, person)


def referrals_visible_to(actor: Membership | None) -> QuerySet[Referral]:
    if not can_view_case_records(actor):
        return Referral.objects.none()
    sent = Q(referring_organisation_id=actor.organisation_id) & _about(people_visible_to(actor))
    if actor.role == Role.PEER_MENTOR:
        # A mentor follows the referrals about their own mentees, whoever sent them.
        return Referral.objects.filter(
            _about(people_visible_to(actor)) & (sent | ~Q(state=ReferralState.DRAFT))
        )
    received = Q(service__organisation_id=actor.organisation_id) & ~Q(state=ReferralState.DRAFT)
    return Referral.objects.filter(sent | received)


def referrals_received_by(actor: Membership | None) -> QuerySet[Referral]:
    """The received box: referrals_visible_to narrowed to the actor's organisation's services,
    without the OR, so the database can read them through the service index."""
    if not can_view_case_records(actor):
        return Referral.objects.none()
    received = Referral.objects.filter(service__organisation_id=actor.organisation_id).exclude(
        state=ReferralState.DRAFT
    )
    if actor.role == Role.PEER_MENTOR:
        received = received.filter(_about(people_visible_to(actor)))
    return received


def referrals_sent_by(actor: Membership | None) -> QuerySet[Referral]:
    """The sent box: referrals_visible_to narrowed to the actor's organisation's referrals."""
    if not can_view_case_records(actor):
        return Referral.objects.none()
    return Referral.objects.filter(
        _about(people_visible_to(actor)), referring_organisation_id=actor.organisation_id
    )


def get_referral_for_actor(actor: Membership | None, referral_id) -> Referral:
    try:
        return referrals_visible_to(actor).select_related("service", "person").get(pk=referral_id)
    except (Referral.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such referral") from exc


def is_referral_sender(actor: Membership | None, referral: Referral) -> bool:
    return (
        is_current(actor)
        and actor.role in REFERRAL_ROLES
        and actor.organisation_id == referral.referring_organisation_id
    )


def is_referral_receiver(actor: Membership | None, referral: Referral) -> bool:
    return (
        is_current(actor)
        and actor.role in REFERRAL_ROLES
        and actor.organisation_id == referral.service.organisation_id
    )


def can_edit_referral(actor: Membership | None, referral: Referral) -> bool:
    """Change, submit or withdraw: the referring organisation's staff who see the person."""
    return is_referral_sender(actor, referral) and can_view_person(actor, referral.person)


def can_decide_referral(actor: Membership | None, referral: Referral) -> bool:
    """Accept, decline, waiting list, start, complete, close: the receiving organisation."""
    return is_referral_receiver(actor, referral) and referral.state != ReferralState.DRAFT


def referral_categories_visible(actor: Membership | None, referral: Referral) -> frozenset[str]:
    """What of the referred person's record the actor may read on the referral."""
    person = referral.person
    if can_view_person(actor, person):
        return categories_visible(actor, person)
    if not (is_referral_receiver(actor, referral) and referral.state in LIVE_STATES):
        return frozenset()
    agreed = set(referral.shared_categories) | set(WITH_WORKING_RELATIONSHIP)
    return frozenset(_categories_for(actor, person, date.today()) & agreed)


# Custody periods --------------------------------------------------------------------------------
#
# Dates, establishment and releases are the custody category. Licence conditions are what a
# partner needs to arrange support safely, so they go with risk & suitability; the reason for a
# recall is offence information.

CUSTODY_RECORDER_ROLES = frozenset({Role.REFERRER, Role.CASEWORKER})
CUSTODY_RECORDER_KINDS = SUITABILITY_ASSESSOR_KINDS


def can_view_custody(actor: Membership | None, person: Person) -> bool:
    return can_view_category(actor, person, Category.CUSTODY)


def can_view_licence_conditions(actor: Membership | None, person: Person) -> bool:
    return can_view_category(actor, person, Category.RISK_SUITABILITY) and can_view_custody(
        actor, person
    )


def can_view_recall_reason(actor: Membership | None, person: Person) -> bool:
    return can_view_category(actor, person, Category.OFFENCE)


def can_record_custody(actor: Membership | None, person: Person) -> bool:
    return (
        is_current(actor)
        and actor.role in CUSTODY_RECORDER_ROLES
        and actor.organisation.kind in CUSTODY_RECORDER_KINDS
        and can_view_custody(actor, person)
    )


def custody_periods_visible_to(actor: Membership | None) -> QuerySet[CustodyPeriod]:
    """For lists and worklists (break-glass opens one person's page, not lists)."""
    return CustodyPeriod.objects.filter(_about(people_with_category(actor, Category.CUSTODY)))


# Cases, contacts and goals ----------------------------------------------------------------------
#
# An organisation's own cases, contacts and goals about people it may see are its own records.
# Another organisation's are case notes (cases, contacts) or outcomes (goals), shared only under
# the agreements and consent. A sensitive contact note stays within the organisation that wrote
# it (a peer mentor reads only their own), unless a safeguarding lead breaks glass.

CASE_MANAGER_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})


def _own_case_records(actor: Membership) -> Q:
    own = Q(organisation_id=actor.organisation_id)
    if actor.role == Role.PEER_MENTOR:
        own &= Q(mentor_id=actor.user_id) | Q(worker_id=actor.user_id)
    return own


def cases_visible_to(actor: Membership | None) -> QuerySet[Case]:
    if not can_view_case_records(actor):
        return Case.objects.none()
    own = _own_case_records(actor) & _about(people_visible_to(actor))
    shared = ~Q(organisation_id=actor.organisation_id) & _about(
        people_with_category(actor, Category.CASE_NOTES)
    )
    return Case.objects.filter(own | shared)


def cases_for_person(actor: Membership | None, person: Person) -> QuerySet[Case]:
    """One person's cases for their page: includes what an open break-glass opens."""
    if not can_view_person(actor, person):
        return Case.objects.none()
    visible = _own_case_records(actor)
    if can_view_category(actor, person, Category.CASE_NOTES):
        visible |= ~Q(organisation_id=actor.organisation_id)
    return Case.objects.filter(visible, person=person)


def get_case_for_actor(actor: Membership | None, case_id) -> Case:
    try:
        case = Case.objects.select_related("person", "organisation").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such case") from exc
    if not cases_for_person(actor, case.person).filter(pk=case.pk).exists():
        raise Http404("No such case")
    return case


def can_open_case(actor: Membership | None, person: Person) -> bool:
    return is_current(actor) and actor.role in CASE_MANAGER_ROLES and can_view_person(actor, person)


def can_manage_case(actor: Membership | None, case: Case) -> bool:
    """Change state, allocate, review: the case's organisation, not peer mentors."""
    return (
        is_current(actor)
        and actor.role in CASE_MANAGER_ROLES
        and actor.organisation_id == case.organisation_id
        and can_view_person(actor, case.person)
    )


def can_record_contact(actor: Membership | None, case: Case) -> bool:
    """The case's organisation; a peer mentor on the cases they mentor."""
    if not (is_current(actor) and actor.organisation_id == case.organisation_id):
        return False
    if actor.role == Role.PEER_MENTOR:
        return case.mentor_id == actor.user_id and can_view_person(actor, case.person)
    return actor.role in CASE_MANAGER_ROLES and can_view_person(actor, case.person)


def contacts_for_person(actor: Membership | None, person: Person) -> QuerySet[Contact]:
    if not can_view_person(actor, person):
        return Contact.objects.none()
    own = Q(organisation_id=actor.organisation_id)
    if actor.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=actor.user_id) | Q(recorded_by_id=actor.user_id)
        own &= Q(sensitive=False) | Q(recorded_by_id=actor.user_id)
    visible = own
    if can_view_category(actor, person, Category.CASE_NOTES):
        visible |= Q(sensitive=False)
    if Category.CASE_NOTES in _open_break_glass(actor, person):
        visible = Q()
    return Contact.objects.filter(visible, person=person)


def contacts_visible_to(actor: Membership | None) -> QuerySet[Contact]:
    """For lists across people (caseload, API): own organisation's contacts, and partners'
    non-sensitive ones where case notes are shared (break-glass opens one person's page only)."""
    if not can_view_case_records(actor):
        return Contact.objects.none()
    own = Q(organisation_id=actor.organisation_id) & _about(people_visible_to(actor))
    if actor.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=actor.user_id) | Q(recorded_by_id=actor.user_id)
        own &= Q(sensitive=False) | Q(recorded_by_id=actor.user_id)
    shared = (
        Q(sensitive=False)
        & _about(people_with_category(actor, Category.CASE_NOTES))
        & ~Q(organisation_id=actor.organisation_id)
    )
    return Contact.objects.filter(own | shared)


def goals_for_person(actor: Membership | None, person: Person) -> QuerySet[Goal]:
    if not can_view_person(actor, person):
        return Goal.objects.none()
    visible = Q(case__organisation_id=actor.organisation_id)
    if actor.role == Role.PEER_MENTOR:
        visible &= Q(case__mentor_id=actor.user_id) | Q(case__worker_id=actor.user_id)
    if can_view_category(actor, person, Category.OUTCOMES):
        visible |= ~Q(case__organisation_id=actor.organisation_id)
    return Goal.objects.filter(visible, person=person)


def goals_visible_to(actor: Membership | None) -> QuerySet[Goal]:
    if not can_view_case_records(actor):
        return Goal.objects.none()
    own = Q(case__organisation_id=actor.organisation_id) & _about(people_visible_to(actor))
    if actor.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=actor.user_id) | Q(case__worker_id=actor.user_id)
    shared = ~Q(case__organisation_id=actor.organisation_id) & _about(
        people_with_category(actor, Category.OUTCOMES)
    )
    return Goal.objects.filter(own | shared)


def can_edit_goals(actor: Membership | None, case: Case) -> bool:
    """The case's organisation, a peer mentor on the cases they mentor: the plan is made with
    the person, often by their mentor."""
    return can_record_contact(actor, case)


# Mentoring --------------------------------------------------------------------------------------
#
# Mentor profiles, matching and allocation belong to the mentors' own organisation; its
# caseworkers, coordinators and admins manage them. A mentor sees their own profile. Supervision
# notes are about the mentor, not the mentee, and are never case notes.

MENTOR_MANAGER_ROLES = frozenset(
    {Role.CASEWORKER, Role.DELIVERY_COORDINATOR, Role.ORGANISATION_ADMIN}
)


def can_manage_mentors(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in MENTOR_MANAGER_ROLES


def mentor_profiles_visible_to(actor: Membership | None) -> QuerySet[MentorProfile]:
    if not is_current(actor):
        return MentorProfile.objects.none()
    if actor.role in MENTOR_MANAGER_ROLES:
        return MentorProfile.objects.filter(organisation_id=actor.organisation_id)
    if actor.role == Role.PEER_MENTOR:
        return MentorProfile.objects.filter(
            organisation_id=actor.organisation_id, user_id=actor.user_id
        )
    return MentorProfile.objects.none()


def can_allocate_mentor(actor: Membership | None, person: Person) -> bool:
    """Match and allocate a mentor from the actor's organisation to someone it works with."""
    return (
        is_current(actor)
        and actor.role in MENTOR_MANAGER_ROLES - {Role.ORGANISATION_ADMIN}
        and can_view_person(actor, person)
    )


# Release planning (custody and cases) -----------------------------------------------------------
#
# The pre-release checklist is part of custody: those who record custody keep it, and so do the
# staff of an organisation with a live case for the person (a peer mentor on the cases they
# mentor), so long as they see the person's custody.


def can_update_release_checklist(actor: Membership | None, person: Person) -> bool:
    if can_record_custody(actor, person):
        return True
    if not (is_current(actor) and can_view_custody(actor, person)):
        return False
    live = Case.objects.filter(person=person, organisation_id=actor.organisation_id).exclude(
        state="closed"
    )
    if actor.role == Role.PEER_MENTOR:
        return live.filter(mentor_id=actor.user_id).exists()
    return actor.role in CASE_MANAGER_ROLES and live.exists()


# Mentoring: profiles, overrides and supervision notes -------------------------------------------
#
# A mentor's profile is changed by its organisation's managers. Allocating a mentor who is full or
# whose checks are out of date needs a manager's override, with a reason. Supervision notes are
# read and written by the mentor's organisation's managers; the mentor reads their own.

MENTOR_OVERRIDE_ROLES = frozenset({Role.ORGANISATION_ADMIN, Role.DELIVERY_COORDINATOR})


def can_view_mentor_profiles(actor: Membership | None) -> bool:
    """The mentor list: managers see their organisation's mentors, a mentor their own."""
    return can_manage_mentors(actor) or (is_current(actor) and actor.role == Role.PEER_MENTOR)


def can_edit_mentor_profile(actor: Membership | None, profile: MentorProfile) -> bool:
    return can_manage_mentors(actor) and actor.organisation_id == profile.organisation_id


def can_override_mentor_checks(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in MENTOR_OVERRIDE_ROLES


def can_read_supervision_notes(actor: Membership | None, profile: MentorProfile) -> bool:
    if not (is_current(actor) and actor.organisation_id == profile.organisation_id):
        return False
    if actor.role == Role.PEER_MENTOR:
        return profile.user_id == actor.user_id
    return actor.role in MENTOR_MANAGER_ROLES


def can_write_supervision_notes(actor: Membership | None, profile: MentorProfile) -> bool:
    return can_edit_mentor_profile(actor, profile)


# Service directory: locations -------------------------------------------------------------------
#
# Where services run is directory information like the services themselves: signed in, the
# locations of the organisations in the actor's partnerships; changed by the organisation's own
# service managers.


def locations_visible_to(actor: Membership | None) -> QuerySet[Location]:
    if not is_current(actor):
        return Location.objects.none()
    return Location.objects.filter(organisation__in=organisations_visible_to(actor).values("pk"))


def get_location_for_actor(actor: Membership | None, location_id) -> Location:
    try:
        return locations_visible_to(actor).get(pk=location_id)
    except (Location.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such location") from exc


def can_edit_location(actor: Membership | None, location: Location) -> bool:
    return can_manage_services(actor) and location.organisation_id == actor.organisation_id


# Referrals: waiting lists and signposting ---------------------------------------------


def can_view_waiting_list(actor: Membership | None, service: Service) -> bool:
    """A service's waiting list is for its own organisation's referral staff to manage."""
    return (
        is_current(actor)
        and actor.role in REFERRAL_ROLES
        and actor.organisation_id == service.organisation_id
    )


def signpostings_visible_to(actor: Membership | None) -> QuerySet:
    """Signposting is casework: an organisation sees its own about the people it may see, and
    others' as case notes, under the agreements and consent."""
    from resettle.referrals.models import Signposting

    if not can_view_case_records(actor):
        return Signposting.objects.none()
    own = Q(organisation_id=actor.organisation_id) & _about(people_visible_to(actor))
    shared = _about(people_with_category(actor, Category.CASE_NOTES))
    return Signposting.objects.filter(own | shared)


# Open Referral UK import ------------------------------------------------------------------------
#
# Importing a feed adds or changes many services at once, so it is for organisation admins only,
# and only ever into their own organisation's directory entry.


def can_import_services(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in ORGANISATION_ADMIN_ROLES
