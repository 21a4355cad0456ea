"""The access core (DESIGN §4): who may see which person, and which categories of their record.
Deny by default.

It knows only people, partnerships and their agreements, consent and working relationships;
the rules about each domain's records (resettle/access/rules/) are built on it. A test keeps
it from importing any domain app.

Everything is decided for an *actor*: a principal (see `principals`), a staff Membership (the
member of staff acting for their organisation), or the request's `Access`, which works each
answer out once per request and keeps it.
"""

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404

from resettle.access.categories import (
    CHILD_RECORD_KINDS,
    FOLLOW_UP_CATEGORIES,
    NEVER_SHARED_BEYOND,
    WITH_WORKING_RELATIONSHIP,
)
from resettle.access.compiled import CompiledExists, compile_subquery, shared_compiled
from resettle.access.models import BreakGlassAccess
from resettle.access.principals import (
    ANONYMOUS,
    CASE_LEVEL_ROLES,
    Principal,
    Reason,
    StaffPrincipal,
    principal_of,
)
from resettle.access.registry import category_of
from resettle.accounts.models import Membership, Organisation, Role
from resettle.consent.models import Consent
from resettle.partnerships.models import LawfulBasis, Partnership, SharingAgreement
from resettle.people.models import Person, WorkingRelationship

# Roles that may add a person to Resettle (a new referral or a walk-in).
CREATE_PERSON_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})
ORGANISATION_ADMIN_ROLES = frozenset({Role.ORGANISATION_ADMIN})

M = TypeVar("M", bound=Model)


# Forgetting: a write to anything the core's answers rest on makes every Access work them out
# again, so a service that opens or ends access mid-request is never answered from before it.
_writes = 0
ANSWERS_REST_ON = (
    BreakGlassAccess,
    Consent,
    Membership,
    Organisation,
    Person,
    SharingAgreement,
    WorkingRelationship,
)


def _forget_everything(**kwargs: Any) -> None:
    global _writes
    _writes += 1


for _model in ANSWERS_REST_ON:
    post_save.connect(_forget_everything, sender=_model, dispatch_uid=f"access_forget_{_model}")
    post_delete.connect(_forget_everything, sender=_model, dispatch_uid=f"access_unsee_{_model}")
for _through in (
    Consent.organisations.through,
    SharingAgreement.recipient_organisations.through,
    Partnership.organisations.through,
):
    m2m_changed.connect(_forget_everything, sender=_through, dispatch_uid=f"access_m2m_{_through}")


class Access:
    """What one principal may see, worked out once and kept: per person whether they are
    visible, which categories and why, and the open break-glass; the agreements' grants.

    One is made per request (`for_request`) and never outlives it: the next request makes a new
    one, so a principal whose access ended meanwhile is refused. Views, templates, the API and
    selectors pass it (or the request's actor, which it is bound to) wherever an actor goes."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self._memo: dict[tuple, Any] = {}
        self._writes = _writes

    @classmethod
    def for_request(cls, actor: Membership | Principal | None) -> "Access":
        """The request's access, bound to its actor so rules given the actor read it too."""
        access = cls(principal_of(actor))
        if isinstance(actor, Membership):
            actor.__dict__["_request_access"] = access
        return access

    @property
    def membership(self) -> Membership | None:
        return self.principal.membership

    def _kept(self, key: tuple, work_out: Callable[[], Any]) -> Any:
        if self._writes != _writes:
            self._memo.clear()
            if isinstance(self.principal, StaffPrincipal):
                self.principal.forget()
            self._writes = _writes
        if key not in self._memo:
            self._memo[key] = work_out()
        return self._memo[key]

    def is_current(self, on: date | None = None) -> bool:
        principal = self.principal
        if not isinstance(principal, StaffPrincipal):
            return False
        return principal.is_current(on or date.today())

    def people_visible(self, on: date | None = None) -> QuerySet[Person]:
        on = on or date.today()
        if isinstance(self.principal, StaffPrincipal) and not self.is_current():
            return Person.objects.none()
        people = self._kept(("people", on), lambda: self.principal.people_visible(on)).all()
        behind = self._kept(("behind", on), lambda: self.principal.relationships_behind(on))
        if behind is not None:
            # Only this unfiltered queryset carries it (a filter makes a copy without it): see
            # `about`.
            people._relationships_behind = behind
        people._kept_by = (self, ("people", on))
        return people

    def people_with_category(
        self, category: str, on: date, work_out: Callable[[], QuerySet[Person]]
    ) -> QuerySet[Person]:
        key = ("with_category", category, on)
        kept = self._kept(key, work_out)
        people = kept.all()
        behind = getattr(kept, "_relationships_behind", None)
        if behind is not None:
            people._relationships_behind = behind
        people._kept_by = (self, key)
        return people

    def compiled_subquery(
        self, key: tuple, people: QuerySet[Person], connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple] | None:
        """The kept people `key` names, compiled once per request for `about`."""
        behind = getattr(people, "_relationships_behind", None)
        if behind is not None:
            queryset, column = behind, "person_id"
        else:
            queryset, column = people, "id"

        def work_out() -> tuple[str, tuple] | None:
            shape = self.principal.shape(key[-1])
            if shape is None:
                return compile_subquery(queryset, column, connection)
            return shared_compiled(
                (shape, key, column, connection.alias),
                lambda: compile_subquery(queryset, column, connection),
            )

        return self._kept(("compiled", key, connection.alias), work_out)

    def can_view_person(self, person: Person, on: date | None = None) -> bool:
        on = on or date.today()
        return self._kept(
            ("person", person.pk, on),
            lambda: self.people_visible(on).filter(pk=person.pk).exists(),
        )

    def agreement_grants(self, on: date | None = None) -> dict[str, set[str]]:
        on = on or date.today()
        return self._kept(("grants", on), lambda: self.principal.agreement_grants(on))

    def open_break_glass(self, person: Person) -> frozenset[str]:
        return self._kept(
            ("break_glass", person.pk), lambda: frozenset(self.principal.open_break_glass(person))
        )

    def categories_by_agreement(self, person: Person, on: date | None = None) -> dict[str, str]:
        """Category -> why, from agreements, consent and hard limits, were the principal working
        with the person (a receiving organisation reads a referral so)."""
        on = on or date.today()

        def work_out() -> dict[str, str]:
            principal = self.principal
            if isinstance(principal, StaffPrincipal):
                return principal.categories_by_agreement(person, on, self.agreement_grants(on))
            return principal.categories(person, on)

        return self._kept(("by_agreement", person.pk, on), work_out)

    def reasons(self, person: Person, on: date | None = None) -> dict[str, str]:
        """Every category of the person's record the principal may read now, and why."""
        on = on or date.today()

        def work_out() -> dict[str, str]:
            if not self.can_view_person(person, on):
                return {}
            reasons = dict(self.categories_by_agreement(person, on))
            principal = self.principal
            if isinstance(principal, StaffPrincipal) and principal.only_following_up(person, on):
                reasons = {c: r for c, r in reasons.items() if c in FOLLOW_UP_CATEGORIES}
            for category in self.open_break_glass(person):
                reasons.setdefault(category, Reason.BREAK_GLASS)
            return reasons

        return self._kept(("reasons", person.pk, on), work_out)

    def categories(self, person: Person, on: date | None = None) -> frozenset[str]:
        return frozenset(self.reasons(person, on))


Actor = Access | Principal | Membership | None


def access_for(actor: Actor) -> Access:
    """The Access to ask: the request's, when the actor is the request's (or is an Access), or a
    new one kept only for this question."""
    if isinstance(actor, Access):
        return actor
    if isinstance(actor, Membership):
        bound = actor.__dict__.get("_request_access")
        if bound is not None:
            return bound
    return Access(principal_of(actor))


def acting_staff(actor: Actor) -> Membership | None:
    """The member of staff acting, if the actor is one and their membership is current."""
    access = access_for(actor)
    return access.membership if access.is_current() else None


def is_current(actor: Actor, on: date | None = None) -> bool:
    """A current member of staff (a membership counts until the day it ends)."""
    return access_for(actor).is_current(on)


def can_view_case_records(actor: Actor) -> bool:
    """Whether the actor's role works with individual people's records at all."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in CASE_LEVEL_ROLES


def people_visible_to(actor: Actor, on: date | None = None) -> QuerySet[Person]:
    """The people whose record this actor may open. Lists, search, counts and exports use it."""
    return access_for(actor).people_visible(on)


def visible_person_ids(actor: Actor, on: date | None = None) -> QuerySet:
    """The ids of `people_visible_to(actor, on)`, read from the working relationships alone:
    for `person_id__in=` filters that need not join the people table."""
    access = access_for(actor)
    if isinstance(access.principal, StaffPrincipal) and not access.is_current():
        return ANONYMOUS.visible_person_ids(on or date.today())
    return access.principal.visible_person_ids(on or date.today())


def count_people_visible_to(actor: Actor, on: date | None = None) -> int:
    """`people_visible_to(actor, on).count()`, counted without reading people's records."""
    access = access_for(actor)
    if isinstance(access.principal, StaffPrincipal) and not access.is_current():
        return 0
    return access.principal.count_people_visible(on or date.today())


def can_view_person(actor: Actor, person: Person) -> bool:
    return access_for(actor).can_view_person(person)


def get_or_404(queryset: QuerySet[M], pk: Any, what: str) -> M:
    """The one record of `queryset` with this id, or the same 404 whether it does not exist, is
    not the actor's to see, or the id is not an id at all."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(f"No such {what}") from exc


def get_person_for_actor(actor: Actor, person_id: Any) -> Person:
    """The person, or the same 404 whether they do not exist or are not this actor's to see."""
    person = get_or_404(people_visible_to(actor), person_id, "person")
    # Known visible now: a later question this request need not ask the database again.
    access = access_for(actor)
    access._kept(("person", person.pk, date.today()), lambda: True)
    return person


# Data categories -------------------------------------------------------------------------------


def agreement_grants(actor: Actor, on: date | None = None) -> dict[str, set[str]]:
    """Category -> lawful bases under which agreements in force give it to the actor's
    organisation."""
    return access_for(actor).agreement_grants(on)


def categories_visible(actor: Actor, person: Person, on: date | None = None) -> frozenset[str]:
    """Every data category of this person's record the actor may read now."""
    return access_for(actor).categories(person, on)


def category_reasons(actor: Actor, person: Person) -> dict[str, str]:
    """Why the actor may read each category of the person's record."""
    return access_for(actor).reasons(person)


def categories_by_agreement(actor: Actor, person: Person) -> frozenset[str]:
    """The categories agreements, consent and hard limits give the actor for this person, were
    it working with them (no break-glass)."""
    return frozenset(access_for(actor).categories_by_agreement(person))


def can_view_category(actor: Actor, person: Person, category: str) -> bool:
    return category in categories_visible(actor, person)


def can_read(actor: Actor, person: Person, label: str, field: str = "person") -> bool:
    """Whether the actor may read `label`'s `field` of this person's record (by default, its
    records at all): the field's category, from the registry, for this person."""
    return can_view_category(actor, person, category_of(label, field))


def open_break_glass_categories(actor: Actor, person: Person) -> frozenset[str]:
    return access_for(actor).open_break_glass(person)


def people_with_category(actor: Actor, category: str, on: date | None = None) -> QuerySet[Person]:
    """The people for whom the actor may read `category` (without break-glass): for lists,
    counts and exports of that category. Worked out once per request."""
    on = on or date.today()
    access = access_for(actor)
    return access.people_with_category(
        category, on, lambda: _people_with_category(access, category, on)
    )


def _people_with_category(access: Access, category: str, on: date) -> QuerySet[Person]:
    people = access.people_visible(on)
    principal = access.principal
    if (
        category not in FOLLOW_UP_CATEGORIES
        and isinstance(principal, StaffPrincipal)
        and can_view_case_records(access)
        and principal.follow_up_days(on)
    ):
        # Within a follow-up window only identity and contact details remain.
        working = principal.working_now(on)
        people = people.filter(Exists(working.filter(person_id=OuterRef("pk"))))
    if category in WITH_WORKING_RELATIONSHIP:
        return people
    if not (isinstance(principal, StaffPrincipal) and can_view_case_records(access)):
        return Person.objects.none()
    bases = access.agreement_grants(on).get(category)
    if not bases:
        return Person.objects.none()
    kind = principal.staff.organisation.kind
    limit = NEVER_SHARED_BEYOND.get(category)
    if limit is not None and kind not in limit:
        return Person.objects.none()
    if kind not in CHILD_RECORD_KINDS and category not in principal.child_grants(on):
        people = people.filter(
            Q(date_of_birth__isnull=True) | Q(date_of_birth__lte=eighteenth_birthday_cutoff(on))
        )
    if bases == {LawfulBasis.CONSENT}:
        consents = Consent.objects.filter(
            principal.consent_covers(on),
            person_id=OuterRef("pk"),
            categories__icontains=f'"{category}"',
        )
        people = people.filter(Exists(consents))
    return people


def people_with_readable(
    actor: Actor, label: str, field: str = "person", on: date | None = None
) -> QuerySet[Person]:
    """The people whose records of `label` (or that `field` of them) the actor may read: for
    lists. `people_with_category` for the category the registry places it in."""
    return people_with_category(actor, category_of(label, field), on)


def eighteenth_birthday_cutoff(on: date) -> date:
    """People born on or before this date are 18 or over on `on` (29 February counts as 1 March)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:
        return date(on.year - 18, 2, 28)


def about(people: QuerySet[Person], field: str = "person_id") -> Exists | CompiledExists:
    """Records whose `field` is one of `people`, as a correlated EXISTS: checked through the
    person's indexes for the rows a list actually reads. (`person__in=` inside an OR makes the
    database build the whole set of people first: tens of thousands for a large organisation.)

    When `people` are just the people a principal may see, the records' person is looked up in
    the relationships that make them visible, one level less for the ORM to build and the
    database to run: every list asks this.

    People an `Access` keeps (the principal's visible people, or those with a category) are
    compiled once per request and only the outer column is filled in at each use."""
    kept_by = getattr(people, "_kept_by", None)
    if kept_by is not None:
        access, key = kept_by
        return CompiledExists(
            lambda connection: access.compiled_subquery(key, people, connection), field
        )
    behind = getattr(people, "_relationships_behind", None)
    if behind is not None:
        return Exists(behind.filter(person_id=OuterRef(field)))
    return Exists(people.filter(pk=OuterRef(field)))


def as_is(queryset: QuerySet[M]) -> QuerySet[M]:
    """The default shaping of a `get_*_for_actor`: the records as the rule finds them."""
    return queryset
