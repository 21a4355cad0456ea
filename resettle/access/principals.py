"""Who is asking (DESIGN §4). Each kind of principal is its own class with its own rules for
which people it may see and which categories of their record; everything else denies.

A later feature adds a principal kind here rather than a special case in the rules.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from django.db import models
from django.db.models import DateField, DateTimeField, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from resettle.access.categories import (
    CHILD_RECORD_KINDS,
    NEVER_SHARED_BEYOND,
    WITH_WORKING_RELATIONSHIP,
)
from resettle.access.models import BreakGlassAccess
from resettle.accounts.models import Membership, Organisation, Role
from resettle.consent.models import Consent
from resettle.core.prepared import Param, Prepared
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.people.models import Person, WorkingRelationship

# Roles that work with individual people's records.
CASE_LEVEL_ROLES = frozenset(
    {Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR, Role.PEER_MENTOR}
)


class Reason(models.TextChoices):
    """Why a principal may read a category of a person's record."""

    WORKING_RELATIONSHIP = "working_relationship", "Working with the person"
    AGREEMENT = "agreement", "A sharing agreement in force"
    CONSENT = "consent", "An agreement resting on the person's consent"
    BREAK_GLASS = "break_glass", "An open break-glass"
    SYSTEM = "system", "A system run"


@dataclass(frozen=True)
class AgreementTerms:
    """What the sharing agreements in force give an organisation: category -> lawful bases,
    the longest follow-up window, and the categories shared of children's records too."""

    grants: dict[str, set[str]]
    window: int
    for_children: frozenset[str]


class Principal:
    """Denies everything: the rules of a principal that may see nothing."""

    kind = "none"

    @property
    def membership(self) -> Membership | None:
        """The staff membership acting, for the rules about staff; None for other kinds."""
        return None

    def people_visible(self, on: date) -> QuerySet[Person]:
        return Person.objects.none()

    def shape(self, on: date) -> str | None:
        """Everything this principal's SQL on `on` is made from, when that is known: principals of
        one shape share compiled SQL between requests. None: compile it for each request."""
        return None

    def visible_person_ids(self, on: date) -> QuerySet:
        return WorkingRelationship.objects.none().values_list("person_id", flat=True)

    def count_people_visible(self, on: date) -> int:
        return 0

    def relationships_behind(self, on: date) -> QuerySet[WorkingRelationship] | None:
        """The working relationships that alone decide whom `people_visible` holds (a person is
        visible exactly when one of them is about them), when that is so."""
        return None

    def categories(self, person: Person, on: date) -> dict[str, str]:
        """Category -> why, for a person this principal may see (the caller has checked)."""
        return {}

    def agreement_grants(self, on: date) -> dict[str, set[str]]:
        return {}

    def open_break_glass(self, person: Person) -> set[str]:
        return set()


class Anonymous(Principal):
    """Signed out, or signed in with no current membership."""

    kind = "anonymous"


ANONYMOUS = Anonymous()


@dataclass(frozen=True, eq=False)
class PersonPrincipal(Principal):
    """The person themselves, for their own view of their record. Until that view exists, every
    rule denies them, their own record included."""

    person: Person
    kind = "person"


class SystemPurpose(models.TextChoices):
    LINKAGE = "linkage", "Record linkage"
    SCHEDULED_REPORT = "scheduled_report", "Scheduled report"
    PEOPLE_IMPORT = "people_import", "Importing person records"


@dataclass(frozen=True, eq=False)
class SystemPrincipal(Principal):
    """Resettle itself, for a named purpose (record linkage, scheduled reports, importing an
    organisation's person records from the command line). Never reachable from a page or a
    token: a run starts it through `access.services.system_principal_start`, which audits it.
    It sees who everyone is, to match and count them, and nothing more."""

    purpose: str
    kind = "system"

    def people_visible(self, on: date) -> QuerySet[Person]:
        return Person.objects.all()

    def visible_person_ids(self, on: date) -> QuerySet:
        return Person.objects.values_list("pk", flat=True)

    def count_people_visible(self, on: date) -> int:
        return Person.objects.count()

    def categories(self, person: Person, on: date) -> dict[str, str]:
        return dict.fromkeys(WITH_WORKING_RELATIONSHIP, Reason.SYSTEM)


def _agreements_with() -> QuerySet:
    """The agreements in force on `on` in the partnerships of `organisation`: one row per
    agreement and named recipient (or none). Every page asks, so it is prepared once."""
    on = Param("on", DateField())
    in_force = Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gt=on))
    return SharingAgreement.objects.filter(
        in_force, partnership__organisations=Param("organisation", Organisation._meta.pk)
    ).values_list(
        "pk",
        "recipient_kinds",
        "recipient_organisations",
        "categories",
        "lawful_basis",
        "follow_up_days",
        "covers_children",
    )


AGREEMENTS_WITH = Prepared(_agreements_with)


def _consent_covers(on: Any, organisation_id: Any, kind: str) -> Q:
    return (
        Q(given_on__lte=on)
        & (Q(expires_on__isnull=True) | Q(expires_on__gt=on))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        & (Q(organisations=organisation_id) | Q(organisation_kinds__icontains=f'"{kind}"'))
    )


@cache
def _consents_covering(kind: str) -> Prepared:
    """A person's consents current on `on` that cover `organisation` (of this kind): asked for
    every person a page shows, so prepared once per kind of organisation."""
    return Prepared(
        lambda: (
            Consent.objects.filter(
                _consent_covers(
                    Param("on", DateField()), Param("organisation", Organisation._meta.pk), kind
                ),
                person=Param("person", Person._meta.pk),
            )
            .values_list("pk", "categories")
            .distinct()
        )
    )


# A member of staff's open break-glass for a person: asked for every person a page shows.
OPEN_BREAK_GLASS = Prepared(
    lambda: BreakGlassAccess.objects.filter(
        user_id=Param("user", Membership._meta.get_field("user").target_field),
        organisation_id=Param("organisation", Organisation._meta.pk),
        person=Param("person", Person._meta.pk),
        closed_at__isnull=True,
        opened_at__lte=Param("now", DateTimeField()),
        expires_at__gt=Param("now", DateTimeField()),
    ).values_list("category", flat=True)
)


@dataclass(frozen=True, eq=False)
class StaffPrincipal(Principal):
    """A member of staff acting for one organisation in one role (their current Membership).

    Beyond identity, the organisation sees a category of a person's record only when
      (a) it is working with the person (a current working relationship; a peer mentor's
          allocated to them),
      (b) a sharing agreement in force in one of its partnerships gives it that category,
      (c) where that agreement rests on consent, the person's current consent covers it,
      (d) no hard limit forbids it (offence outside probation/prison; children outside family
          services),
    or a safeguarding lead has an open break-glass for that person and category."""

    staff: Membership
    kind = "staff"

    @property
    def membership(self) -> Membership:
        return self.staff

    def is_current(self, on: date) -> bool:
        """A membership counts until the day it ends (an end date to come is not yet ended)."""
        return self.staff.ended_on is None or self.staff.ended_on > on

    def shape(self, on: date) -> str:
        """The membership and its organisation as stored, the agreement terms in force (read once
        per request in any case) and the days: the rules below read nothing else."""
        staff, organisation = self.staff, self.staff.organisation
        terms = self._agreement_terms(on)
        return repr(
            (
                [(f.attname, f.value_from_object(staff)) for f in staff._meta.concrete_fields],
                [
                    (f.attname, f.value_from_object(organisation))
                    for f in organisation._meta.concrete_fields
                ],
                sorted((category, sorted(bases)) for category, bases in terms.grants.items()),
                terms.window,
                sorted(terms.for_children),
                on,
                date.today(),  # whether the membership is current
            )
        )

    def works_with_people(self, on: date) -> bool:
        return self.is_current(on) and self.staff.role in CASE_LEVEL_ROLES

    def _started_working_relationships(self, on: date) -> QuerySet[WorkingRelationship]:
        relationships = WorkingRelationship.objects.filter(
            organisation_id=self.staff.organisation_id, started_on__lte=on
        )
        if self.staff.role == Role.PEER_MENTOR:
            # A peer mentor sees only the people allocated to them.
            relationships = relationships.filter(allocated_to_id=self.staff.user_id)
        return relationships

    def _current_working_relationships(self, on: date) -> QuerySet[WorkingRelationship]:
        """Open on `on`, or ended within the follow-up window an agreement gives."""
        window = self.follow_up_days(on)
        return self._started_working_relationships(on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on - timedelta(days=window))
        )

    def working_now(self, on: date) -> QuerySet[WorkingRelationship]:
        """The relationships the organisation is working in on `on`, follow-up windows aside."""
        return self._started_working_relationships(on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on)
        )

    def only_following_up(self, person: Person, on: date) -> bool:
        """Whether the organisation sees the person only through a follow-up window."""
        if not self.follow_up_days(on):
            return False
        return not self.working_now(on).filter(person_id=person.pk).exists()

    def people_visible(self, on: date) -> QuerySet[Person]:
        if not self.works_with_people(on):
            return Person.objects.none()
        working = self._current_working_relationships(on)
        if self.staff.role == Role.PEER_MENTOR:
            # A mentor's few mentees: read them from the relationships, rather than test everyone.
            return Person.objects.filter(pk__in=working.values("person_id"))
        return Person.objects.filter(Exists(working.filter(person_id=OuterRef("pk"))))

    def relationships_behind(self, on: date) -> QuerySet[WorkingRelationship] | None:
        if not self.works_with_people(on):
            return None
        return self._current_working_relationships(on)

    def visible_person_ids(self, on: date) -> QuerySet:
        if not self.works_with_people(on):
            return super().visible_person_ids(on)
        return self._current_working_relationships(on).values_list("person_id", flat=True)

    def count_people_visible(self, on: date) -> int:
        """A person has at most one open relationship with an organisation
        (working_relationship_one_open), so open relationships are counted from the index without
        making people distinct; the few that end later are added where the person has no open
        one. An organisation working with hundreds of thousands of people is counted without
        reading their records."""
        if not self.works_with_people(on):
            return 0
        started = self._started_working_relationships(on)
        still_open = started.filter(ended_on__isnull=True)
        ending_later = (
            started.filter(ended_on__gt=on - timedelta(days=self.follow_up_days(on)))
            .exclude(Exists(still_open.filter(person_id=OuterRef("person_id"))))
            .values("person_id")
            .distinct()
        )
        return still_open.count() + ending_later.count()

    def agreement_grants(self, on: date) -> dict[str, set[str]]:
        """Category -> lawful bases under which agreements in force give it to the organisation."""
        return self._agreement_terms(on).grants

    def follow_up_days(self, on: date) -> int:
        """The longest follow-up window the agreements in force give: for so many days after
        the organisation stops working with someone it may still read their identity and
        contact details, to follow up outcomes. Without one, access ends with the work."""
        return self._agreement_terms(on).window

    def child_grants(self, on: date) -> frozenset[str]:
        """The categories of children's records agreements in force share with the organisation
        (beyond family services, which hold children's records by their kind)."""
        return self._agreement_terms(on).for_children

    def _agreement_terms(self, on: date) -> AgreementTerms:
        """The grants, the window and what is shared of children, read in one query and kept
        for this principal (one request's, or one question's)."""
        kept = self.__dict__.setdefault("_terms", {})
        if on in kept:
            return kept[on]
        organisation = self.staff.organisation
        rows = AGREEMENTS_WITH(organisation=organisation.pk, on=on)
        applies = {
            pk: (categories, basis, days, children)
            for pk, kinds, named, categories, basis, days, children in rows
            if organisation.kind in kinds or named == organisation.pk
        }
        grants: dict[str, set[str]] = {}
        window = 0
        for_children: set[str] = set()
        for categories, basis, days, children in applies.values():
            for category in categories:
                grants.setdefault(category, set()).add(basis)
            window = max(window, days or 0)
            if children:
                for_children.update(categories)
        kept[on] = AgreementTerms(grants, window, frozenset(for_children))
        return kept[on]

    def forget(self) -> None:
        """Drop the kept agreement terms (after a write they rest on)."""
        self.__dict__.pop("_terms", None)

    def consent_covers(self, on: date) -> Q:
        """Consents current on `on` whose scope includes the organisation or its kind."""
        organisation = self.staff.organisation
        return _consent_covers(on, organisation.pk, organisation.kind)

    def _consented_categories(self, person: Person, on: date) -> set[str]:
        organisation = self.staff.organisation
        rows = _consents_covering(organisation.kind)(
            on=on, organisation=organisation.pk, person=person.pk
        )
        return {category for _pk, categories in rows for category in categories}

    def hard_limit_allows(self, person: Person, category: str, on: date) -> bool:
        kind = self.staff.organisation.kind
        limit = NEVER_SHARED_BEYOND.get(category)
        if limit is not None and kind not in limit:
            return False
        if not person.is_child or kind in CHILD_RECORD_KINDS:
            return True
        return category in self.child_grants(on)

    def open_break_glass(self, person: Person) -> set[str]:
        staff = self.staff
        return set(
            OPEN_BREAK_GLASS(
                user=staff.user_id,
                organisation=staff.organisation_id,
                person=person.pk,
                now=timezone.now(),
            )
        )

    def categories_by_agreement(
        self, person: Person, on: date, grants: dict[str, set[str]]
    ) -> dict[str, str]:
        """What the agreements, consent and hard limits give the organisation for this person,
        were it working with them."""
        visible: dict[str, str] = dict.fromkeys(
            WITH_WORKING_RELATIONSHIP, Reason.WORKING_RELATIONSHIP
        )
        needs_consent = {c for c, bases in grants.items() if bases == {LawfulBasis.CONSENT}}
        consented = self._consented_categories(person, on) if needs_consent else set()
        for category in grants:
            if category in visible or not self.hard_limit_allows(person, category, on):
                continue
            if category not in needs_consent:
                visible[category] = Reason.AGREEMENT
            elif category in consented:
                visible[category] = Reason.CONSENT
        return visible


def principal_of(actor: "Principal | Membership | None") -> Principal:
    """The principal an actor stands for: a membership is a member of staff."""
    if actor is None:
        return ANONYMOUS
    if isinstance(actor, Membership):
        return StaffPrincipal(actor)
    return actor
