"""Reads of referrals and signpostings, already filtered by the access policy. The receiving
organisation sees a referred person only through the referral until it accepts: identity, and
the categories the agreements, consent and the referral itself allow. Reads of suitability
answers through a referral are audited."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.services import record_read
from resettle.directory.models import Service
from resettle.people.models import Person
from resettle.referrals.models import (
    FollowUp,
    Referral,
    ReferralState,
    ReferralTransition,
    Signposting,
    Urgency,
    WaitingListMove,
)
from resettle.suitability.models import SuitabilityAssessment

SENT, RECEIVED = "sent", "received"
# How long the receiving organisation has to respond, by urgency: after this a referral still
# waiting for a decision is overdue.
RESPONSE_TARGET: dict[str, timedelta] = {
    Urgency.URGENT: timedelta(days=2),
    Urgency.SOON: timedelta(days=14),
    Urgency.ROUTINE: timedelta(days=28),
}
AGES = {
    "week": ("Less than a week", timedelta(0), timedelta(days=7)),
    "month": ("1 to 4 weeks", timedelta(days=7), timedelta(days=28)),
    "older": ("More than 4 weeks", timedelta(days=28), None),
}
ORDERINGS = {
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "person": "person__family_name",
    "-person": "-person__family_name",
    "service": "service__name",
    "-service": "-service__name",
    "state": "state",
    "-state": "-state",
}
AWAITING_DECISION = (ReferralState.SUBMITTED,)
LIST_RELATED = ("person", "service__organisation", "referring_organisation", "referred_by")


@dataclass(frozen=True)
class ReferralFilters:
    box: str = SENT
    state: str = ""
    service: str = ""
    age: str = ""
    overdue: bool = False
    mine: bool = False
    ordering: str = "-submitted"


def overdue_q(now) -> Q:
    return Q(state__in=AWAITING_DECISION) & (
        Q(urgency=Urgency.URGENT, submitted_at__lt=now - RESPONSE_TARGET[Urgency.URGENT])
        | Q(urgency=Urgency.SOON, submitted_at__lt=now - RESPONSE_TARGET[Urgency.SOON])
        | Q(urgency=Urgency.ROUTINE, submitted_at__lt=now - RESPONSE_TARGET[Urgency.ROUTINE])
    )


def is_overdue(referral: Referral, now=None) -> bool:
    now = now or timezone.now()
    return (
        referral.state in AWAITING_DECISION
        and referral.submitted_at is not None
        and referral.submitted_at < now - RESPONSE_TARGET[referral.urgency]
    )


def box_referrals(*, actor: Membership | None, box: str) -> QuerySet[Referral]:
    """Referrals the actor's organisation sent, or received (never drafts), that it may see."""
    if box == RECEIVED:
        return policy.referrals_received_by(actor)
    return policy.referrals_sent_by(actor)


def referral_list(*, actor: Membership | None, filters: ReferralFilters) -> QuerySet[Referral]:
    referrals = box_referrals(actor=actor, box=filters.box)
    now = timezone.now()
    if filters.state:
        referrals = referrals.filter(state=filters.state)
    if filters.service:
        referrals = referrals.filter(service_id=filters.service)
    if filters.age in AGES:
        _label, newest, oldest = AGES[filters.age]
        referrals = referrals.filter(submitted_at__lte=now - newest)
        if oldest is not None:
            referrals = referrals.filter(submitted_at__gt=now - oldest)
    if filters.overdue:
        referrals = referrals.filter(overdue_q(now))
    if filters.mine and actor is not None:
        if filters.box == RECEIVED:
            referrals = referrals.filter(handled_by_id=actor.user_id)
        else:
            referrals = referrals.filter(referred_by_id=actor.user_id)
    key = ORDERINGS.get(filters.ordering, "-submitted_at")
    name = key.lstrip("-")
    order = F(name).desc(nulls_last=True) if key.startswith("-") else F(name).asc(nulls_last=True)
    return referrals.select_related(*LIST_RELATED).order_by(order, "-created_at")


def page_of(referrals: QuerySet[Referral], count: int, per_page: int, number) -> Page:
    """One page of `referrals`, which number `count` (the figures counted them already). The
    page's ids are sorted from the list indexes alone; only those rows are then read with their
    person, service and organisations: two small queries however long the list."""
    # Paged by id, then each page's ids swapped for their referrals.
    paginator: Paginator[Any] = Paginator(referrals.values_list("pk", flat=True), per_page)
    paginator.count = count
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = Referral.objects.select_related(*LIST_RELATED).in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids]
    return page


@dataclass
class Figures:
    """Counts by state and timeliness for a set of referrals. Times are means over the
    referrals that have them; None when there are none (shown as "no responses yet")."""

    total: int
    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    mean_first_response: timedelta | None = None
    mean_to_accept: timedelta | None = None


def referral_figures(referrals: QuerySet[Referral]) -> Figures:
    """One aggregate query for the counts by state, the overdue count and the two mean times:
    one pass over the referrals (read from the service or referring organisation index)."""
    now = timezone.now()
    counts = {
        f"state_{state}": Count("pk", filter=Q(state=state)) for state in ReferralState.values
    }
    row = referrals.order_by().aggregate(
        **counts,
        overdue=Count("pk", filter=overdue_q(now)),
        first=Avg(
            Seconds("first_response_at") - Seconds("submitted_at"),
            filter=Q(first_response_at__isnull=False, submitted_at__isnull=False),
        ),
        accept=Avg(
            Seconds("decided_at") - Seconds("submitted_at"),
            filter=Q(
                decided_at__isnull=False,
                state__in=(
                    ReferralState.ACCEPTED,
                    ReferralState.IN_PROGRESS,
                    ReferralState.COMPLETED,
                ),
            ),
        ),
    )
    by_state = {state: row[f"state_{state}"] for state in ReferralState.values}
    return Figures(
        total=sum(by_state.values()),
        by_state=by_state,
        overdue=row["overdue"],
        mean_first_response=_as_duration(row["first"]),
        mean_to_accept=_as_duration(row["accept"]),
    )


class Seconds(Func):
    """A time as seconds (a float), in SQL: subtracting and averaging these needs no function
    call per row (SQLite's duration arithmetic calls back into Python for each one). On
    PostgreSQL date_part, a double, not EXTRACT, a numeric: averaging numerics over a national
    provider's 49,000 referrals took a third of the figures' time."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="date_part('epoch', %(expressions)s)", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s) * 86400.0)", **extra
        )


def _as_duration(seconds) -> timedelta | None:
    # To the second: SQLite's julianday carries a few microseconds of rounding.
    return None if seconds is None else timedelta(seconds=round(float(seconds)))


@dataclass
class ReferralView:
    """What one referral's page shows the actor."""

    referral: Referral
    categories: frozenset[str]
    person_visible: bool
    is_sender: bool
    is_receiver: bool
    can_edit: bool
    can_decide: bool
    assessment: SuitabilityAssessment | None
    names_visible: set
    transitions: list[ReferralTransition]
    onward: list[Referral]
    position: int | None
    overdue: bool


def get_referral(actor: Membership | None, referral_id) -> Referral:
    """The referral, or the same 404 whether it does not exist or is not the actor's to see."""
    return policy.get_referral_for_actor(actor, referral_id)


# A waiting list is served by urgency, then by how long each has waited: an urgent referral
# does not wait behind routine ones that came first. Staff may move one by hand, with a reason.
URGENCY_ORDER = (Urgency.URGENT, Urgency.SOON, Urgency.ROUTINE)


def _urgency_rank() -> DbCase:
    return DbCase(
        *(When(urgency=urgency, then=Value(rank)) for rank, urgency in enumerate(URGENCY_ORDER)),
        default=Value(len(URGENCY_ORDER)),
        output_field=IntegerField(),
    )


def _in_waiting_order(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """With each referral's place: its urgency and when it joined, or the place it was moved to."""
    return referrals.annotate(
        place_rank=Coalesce("waiting_rank", _urgency_rank()),
        place_at=Coalesce("waiting_order", "waiting_since"),
    )


WAITING_ORDER = ("place_rank", "place_at", "created_at")


def waiting_position(referral: Referral) -> int | None:
    """Its place on the list, counted in the list's own order (a waiting list is short)."""
    if referral.state != ReferralState.WAITING_LIST or referral.waiting_since is None:
        return None
    waiting = _in_waiting_order(
        Referral.objects.filter(service_id=referral.service_id, state=ReferralState.WAITING_LIST)
    )
    order = list(waiting.order_by(*WAITING_ORDER).values_list("pk", flat=True))
    return order.index(referral.pk) + 1 if referral.pk in order else None


def current_assessment(person: Person) -> SuitabilityAssessment | None:
    return (
        SuitabilityAssessment.objects.select_related("assessor_organisation", "assessed_by")
        .filter(person=person, superseded_by__isnull=True)
        .first()
    )


def referral_view(
    *, actor: Membership | None, referral: Referral, request: HttpRequest | None = None
) -> ReferralView:
    """The referral as the actor may see it. Suitability answers appear only where risk and
    suitability is among the categories the referral lets the actor read; the read is audited."""
    categories = policy.referral_categories_visible(actor, referral)
    assessment = None
    if Category.RISK_SUITABILITY in categories:
        assessment = current_assessment(referral.person)
        if assessment is not None:
            record_read(
                actor=actor,
                person=referral.person,
                categories=[Category.RISK_SUITABILITY],
                request=request,
            )
    visible = policy.referrals_visible_to(actor)
    return ReferralView(
        referral=referral,
        categories=categories,
        person_visible=policy.can_view_person(actor, referral.person),
        is_sender=policy.is_referral_sender(actor, referral),
        is_receiver=policy.is_referral_receiver(actor, referral),
        can_edit=policy.can_edit_referral(actor, referral),
        can_decide=policy.can_decide_referral(actor, referral),
        assessment=assessment,
        names_visible=(
            {assessment.pk}
            if assessment is not None and policy.can_see_named_people_to_avoid(actor, assessment)
            else set()
        ),
        transitions=list(referral.transitions.select_related("by", "organisation")),
        onward=list(visible.filter(parent=referral).select_related("service__organisation")),
        position=waiting_position(referral),
        overdue=is_overdue(referral),
    )


def person_referrals(*, actor: Membership | None, person: Person) -> QuerySet[Referral]:
    return (
        policy.referrals_visible_to(actor)
        .filter(person=person)
        .select_related("service__organisation", "referring_organisation")
        .order_by("-created_at")
    )


def person_signpostings(*, actor: Membership | None, person: Person) -> QuerySet[Signposting]:
    return (
        policy.signpostings_visible_to(actor)
        .filter(person=person)
        .select_related("service__organisation", "organisation", "signposted_by")
    )


def get_signposting(actor: Membership | None, person: Person, signposting_id) -> Signposting:
    try:
        return person_signpostings(actor=actor, person=person).get(pk=signposting_id)
    except (Signposting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such signposting") from exc


def signpostings_to_follow_up(*, actor: Membership | None) -> QuerySet[Signposting]:
    """The actor's organisation's signpostings due for a follow-up ("did they go?")."""
    if actor is None:
        return Signposting.objects.none()
    return (
        policy.signpostings_visible_to(actor)
        .filter(
            organisation_id=actor.organisation_id,
            follow_up=FollowUp.NOT_YET,
            follow_up_on__lte=timezone.localdate(),
        )
        .select_related("person", "service")
        .order_by("follow_up_on")
    )


def waiting_list(*, service: Service) -> QuerySet[Referral]:
    """Callers check `policy.can_view_waiting_list` first. In the order it is served: the most
    urgent first, then the longest waiting."""
    return (
        _in_waiting_order(
            Referral.objects.filter(service=service, state=ReferralState.WAITING_LIST)
        )
        .select_related("person", "referring_organisation")
        .order_by(*WAITING_ORDER)
    )


def waiting_list_moves(*, service: Service) -> QuerySet[WaitingListMove]:
    """Callers check `policy.can_view_waiting_list` first. The moves made by hand on the
    service's waiting list, newest first."""
    return (
        WaitingListMove.objects.filter(referral__service=service)
        .select_related("referral__person", "passed__person", "by")
        .order_by("-created_at")
    )


def services_for_referral(*, actor: Membership | None) -> QuerySet[Service]:
    """Services the actor may refer to: visible, running and taking referrals."""
    from resettle.directory.models import Access, ServiceStatus

    return (
        policy.services_visible_to(actor)
        .filter(status=ServiceStatus.ACTIVE, access__in=(Access.REFERRAL_ONLY, Access.BOTH))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def services_referred_to(*, actor: Membership | None) -> QuerySet[Service]:
    """The services the actor's organisation has referred anyone to (the sent list's filter):
    one index probe per service, not a pass over every referral it has sent."""
    if actor is None:
        return Service.objects.none()
    sent = Referral.objects.filter(
        service_id=OuterRef("pk"), referring_organisation_id=actor.organisation_id
    )
    return Service.objects.filter(Exists(sent)).order_by("organisation__name", "name")


def receiving_services(*, actor: Membership | None) -> QuerySet[Service]:
    """The actor's organisation's services (for the received list's filter and waiting lists)."""
    if actor is None:
        return Service.objects.none()
    return Service.objects.filter(organisation_id=actor.organisation_id).order_by("name")
