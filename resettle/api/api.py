"""Resettle's JSON API (DESIGN §6), served at /api/v1/ over the same services as the pages."""

from ninja.openapi.docs import Swagger

from resettle.api.auth import ORGANISATION_HEADER, TokenAuth
from resettle.api.endpoints import (
    appointments,
    audit,
    case_events,
    cases,
    consents,
    contacts,
    custody_periods,
    exports,
    goals,
    households,
    linkage,
    merges,
    offending,
    organisations,
    outcome_events,
    outcomes,
    people,
    referrals,
    registers,
    reports,
    services,
    subject_access_exports,
    suitability,
    tasks,
    timeline,
)
from resettle.api.errors import install_handlers
from resettle.api.openapi import ResettleAPI

DESCRIPTION = f"""
Send `Authorization: Bearer <token>` with every request. Make a token on the
[API tokens page](/account/api-tokens/) or with
`manage.py create_api_token <username>`; it can do exactly what its user can.

You act for your first organisation unless you send `{ORGANISATION_HEADER}: <organisation id>`
naming another organisation you are a member of.

Lists are paged with `?page=` and `?page_size=` (at most 100) and return `count`,
`count_is_exact`, `next`, `previous` and `results`; `count` is exact up to 10,000 records and a
lower bound past that. Detail responses carry an `ETag`; send it back in `If-Match` when you
update and a change made since you read is never overwritten (409). Creates accept an
`Idempotency-Key` header, so retrying is safe.

Errors are RFC 9457 problem details (`application/problem+json`). Invalid input is 400 with an
`errors` list of `{{field, message}}` and nothing is saved. A record you may not see is 404, the
same as one that does not exist; 403 means you can see it but may not do that.
"""


class LocalSwagger(Swagger):
    """ninja's Swagger UI with a page of our own (language set, page title), same local files."""

    template = "api/swagger.html"


api = ResettleAPI(
    title="Resettle API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=LocalSwagger(),
)
install_handlers(api)
api.add_router("/people", people.router)
api.add_router("/people", subject_access_exports.router)
api.add_router("/people", timeline.router)
api.add_router("/households", households.router)
api.add_router("/organisations", organisations.router)
api.add_router("/consents", consents.router)
api.add_router("/audit-events", audit.router)
api.add_router("/suitability-assessments", suitability.router)
api.add_router("/services", services.router)
api.add_router("/referrals", referrals.router)
api.add_router("/custody-periods", custody_periods.router)
api.add_router("/cases", cases.router)
api.add_router("/cases", case_events.router)
api.add_router("/tasks", tasks.router)
api.add_router("/contacts", contacts.router)
api.add_router("/appointments", appointments.router)
api.add_router("/goals", goals.router)
api.add_router("/sessions", registers.sessions_router)
api.add_router("/programmes", registers.programmes_router)
api.add_router("/enrolments", registers.enrolments_router)
api.add_router("/outcome-events", outcome_events.router)
api.add_router("/people", offending.people_router)
api.add_router("/sentences", offending.sentences_router)
api.add_router("/risk-assessments", offending.risk_assessments_router)
api.add_router("/licence-conditions", offending.licence_conditions_router)
api.add_router("/exports", exports.router)
api.add_router("/reports", reports.router)
api.add_router("/linkage", linkage.router)
api.add_router("/linkage", merges.router)
api.add_router("/instruments", outcomes.instruments_router)
api.add_router("/assessments", outcomes.assessments_router)
