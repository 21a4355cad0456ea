"""The authorization matrix for the Open Referral UK routes: decisions and the records they need.

The ORUK read API is open to everyone, signed in or not (DESIGN §6); it lists only public
services, so no response may show a person's id (the content checks look). Importing a feed is
for organisation admins only, into their own organisation: another organisation's
import is a 404, any other role a 403 whatever the id."""

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World
from resettle.accounts.models import Role
from resettle.directory.models import Access, Service
from resettle.openreferral.models import FeedImport

WRITE = ("GET", "POST")
import_admin = o.role_in(Role.ORGANISATION_ADMIN)

DECISIONS: dict[str, Decision] = {
    "openreferral:root": Decision(o.public()),
    "openreferral:services": Decision(o.public()),
    "openreferral:service": Decision(o.public(), about="oruk_service"),
    "openreferral:service_at_locations": Decision(o.public()),
    "openreferral:taxonomies": Decision(o.public()),
    "openreferral:taxonomy_terms": Decision(o.public()),
    "openreferral:import": Decision(o.signed_in(import_admin), methods=WRITE),
    "openreferral:import_preview": Decision(
        o.signed_in(import_admin, o.scope_in(o.OWN)), about="oruk_import", methods=WRITE
    ),
}


def build(world: World) -> None:
    """For each organisation: a public service (the ORUK detail route) and an uploaded feed
    waiting for confirmation (the import preview route)."""
    uploader = world.cast.admin.user
    for key, organisation in world.organisations.items():
        service = Service.objects.create(
            organisation=organisation,
            name=f"ORUK matrix drop-in ({key})",
            description="A public service for the Open Referral UK routes.",
            access=Access.OPEN,
            pathways=["sport"],
        )
        feed_import = FeedImport.objects.create(
            organisation=organisation,
            uploaded_by=uploader,
            file_name=f"matrix-{key}.json",
            payload=[
                {
                    "id": f"matrix-{key}",
                    "name": f"ORUK matrix import ({key})",
                    "description": "A row for the matrix.",
                    "taxonomy_terms": [{"code": "sport"}],
                }
            ],
        )
        records = world.per_organisation.setdefault(organisation.pk, {})
        records["oruk_service"] = service
        records["oruk_import"] = feed_import
    # Scopes without an organisation (a withdrawn person) name the hub's: a partner's, not the
    # actor's own, so an admin must get a 404 for the import as for any other organisation's.
    hub = world.per_organisation[world.organisations["hub"].pk]
    for records in world.per_person.values():
        records["extra"]["oruk_service"] = hub["oruk_service"]
        records["extra"]["oruk_import"] = hub["oruk_import"]
