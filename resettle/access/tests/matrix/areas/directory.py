"""The authorization matrix for the directory routes: their decisions, and the records they need.

The rules, from DESIGN §4 (not from the policy module): a service is an
organisation's record. Active services open to all are public (anyone, even signed out, on
`directory/`; any signed-in user in the API, which needs a token). Referral-only services are
seen by signed-in members of the organisations in a shared partnership (the "own" and "shared"
scopes) and are a 404 for others. Only the service's own organisation's admins and delivery
coordinators change it; other roles who can see it are refused (403)."""

from datetime import date, time, timedelta

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import Records, World
from resettle.accounts.models import Role
from resettle.directory.models import Access, Location, Schedule, Service

WRITE = ("GET", "POST")
MANAGERS = (Role.ORGANISATION_ADMIN, Role.DELIVERY_COORDINATOR)

manager = o.role_in(*MANAGERS)
# A record the actor can see but that is another organisation's: refused, whatever the role.
own_organisation = o.scope_in(o.OWN, otherwise=o.Outcome.FORBIDDEN)
# About a referral-only service: own and shared visible, others 404.
referral_only_service = o.organisation
# Changing one: visible first (404), then own organisation (403), then a manager's role (403).
editor = o.organisation(own_organisation, manager)


def _service_body(records: Records) -> dict:
    return {
        "name": "Matrix service",
        "description": "Made by the authorization matrix.",
        "access": "referral_only",
        "pathways": ["sport"],
    }


DECISIONS: dict[str, Decision] = {
    # Signed-in directory: any signed-in member lists the partnership's services.
    "directory:service_list": Decision(o.signed_in()),
    "directory:service_detail": Decision(referral_only_service(), about="service"),
    "directory:service_create": Decision(o.signed_in(manager), methods=WRITE),
    "directory:service_edit": Decision(editor, about="service", methods=WRITE),
    "directory:service_deactivate": Decision(editor, about="service", methods=WRITE),
    "directory:service_reactivate": Decision(editor, about="service", methods=WRITE),
    "directory:schedule_add": Decision(editor, about="service", methods=WRITE),
    "directory:schedule_end": Decision(editor, about="service", methods=WRITE),
    "directory:location_list": Decision(o.signed_in(manager)),
    "directory:location_create": Decision(o.signed_in(manager), methods=WRITE),
    "directory:location_edit": Decision(editor, about="location", methods=WRITE),
    # The public directory: open services, for anyone.
    "directory:public_list": Decision(o.public()),
    "directory:public_detail": Decision(o.public(), about="open_service"),
    # API (token only: signed out is a 401).
    "GET /api/v1/services": Decision(o.signed_in()),
    "POST /api/v1/services": Decision(o.signed_in(manager), body=_service_body),
    "GET /api/v1/services/{service_id}": Decision(referral_only_service(), about="service"),
    "PATCH /api/v1/services/{service_id}": Decision(
        editor, about="service", body=lambda records: {}
    ),
}


def build(world: World) -> None:
    """For each organisation: a referral-only service with a schedule and a location, and an
    open one."""
    today = date.today()
    names = ("service", "open_service", "schedule", "location")
    # A scope with no organisation (withdrawn consent) has none of these: its routes are skipped.
    for extra in world.per_person.values():
        for name in names:
            extra["extra"].setdefault(name, None)
    for organisation in world.organisations.values():
        location = Location.objects.create(
            organisation=organisation, name=f"{organisation.name} base", postcode="NS1 1AA"
        )
        service = Service.objects.create(
            organisation=organisation,
            name="Matrix referral-only service",
            description="Referral only.",
            access=Access.REFERRAL_ONLY,
            pathways=["sport"],
            capacity=10,
        )
        service.locations.add(location)
        schedule = Schedule.objects.create(
            service=service,
            location=location,
            valid_from=today - timedelta(days=7),
            opens_at=time(10, 0),
            closes_at=time(12, 0),
            rrule="FREQ=WEEKLY;BYDAY=TU",
        )
        open_service = Service.objects.create(
            organisation=organisation,
            name="Matrix open service",
            description="Open to all.",
            access=Access.OPEN,
            pathways=["health"],
        )
        world.per_organisation.setdefault(organisation.pk, {}).update(
            {
                "service": service,
                "open_service": open_service,
                "schedule": schedule,
                "location": location,
            }
        )
