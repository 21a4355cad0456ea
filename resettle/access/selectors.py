"""Reads about break-glass: what a safeguarding lead may open, what they have open, whom to
tell, and the partnership's break-glass report. Every answer comes from `policy`."""

from datetime import date
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import BREAK_GLASS_CATEGORIES, Category
from resettle.access.core import Access, Actor, access_for
from resettle.access.models import BreakGlassAccess
from resettle.access.policy import can_view_break_glass_report
from resettle.accounts.models import Membership, Organisation, Role
from resettle.people.models import Person, WorkingRelationship

# Restricted categories in the order Category lists them, so pages and forms are stable.
ORDERED_BREAK_GLASS_CATEGORIES = [c for c in Category if c in BREAK_GLASS_CATEGORIES]


def can_break_glass_for_person(*, actor: Actor, person: Person) -> bool:
    """Whether the actor may break glass on this person's record at all, for some category."""
    return any(policy.can_break_glass(actor, person, c) for c in ORDERED_BREAK_GLASS_CATEGORIES)


def break_glass_categories(*, actor: Actor, person: Person) -> list[Category]:
    """The restricted categories the actor may open now: ones they may break glass for and do
    not already see (through an agreement, consent, or a break-glass already open)."""
    if not can_break_glass_for_person(actor=actor, person=person):
        return []
    visible = policy.categories_visible(actor, person)
    return [
        category
        for category in ORDERED_BREAK_GLASS_CATEGORIES
        if category not in visible and policy.can_break_glass(actor, person, category)
    ]


def open_break_glass(*, actor: Actor, person: Person) -> QuerySet[BreakGlassAccess]:
    """The break-glass accesses the actor has open on this person now, soonest to expire first.
    Only the opener, acting for the organisation they opened it for, holds one."""
    return _open_break_glass(actor).filter(person=person).order_by("expires_at")


def open_break_glass_shown(*, access: Access | None, person: Person) -> list[BreakGlassAccess]:
    """`open_break_glass` for a person's pages: asks the database only when the request's
    access already knows one is open."""
    if not policy.open_break_glass_categories(access, person):
        return []
    return list(open_break_glass(actor=access, person=person))


def people_with_open_break_glass(*, actor: Actor, person_ids: list, category: str) -> set:
    """Which of these people the actor has an open break-glass on for `category`: for lists."""
    opened = _open_break_glass(actor).filter(person_id__in=person_ids, category=category)
    return set(opened.values_list("person_id", flat=True))


def _open_break_glass(actor: Actor) -> QuerySet[BreakGlassAccess]:
    staff = access_for(actor).membership
    if staff is None:
        return BreakGlassAccess.objects.none()
    now = timezone.now()
    return BreakGlassAccess.objects.filter(
        user_id=staff.user_id,
        organisation_id=staff.organisation_id,
        closed_at__isnull=True,
        opened_at__lte=now,
        expires_at__gt=now,
    )


def get_open_break_glass_for_actor(*, actor: Actor, person: Person, access_id) -> BreakGlassAccess:
    """One of the actor's open break-glass accesses on the person, or the same 404 whether it
    does not exist, is someone else's, or has already closed."""
    access = open_break_glass(actor=actor, person=person).filter(pk=access_id).first()
    if access is None:
        raise Http404("No such break-glass access")
    return access


# Whom to tell ------------------------------------------------------------------------------


def _organisation_sees(organisation: Organisation, person: Person, category: str) -> bool:
    """Whether the organisation itself holds this category of the person's record now: what a
    caseworker there (no break-glass of their own) would be allowed to see. The policy answers
    for a membership, so it is asked about an unsaved one; nothing is stored."""
    caseworker = Membership(organisation=organisation, role=Role.CASEWORKER)
    return policy.can_view_category(caseworker, person, category)


def break_glass_organisations_to_tell(*, access: BreakGlassAccess) -> list[Organisation]:
    """The owning organisations of what was opened: every other organisation now working with
    the person whose agreements (with the person's consent where needed) give it the category.

    If none holds it, every other organisation working with the person is told; if no other
    organisation works with them, the opener's own organisation is (its admins and other
    leads), so a break-glass is never seen by no one."""
    today = date.today()
    current = WorkingRelationship.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today),
        person_id=access.person_id,
        started_on__lte=today,
    )
    working = list(
        Organisation.objects.filter(Exists(current.filter(organisation_id=OuterRef("pk"))))
        .exclude(pk=access.organisation_id)
        .order_by("name")
    )
    holders = [o for o in working if _organisation_sees(o, access.person, access.category)]
    return holders or working or [access.organisation]


def break_glass_members_to_tell(*, organisation: Organisation, opener_id: int) -> list[Membership]:
    """Who in an organisation hears of a break-glass: its safeguarding leads and organisation
    admins, or, if it has neither, every current member in a role that works with people's
    records. Never the opener themselves."""
    today = date.today()
    current = (
        Membership.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today),
            organisation=organisation,
            user__is_active=True,
        )
        .exclude(user_id=opener_id)
        .select_related("user", "organisation")
    )
    overseers = [
        m for m in current if m.is_safeguarding_lead or m.role in policy.ORGANISATION_ADMIN_ROLES
    ]
    if overseers:
        return overseers
    return [m for m in current if m.role in policy.CASE_LEVEL_ROLES]


# The report --------------------------------------------------------------------------------

REPORT_ORDERINGS = {
    "opened": ("opened_at",),
    "who": ("user__last_name", "user__first_name"),
    "organisation": ("organisation__name",),
    "category": ("category_label",),
    "expires": ("expires_at",),
}
DEFAULT_REPORT_ORDERING = "-opened"


def report_organisations(*, actor: Membership | None) -> QuerySet[Organisation]:
    """The organisations whose break-glass the actor's report covers: its partnerships'."""
    if not can_view_break_glass_report(actor):
        return Organisation.objects.none()
    return policy.organisations_visible_to(actor)


class _ReportAnnotations(TypedDict):
    person_visible: bool
    category_label: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A row of the break-glass report (break_glass_report).
    ReportRow = WithAnnotations[BreakGlassAccess, _ReportAnnotations]


def break_glass_report(
    *,
    actor: Membership | None,
    organisation_id=None,
    opened_from: date | None = None,
    opened_to: date | None = None,
    ordering: str = DEFAULT_REPORT_ORDERING,
) -> "QuerySet[ReportRow]":
    """Every break-glass by an organisation in the actor's partnerships, filtered and sorted.

    Each row carries `person_visible`: whether the actor may see that person. Pages and files
    name the person only when it is true."""
    if not can_view_break_glass_report(actor):
        # No rows, so none lacks the annotations.
        return cast("QuerySet[ReportRow]", BreakGlassAccess.objects.none())
    organisations = report_organisations(actor=actor).values("pk")
    rows = BreakGlassAccess.objects.filter(organisation_id__in=organisations)
    if organisation_id:
        rows = rows.filter(organisation_id=organisation_id)
    if opened_from:
        rows = rows.filter(opened_at__date__gte=opened_from)
    if opened_to:
        rows = rows.filter(opened_at__date__lte=opened_to)
    visible = policy.people_visible_to(actor).filter(pk=OuterRef("person_id"))
    rows = rows.annotate(
        person_visible=Exists(visible),
        category_label=Case(
            *[When(category=c.value, then=Value(c.label)) for c in Category],
            default=Value(""),
        ),
    ).select_related("user", "organisation", "person")
    key = ordering.removeprefix("-")
    fields = REPORT_ORDERINGS.get(key, REPORT_ORDERINGS["opened"])
    if key not in REPORT_ORDERINGS:
        ordering = DEFAULT_REPORT_ORDERING
    descending = ordering.startswith("-")
    order_by = [f"-{f}" if descending else f for f in fields]
    # Newest first among equals, then the id, so pages never repeat or skip a row.
    return rows.order_by(*order_by, "-opened_at", "pk")
