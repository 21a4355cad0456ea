from datetime import date, time

from resettle.accounts.models import Organisation
from resettle.directory.models import Access, Location, Schedule, Service, ServiceStatus


def make_service(organisation: Organisation, name: str, **fields) -> Service:
    values = {
        "description": f"{name}: what it offers.",
        "access": Access.OPEN,
        "pathways": ["sport"],
    } | fields
    return Service.objects.create(organisation=organisation, name=name, **values)


def make_public_service_with_everything(organisation: Organisation) -> Service:
    service = make_service(
        organisation,
        "Tuesday football",
        who_it_is_for="Adults leaving prison",
        minimum_age=18,
        maximum_age=65,
        cost="",
        capacity=20,
        contact_name="Jo Coach",
        email="football@example.org",
        phone="01632 960123",
        url="https://example.org/football",
        pathways=["sport", "mentoring"],
    )
    place = Location.objects.create(
        organisation=organisation,
        name="Northshire Leisure Centre",
        address_line_1="1 Park Road",
        town="Northshire",
        county="North Vale",
        postcode="NS1 1AA",
        accessibility="Step-free entrance",
        transport="Bus 42",
    )
    place.services.add(service)
    Schedule.objects.create(
        service=service,
        location=place,
        valid_from=date(2025, 4, 1),
        opens_at=time(18, 0),
        closes_at=time(20, 0),
        rrule="FREQ=WEEKLY;BYDAY=TU",
        description="Every Tuesday evening",
    )
    return service


def make_hidden_services(organisation: Organisation) -> list[Service]:
    """Services that must never appear in the public feed."""
    return [
        make_service(organisation, "Referral-only housing", access=Access.REFERRAL_ONLY),
        make_service(organisation, "Closed course", status=ServiceStatus.INACTIVE),
    ]
