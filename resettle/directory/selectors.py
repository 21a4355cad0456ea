"""Reads of the service directory, already filtered through the access policy.

Capacity figures (caseload, waiting list) are counts of referrals, never the referrals
themselves, so they show no one's personal data; the list annotates them in the same query.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.directory.models import Access, Location, Schedule, Service, ServiceStatus
from resettle.referrals.models import OCCUPYING_STATES, Referral, ReferralState

SORTS = {
    "name": ("name", "organisation__name"),
    "-name": ("-name", "organisation__name"),
    "organisation": ("organisation__name", "name"),
    "-organisation": ("-organisation__name", "name"),
    "updated": ("-updated_at", "name"),
    "-updated": ("updated_at", "name"),
}
DEFAULT_SORT = "name"


def _caseload_count() -> Count:
    return Count("referrals", filter=Q(referrals__state__in=OCCUPYING_STATES), distinct=True)


def _waiting_count() -> Count:
    return Count("referrals", filter=Q(referrals__state=ReferralState.WAITING_LIST), distinct=True)


def with_counts(services: QuerySet[Service]) -> QuerySet[Service]:
    """Annotate `caseload` and `waiting` in the one query that lists the services."""
    return services.annotate(caseload=_caseload_count(), waiting=_waiting_count())


def service_caseload(service: Service) -> int:
    """People the service is supporting now: referrals accepted or in progress."""
    annotated = getattr(service, "caseload", None)
    if annotated is not None:
        return annotated
    return Referral.objects.filter(service=service, state__in=OCCUPYING_STATES).count()


def waiting_list_count(service: Service) -> int:
    annotated = getattr(service, "waiting", None)
    if annotated is not None:
        return annotated
    return Referral.objects.filter(service=service, state=ReferralState.WAITING_LIST).count()


def is_full(service: Service) -> bool:
    """A capacity is set and the caseload has reached it."""
    return service.capacity is not None and service_caseload(service) >= service.capacity


def places_left(service: Service) -> int | None:
    if service.capacity is None:
        return None
    return max(service.capacity - service_caseload(service), 0)


@dataclass(frozen=True)
class ServiceFilters:
    query: str = ""
    pathway: str = ""
    access: str = ""
    organisation: str = ""
    district: str = ""
    status: str = ServiceStatus.ACTIVE
    ordering: str = DEFAULT_SORT


def _filter(services: QuerySet[Service], filters: ServiceFilters) -> QuerySet[Service]:
    if filters.query:
        services = services.filter(
            Q(name__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(who_it_is_for__icontains=filters.query)
        )
    if filters.pathway:
        # JSON list of values: the quoted value appears in the stored text on every database.
        services = services.filter(pathways__icontains=f'"{filters.pathway}"')
    if filters.access == Access.OPEN:
        services = services.filter(access__in=(Access.OPEN, Access.BOTH))
    elif filters.access == Access.REFERRAL_ONLY:
        services = services.filter(access__in=(Access.REFERRAL_ONLY, Access.BOTH))
    if filters.organisation:
        services = services.filter(organisation_id=filters.organisation)
    if filters.district:
        # Services covering the district, and those with no area limit.
        services = services.filter(
            Q(postcode_districts=[]) | Q(postcode_districts__icontains=f'"{filters.district}"')
        )
    if filters.status:
        services = services.filter(status=filters.status)
    return services.order_by(*SORTS.get(filters.ordering, SORTS[DEFAULT_SORT]))


def service_list(
    *, actor: Membership | None, filters: ServiceFilters | None = None
) -> QuerySet[Service]:
    """The services the actor may see (anonymous: the public ones), filtered, sorted and
    annotated with `caseload` and `waiting`, in one query."""
    filters = filters or ServiceFilters()
    services = policy.services_visible_to(actor).select_related("organisation")
    return with_counts(_filter(services, filters))


def public_service_list(*, filters: ServiceFilters | None = None) -> QuerySet[Service]:
    """The public directory: active services open to all. No counts: nothing about people."""
    filters = filters or ServiceFilters()
    services = policy.public_services().select_related("organisation")
    return _filter(services, filters).prefetch_related("locations")


def get_public_service(service_id) -> Service:
    try:
        return policy.public_services().select_related("organisation").get(pk=service_id)
    except (Service.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such service") from exc


def get_service_detail(actor: Membership | None, service_id) -> Service:
    """One service the actor may see, with its counts (404 when not visible)."""
    service = policy.get_service_for_actor(actor, service_id)
    return with_counts(Service.objects.filter(pk=service.pk).select_related("organisation")).get()


def service_locations(service: Service) -> list[Location]:
    return list(service.locations.all().order_by("name"))


def service_schedules(service: Service) -> list[Schedule]:
    return list(service.schedules.select_related("location").order_by("valid_from", "opens_at"))


def organisation_locations(organisation_id) -> QuerySet[Location]:
    return Location.objects.filter(organisation_id=organisation_id).order_by("name")


# Schedules in words ----------------------------------------------------------------------------

DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _rule_parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def _day(value: str) -> str:
    """MO → Monday; 1WE → first Wednesday; -1FR → last Friday."""
    code, position = value[-2:], value[:-2]
    name = DAY_NAMES.get(code, code)
    if position:
        try:
            return f"{ORDINALS.get(int(position), position)} {name}"
        except ValueError:
            return name
    return name


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_rule(rule: str) -> str:
    """An RFC 5545 rule in words, for the common patterns ('Every Tuesday', 'Every 2 weeks on
    Monday and Thursday', 'The first Wednesday of each month'); others as the rule itself."""
    parts = _rule_parts(rule)
    frequency = parts.get("FREQ")
    interval = int(parts.get("INTERVAL", "1") or 1) if parts.get("INTERVAL", "1").isdigit() else 1
    days = [_day(d) for d in parts.get("BYDAY", "").split(",") if d]
    if frequency == "WEEKLY" and days:
        if interval == 1:
            return f"Every {_join(days)}"
        return f"Every {interval} weeks on {_join(days)}"
    if frequency == "MONTHLY" and days:
        text = f"The {_join(days)} of each month"
        return text if interval == 1 else f"{text[: -len('each month')]}every {interval} months"
    if frequency == "DAILY":
        return "Every day" if interval == 1 else f"Every {interval} days"
    if frequency == "WEEKLY":
        return "Every week" if interval == 1 else f"Every {interval} weeks"
    if frequency == "MONTHLY":
        return "Every month" if interval == 1 else f"Every {interval} months"
    return rule


def next_sessions(schedule: Schedule, *, after: date, count: int = 3) -> list[date]:
    """The next dates the session runs, from `after` on, within the schedule's dates."""
    start = datetime.combine(schedule.valid_from, time(0, 0))
    try:
        rule = rrulestr(schedule.rrule, dtstart=start)
    except (ValueError, TypeError):
        return []
    dates: list[date] = []
    moment = datetime.combine(after, time(0, 0)) - timedelta(seconds=1)
    while len(dates) < count:
        moment = rule.after(moment)
        if moment is None or (schedule.valid_to and moment.date() > schedule.valid_to):
            break
        dates.append(moment.date())
    return dates


def get_schedule(service: Service, schedule_id) -> Schedule:
    """One of the service's schedules (the service already checked), or a 404."""
    try:
        return service.schedules.select_related("service", "location").get(pk=schedule_id)
    except (Schedule.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such schedule") from exc
