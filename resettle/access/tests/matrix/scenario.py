"""The world the matrix runs in: the demo cast, and for each organisation a person it works with
alone ("own"), one it works with under a consent-based sharing agreement with the person's consent
("shared"), and one whose consent was withdrawn today ("withdrawn"); plus a person only another
organisation works with ("other"). Each person has a household, a consent and a suitability
assessment, so every URL parameter can be filled for every scope.

The facts the expectations rest on (which categories the agreements give each organisation, the
one open break-glass) are stated here as data when the world is built, not asked of the policy."""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from conftest import build_cast
from resettle.access.categories import Category
from resettle.access.models import BreakGlassAccess
from resettle.accounts.models import Membership, Organisation, OrganisationKind
from resettle.accounts.tests.factories import make_organisation
from resettle.api.models import ApiToken
from resettle.api.services import api_token_create
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.lib.identifiers import pnc_check_letter
from resettle.notifications.models import Notification
from resettle.operations.models import WorkerHeartbeat
from resettle.partnerships.models import LawfulBasis, Partnership, SharingAgreement
from resettle.people.models import (
    Household,
    HouseholdMember,
    Identifier,
    Person,
    WorkingRelationship,
)
from resettle.suitability.models import SuitabilityAssessment

OWN, OTHER, SHARED, WITHDRAWN = "own", "other", "shared", "withdrawn"
# Work that has ended: a referral the organisation accepted was withdrawn, or it completed the
# support a referral asked for, its case was closed, and the follow-up window the main agreement
# gives after work ends has run out.
ENDED_REFERRAL, COMPLETED_REFERRAL = "ended_referral", "completed_referral"
CLOSED_CASE, EXPIRED_FOLLOW_UP = "closed_case", "expired_window"
ENDED = (ENDED_REFERRAL, COMPLETED_REFERRAL, CLOSED_CASE, EXPIRED_FOLLOW_UP)
SCOPES = (OWN, OTHER, SHARED, WITHDRAWN, *ENDED)
# The main agreement's follow-up window, and how long ago each ended scope's work ended: all
# beyond the window (the last on its final day: a window of 30 days ends after 30).
FOLLOW_UP_DAYS = 30
ENDED_DAYS_AGO = {
    ENDED_REFERRAL: 60,
    COMPLETED_REFERRAL: 50,
    CLOSED_CASE: 45,
    EXPIRED_FOLLOW_UP: FOLLOW_UP_DAYS,
}

TODAY = date.today()
ALL_CATEGORIES = frozenset(Category.values)
ALL_KINDS = sorted(OrganisationKind.values)
STATUTORY_KINDS = frozenset({OrganisationKind.PROBATION, OrganisationKind.PRISON})

# Text that appears only in a suitability assessment's answers and in its named people, so a
# page or response that shows them can be caught.
AREA_MARKER = "Matrixville retail park"
NAMES_MARKER = "Quentin Matrixperson"

# Each person's PNC ID and prison number, by person id.
CRIMINAL_JUSTICE_IDS: dict[Any, tuple[str, str]] = {}

# Cast members by the key the matrix reports them under, and the organisation each acts for.
CAST_ORGANISATIONS = (
    "probation_unit",
    "prison_team",
    "lead_charity",
    "mentoring_charity",
    "football_trust",
    "family_charity",
    "housing_provider",
    "outside_organisation",
)
ROLES = (
    "probation",
    "prison",
    "caseworker",
    "mentor",
    "coordinator",
    "family",
    "housing",
    "manager",
    "analyst",
    "admin",
    "safeguarding",
    "outsider",
    "anonymous",
)


@dataclass
class Actor:
    """Who sends the request: a cast member, or nobody signed in."""

    key: str
    membership: Membership | None = None
    organisation_key: str | None = None
    client: Client | None = None
    token: str | None = None
    # Still signed in (the same session, the same token), but the membership has ended: acting
    # for no organisation, in no role.
    membership_ended: bool = False

    @property
    def anonymous(self) -> bool:
        return self.membership is None

    @property
    def acting(self) -> Membership | None:
        return None if self.membership_ended else self.membership

    @property
    def role(self) -> str | None:
        return self.acting.role if self.acting else None

    @property
    def kind(self) -> str | None:
        return self.acting.organisation.kind if self.acting else None

    @property
    def is_safeguarding_lead(self) -> bool:
        return bool(self.acting and self.acting.is_safeguarding_lead)


@dataclass
class Records:
    """What one scope means for one actor: the objects that fill a route's parameters."""

    person: Any = None
    household: Any = None
    member: Any = None
    consent: Any = None
    assessment: Any = None
    access: Any = None
    agreement: Any = None
    organisation: Any = None
    token: Any = None
    notification: Any = None
    # Records the area modules (matrix/areas/) add, by the name their routes' parameters use.
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(name)

    @classmethod
    def nonexistent(cls) -> "Records":
        """Ids that name nothing, to compare with records the actor may not see."""
        fields: dict[str, Any] = {
            name: SimpleNamespace(pk=uuid.uuid4()) for name in cls.__dataclass_fields__
        }
        fields["extra"] = _Nonexistent()
        return cls(**fields)


class _Nonexistent(dict):
    """Any record name, each an id that names nothing."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> SimpleNamespace:
        return SimpleNamespace(pk=uuid.uuid4())


@dataclass
class World:
    actors: dict[str, Actor]
    # Categories the sharing agreements in force give each organisation (by cast key), for
    # people whose consent covers it. Stated when the agreements are made.
    grants: dict[str, frozenset[str]]
    # (actor key, scope) -> categories an open break-glass gives that actor on that scope's person.
    break_glass: dict[tuple[str, str | None], frozenset[str]]
    people: dict[tuple[str, str], Person] = field(default_factory=dict)
    per_person: dict[Any, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    agreements: dict[str, SharingAgreement] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    notifications: dict[str, Notification] = field(default_factory=dict)
    foreign_access: Any = None
    # Area modules' records about an organisation (a service), by organisation id.
    per_organisation: dict[Any, dict[str, Any]] = field(default_factory=dict)
    cast: Any = None

    def records(self, actor: Actor, scope: str | None) -> Records:
        if scope is None:
            return Records()
        # Nobody signed in is shown the lead charity's records: they must not open any of them.
        org = actor.organisation_key or "lead_charity"
        person = self.people[("other", OTHER)] if scope == OTHER else self.people[(org, scope)]
        extra = self.per_person[person.pk]
        access = extra["accesses"].get(actor.key) or self.foreign_access
        organisation = self._organisation(org, scope)
        extras = {**extra["extra"]}
        if organisation is not None:
            extras.update(self.per_organisation.get(organisation.pk, {}))
        return Records(
            extra=extras,
            person=person,
            household=extra["household"],
            member=extra["member"],
            consent=extra["consent"],
            assessment=extra["assessment"],
            access=access,
            agreement=self._agreement(org, scope),
            organisation=organisation,
            token=self._personal(self.tokens, actor, scope),
            notification=self._personal(self.notifications, actor, scope),
        )

    def _organisation(self, org: str, scope: str) -> Organisation | None:
        outside = org == "outside_organisation"
        return {
            OWN: self.organisations[org],
            SHARED: self.organisations["far_partner" if outside else "hub"],
            OTHER: self.organisations["lead_charity" if outside else "outside_organisation"],
        }.get(scope)

    def _agreement(self, org: str, scope: str) -> SharingAgreement | None:
        """own: one the actor's organisation owns; shared: one of its partnership owned by
        another organisation; other: one of a partnership it is not in."""
        outside = org == "outside_organisation"
        owners = {
            "lead_charity": "main",
            "probation_unit": "offence",
            "outside_organisation": "else",
        }
        if scope == OWN:
            name = owners.get(org)
        elif scope == SHARED:
            name = None if outside else ("offence" if org == "lead_charity" else "main")
        elif scope == OTHER:
            name = "main" if outside else "else"
        else:
            name = None
        return self.agreements.get(name) if name else None

    @staticmethod
    def _personal(things: dict[str, Any], actor: Actor, scope: str) -> Any:
        """own: the actor's own; other: someone else's."""
        if scope == OWN:
            return things.get(actor.key, things["caseworker"])
        if scope == OTHER:
            return things["probation" if actor.key == "caseworker" else "caseworker"]
        return None


def _person(name: str, family: str) -> Person:
    """A person with a PNC ID and a prison number of their own, so a page or response that
    shows either can be caught (CRIMINAL_JUSTICE_IDS)."""
    person = Person.objects.create(
        given_name=name, family_name=family, date_of_birth=date(1990, 5, 17)
    )
    serial = str(Person.objects.count()).zfill(7)
    CRIMINAL_JUSTICE_IDS[person.pk] = (
        f"2011/{serial}{pnc_check_letter('2011', serial)}",
        f"M{serial[-4:]}TX",
    )
    for scheme, value in zip(
        ("pnc", "prison_number"), CRIMINAL_JUSTICE_IDS[person.pk], strict=True
    ):
        Identifier.objects.create(person=person, scheme=scheme, value=value)
    return person


def _work_with(person: Person, organisation: Organisation, mentor=None, ended_on=None) -> None:
    WorkingRelationship.objects.create(
        person=person,
        organisation=organisation,
        started_on=TODAY - timedelta(days=90 if ended_on else 30),
        ended_on=ended_on,
        allocated_to=mentor,
    )


def _consent(person: Person, *, withdrawn: bool = False, only=None) -> Consent:
    consent = Consent.objects.create(
        person=person,
        categories=[Category.CONTACT] if only else sorted(ALL_CATEGORIES),
        organisation_kinds=[] if only else ALL_KINDS,
        method=ConsentMethod.WRITTEN,
        given_by=ConsentGivenBy.PERSON,
        given_on=TODAY - timedelta(days=30),
        withdrawn_on=TODAY if withdrawn else None,
    )
    if only:
        consent.organisations.add(only)
    return consent


def _assessment(person: Person, assessor: Membership) -> SuitabilityAssessment:
    return SuitabilityAssessment.objects.create(
        person=person,
        assessed_by=assessor.user,
        assessor_organisation=assessor.organisation,
        assessed_on=TODAY - timedelta(days=10),
        review_on=TODAY + timedelta(days=300),
        assessor_contact="01632 960000",
        group_sessions_with_adults="yes",
        sessions_with_under_18s_present="no",
        sessions_with_vulnerable_adults_present="yes_with_measures",
        one_to_one_sessions="yes",
        two_staff_needed="no",
        areas_to_avoid=AREA_MARKER,
        measures="Meet in the open, with a second member of staff nearby.",
        named_contact_restriction="yes",
        named_people_to_avoid=NAMES_MARKER,
    )


def _agreement(
    partnership, owner: Membership, *, title, categories, kinds, follow_up_days=None
) -> SharingAgreement:
    agreement = SharingAgreement(
        follow_up_days=follow_up_days,
        partnership=partnership,
        owner=owner.organisation,
        created_by=owner.user,
        title=title,
        document_reference=f"ISA-{title[:10]}",
        purpose="Resettlement casework",
        lawful_basis=LawfulBasis.CONSENT,
        categories=sorted(categories),
        recipient_kinds=sorted(kinds),
        starts_on=TODAY - timedelta(days=365),
    )
    agreement.full_clean()
    agreement.save()
    return agreement


def build_world() -> World:
    cast = build_cast()
    # The service is running: a task worker is seen for as long as the matrix runs.
    WorkerHeartbeat.objects.create(
        worker_id="matrix", started_at=timezone.now(), seen_at=timezone.now() + timedelta(days=1)
    )
    orgs = {key: getattr(cast, key) for key in CAST_ORGANISATIONS}
    # A partner in the cast's partnership with no cast member: it owns the "other" person.
    orgs["hub"] = make_organisation(name="Northshire Resettlement Hub", kind=OrganisationKind.OTHER)
    cast.partnership.organisations.add(orgs["hub"])
    # The outsider's own partnership, which no one in the cast's partnership is in.
    elsewhere = Partnership.objects.create(name="Elsewhere Partnership")
    orgs["far_partner"] = make_organisation(
        name="Elsewhere Housing Co-op", kind=OrganisationKind.HOUSING
    )
    elsewhere.organisations.add(orgs["outside_organisation"], orgs["far_partner"])

    # Every category beyond offence and criminal-justice identifiers to every kind, and those
    # two to probation and prison, all resting on consent: so "own" (no consent) and "shared"
    # (consent) differ, and a delivery partner never gets a PNC ID or prison number.
    statutory_only = {Category.OFFENCE, Category.CRIMINAL_JUSTICE_IDS}
    beyond_offence = ALL_CATEGORIES - statutory_only
    agreements = {
        "main": _agreement(
            cast.partnership,
            cast.admin,
            title="Main agreement",
            categories=beyond_offence,
            kinds=ALL_KINDS,
            follow_up_days=FOLLOW_UP_DAYS,
        ),
        "offence": _agreement(
            cast.partnership,
            cast.probation,
            title="Offence agreement",
            categories=statutory_only,
            kinds=STATUTORY_KINDS,
        ),
        # Gives nothing to anyone: nobody in that partnership is probation.
        "else": _agreement(
            elsewhere,
            cast.outsider,
            title="Elsewhere agreement",
            categories={Category.CONTACT},
            kinds={OrganisationKind.PROBATION},
        ),
    }
    grants = {
        key: (
            frozenset()
            if key == "outside_organisation"
            else beyond_offence | (statutory_only if org.kind in STATUTORY_KINDS else set())
        )
        for key, org in orgs.items()
    }

    world = World(
        actors={}, grants=grants, break_glass={}, organisations=orgs, agreements=agreements
    )
    world.people[("other", OTHER)] = other = _person("Other", "Elsewhere")
    _work_with(other, orgs["hub"])
    _consent(other)
    for key in CAST_ORGANISATIONS:
        mentor = cast.mentor.user if key == "mentoring_charity" else None
        for scope in (OWN, SHARED, WITHDRAWN):
            person = _person(scope.capitalize(), key.split("_")[0].capitalize())
            world.people[(key, scope)] = person
            _work_with(person, orgs[key], mentor)
            if scope == OWN:
                # Names only the hub, which opens nothing to anyone in the cast.
                _consent(person, only=orgs["hub"])
            else:
                _work_with(person, orgs["hub"])
                _consent(person, withdrawn=scope == WITHDRAWN)
        for scope in ENDED:
            # Consent to everything, and the hub still working with them: only the end of the
            # organisation's own work stands between it and the record.
            person = _person(scope.split("_")[0].capitalize(), key.split("_")[0].capitalize())
            world.people[(key, scope)] = person
            ended_on = TODAY - timedelta(days=ENDED_DAYS_AGO[scope])
            _work_with(person, orgs[key], mentor, ended_on=ended_on)
            _work_with(person, orgs["hub"])
            _consent(person)
    for person in world.people.values():
        household = Household.objects.create(name=f"{person.family_name} household")
        member = HouseholdMember.objects.create(
            household=household, person=person, joined_on=TODAY - timedelta(days=60)
        )
        world.per_person[person.pk] = {
            "household": household,
            "member": member,
            "consent": person.consents.get(),
            "assessment": _assessment(person, cast.probation),
            "accesses": {},
            "extra": {},
        }

    # One open break-glass: the safeguarding lead on their own person's case notes.
    own_lead = world.people[("lead_charity", OWN)]
    access = BreakGlassAccess.objects.create(
        user=cast.safeguarding.user,
        organisation=orgs["lead_charity"],
        person=own_lead,
        category=Category.CASE_NOTES,
        reason="Matrix test: a safeguarding concern raised by the police",
        expires_at=timezone.now() + timedelta(hours=4),
    )
    world.per_person[own_lead.pk]["accesses"]["safeguarding"] = access
    world.foreign_access = access
    world.break_glass[("safeguarding", OWN)] = frozenset({Category.CASE_NOTES})

    members = cast.members()
    for key in ROLES:
        if key == "anonymous":
            world.actors[key] = Actor(key=key, client=Client(raise_request_exception=False))
            continue
        membership = members[key]
        client = Client(raise_request_exception=False)
        client.force_login(membership.user)
        created = api_token_create(user=membership.user, name="Matrix")
        world.tokens[key] = created.token
        world.notifications[key] = Notification.objects.create(
            recipient=membership.user,
            organisation=membership.organisation,
            subject="Matrix notification",
            body="For the authorization matrix.",
            link="/",
        )
        org_key = next(k for k, o in orgs.items() if o.pk == membership.organisation_id)
        world.actors[key] = Actor(
            key=key,
            membership=membership,
            organisation_key=org_key,
            client=client,
            token=created.secret,
        )
    world.cast = cast
    from resettle.access.tests.matrix.areas import AREAS  # the areas import this module

    for area in AREAS:
        area.build(world)
    assert get_user_model().objects.filter(is_superuser=True).count() == 0
    return world
