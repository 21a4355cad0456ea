"""Importing an Open Referral UK feed: checked whole first, every bad row reported, then all
rows imported in one transaction (or none), audited, and idempotent on re-import."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.directory.models import Access, Service, ServiceStatus
from resettle.openreferral.importer import feed_import_upload, import_feed, plan_import
from resettle.openreferral.models import FeedImport, FeedImportState
from resettle.openreferral.tests.factories import make_public_service_with_everything

pytestmark = pytest.mark.django_db


def oruk_row(oruk_id: str, name: str, **fields) -> dict:
    return {
        "id": oruk_id,
        "name": name,
        "description": f"{name} for people leaving prison",
        "status": "active",
        "url": "https://example.org/" + oruk_id,
        "taxonomy_terms": [{"id": "t1", "taxonomy": "Local", "name": "Accommodation"}],
    } | fields


GOOD_FEED = {
    "total_items": 2,
    "contents": [
        oruk_row(
            "svc-1",
            "CV workshop",
            minimum_age=18,
            fees_description="Free",
            eligibility_description="Anyone on licence",
            phones=[{"number": "01632 960555"}],
            taxonomy_terms=[],
            attributes=[{"taxonomy_term": {"code": "education_employment", "name": "ETE"}}],
            service_at_locations=[
                {
                    "location": {
                        "name": "Job Centre Hall",
                        "addresses": [
                            {
                                "address_1": "2 High St",
                                "city": "Northshire",
                                "state_province": "North Vale",
                                "postal_code": "ns2 2bb",
                            }
                        ],
                    }
                }
            ],
            schedules=[
                {"opens_at": "10:00", "closes_at": "12:00", "freq": "WEEKLY", "byday": "MO"}
            ],
        ),
        oruk_row("svc-2", "Debt advice line", status="temporarily closed", fees="£5 a call"),
    ],
}


def test_a_feed_imports_into_the_admins_organisation(cast):
    feed_import = feed_import_upload(actor=cast.admin, file_name="feed.json", payload=GOOD_FEED)

    plan = import_feed(actor=cast.admin, feed_import=feed_import)

    assert [row.action for row in plan.rows] == ["create", "create"]
    cv = Service.objects.get(name="CV workshop")
    assert cv.organisation == cast.lead_charity
    assert (cv.access, cv.cost, cv.minimum_age, cv.phone) == (Access.OPEN, "", 18, "01632 960555")
    assert cv.pathways == ["education_employment"]
    assert cv.who_it_is_for == "Anyone on licence"
    place = cv.locations.get()
    assert (place.name, place.postcode, place.county) == (
        "Job Centre Hall",
        "NS2 2BB",
        "North Vale",
    )
    assert cv.schedules.get().rrule == "FREQ=WEEKLY;BYDAY=MO"
    debt = Service.objects.get(name="Debt advice line")
    assert (debt.status, debt.cost) == (ServiceStatus.INACTIVE, "£5 a call")
    feed_import.refresh_from_db()
    assert (feed_import.state, feed_import.created_count) == (FeedImportState.IMPORTED, 2)
    created = AuditEvent.objects.filter(action="create", object_type="service")
    assert set(created.values_list("object_id", flat=True)) == {str(cv.pk), str(debt.pk)}
    assert AuditEvent.objects.filter(
        object_type="oruk_import", object_id=str(feed_import.pk)
    ).exists()


def test_importing_again_updates_instead_of_duplicating(cast):
    first = feed_import_upload(actor=cast.admin, file_name="feed.json", payload=GOOD_FEED)
    import_feed(actor=cast.admin, feed_import=first)
    changed = json.loads(json.dumps(GOOD_FEED))
    changed["contents"][0]["name"] = "CV and interview workshop"

    plan = plan_import(organisation=cast.lead_charity, payload=changed)
    second = feed_import_upload(actor=cast.admin, file_name="feed.json", payload=changed)
    import_feed(actor=cast.admin, feed_import=second)

    assert [row.action for row in plan.rows] == ["update", "update"]
    assert plan.rows[0].changes["name"] == ["CV workshop", "CV and interview workshop"]
    assert plan.rows[1].changes == {}
    assert Service.objects.filter(organisation=cast.lead_charity).count() == 2
    assert Service.objects.filter(name="CV and interview workshop").exists()


def test_the_preview_changes_nothing(cast):
    plan = plan_import(organisation=cast.lead_charity, payload=GOOD_FEED)

    assert plan.ok and len(plan.creates) == 2
    assert not Service.objects.filter(organisation=cast.lead_charity).exists()


BAD_FEED = [
    oruk_row("a", "Fine service"),
    oruk_row("b", "", description=""),
    oruk_row("c", "Bad ages", minimum_age=30, maximum_age=20, email="not-an-email"),
    "not a service",
    oruk_row("a", "Duplicate id"),
    oruk_row("d", "Bad schedule", schedules=[{"opens_at": "25:00", "closes_at": "09:00"}]),
    oruk_row("e", "Bad status", status="open", url="ftp:/nowhere"),
]


def test_every_bad_row_is_reported_and_nothing_is_imported(cast):
    plan = plan_import(organisation=cast.lead_charity, payload=BAD_FEED)
    messages = [str(problem) for problem in plan.problems]

    assert not plan.ok
    assert {problem.row for problem in plan.problems} == {2, 3, 4, 5, 6, 7}
    assert "Row 2 [name]: Enter the service's name" in messages
    assert "Row 2 [description]: Enter the description" in messages
    assert any("Row 3 (Bad ages) [maximum_age]" in m for m in messages)
    assert any("Row 3 (Bad ages) [email]" in m for m in messages)
    assert "Row 4: Each row must be a service object" in messages
    assert "Row 5 (Duplicate id) [id]: The id is also used by row 1" in messages
    assert any("Row 6 (Bad schedule) [schedules[1].opens_at]" in m for m in messages)
    assert any("Row 7 (Bad status) [status]" in m for m in messages)
    assert any("Row 7 (Bad status) [url]" in m for m in messages)

    feed_import = feed_import_upload(actor=cast.admin, file_name="bad.json", payload=BAD_FEED)
    with pytest.raises(ValidationError):
        import_feed(actor=cast.admin, feed_import=feed_import)
    assert not Service.objects.filter(organisation=cast.lead_charity).exists()
    feed_import.refresh_from_db()
    assert feed_import.state == FeedImportState.PREVIEWED


def test_a_row_needs_a_pathway(cast):
    plan = plan_import(
        organisation=cast.lead_charity, payload=[oruk_row("a", "A", taxonomy_terms=[])]
    )

    assert [p.message for p in plan.problems] == [
        "Add at least one Resettle pathway: a taxonomy term whose code or name is a pathway, "
        "like accommodation"
    ]


def test_a_name_clash_with_another_service_is_a_problem(cast):
    make_public_service_with_everything(cast.lead_charity)
    first = feed_import_upload(
        actor=cast.admin, file_name="f.json", payload=[oruk_row("x", "Mine")]
    )
    import_feed(actor=cast.admin, feed_import=first)

    plan = plan_import(organisation=cast.lead_charity, payload=[oruk_row("x", "Tuesday football")])

    assert [p.message for p in plan.problems] == [
        "Your organisation already has another service with this name"
    ]


def test_only_organisation_admins_import(cast):
    with pytest.raises(PermissionDenied):
        feed_import_upload(actor=cast.coordinator, file_name="f.json", payload=GOOD_FEED)
    feed_import = feed_import_upload(actor=cast.admin, file_name="f.json", payload=GOOD_FEED)
    with pytest.raises(PermissionDenied):
        import_feed(actor=cast.caseworker, feed_import=feed_import)


def test_our_own_feed_round_trips(cast, client):
    source = make_public_service_with_everything(cast.football_trust)
    exported = client.get("/openreferral/services?full_service=true").json()

    feed_import = feed_import_upload(actor=cast.admin, file_name="ours.json", payload=exported)
    import_feed(actor=cast.admin, feed_import=feed_import)

    copy = Service.objects.get(organisation=cast.lead_charity, name=source.name)
    for name in (
        "description",
        "who_it_is_for",
        "minimum_age",
        "maximum_age",
        "cost",
        "email",
        "phone",
        "url",
        "capacity",
        "contact_name",
        "access",
    ):
        assert getattr(copy, name) == getattr(source, name), name
    assert sorted(copy.pathways) == sorted(source.pathways)
    assert copy.schedules.get().rrule == "FREQ=WEEKLY;BYDAY=TU"
    place = copy.locations.get()
    assert (place.postcode, place.county) == ("NS1 1AA", "North Vale")


# The import pages ------------------------------------------------------------------------------


def upload(client: Client, payload, name: str = "feed.json"):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/openreferral/import/", {"feed": SimpleUploadedFile(name, data)})


def test_admin_uploads_previews_and_confirms(cast, client):
    client.force_login(cast.admin.user)

    response = upload(client, GOOD_FEED)
    feed_import = FeedImport.objects.get()
    preview = client.get(response["Location"])
    assert Service.objects.filter(organisation=cast.lead_charity).count() == 0
    confirmed = client.post(response["Location"])
    done = client.get(confirmed["Location"])

    assert response.status_code == 302
    assert preview.status_code == 200
    assert b"CV workshop" in preview.content and b"Import 2 services" in preview.content
    assert confirmed.status_code == 302
    assert b"Services imported" in done.content
    assert Service.objects.filter(organisation=cast.lead_charity).count() == 2
    feed_import.refresh_from_db()
    assert feed_import.state == FeedImportState.IMPORTED


def test_preview_shows_each_row_problem_and_offers_no_import(cast, client):
    client.force_login(cast.admin.user)

    response = client.get(upload(client, BAD_FEED)["Location"])

    assert b"The feed cannot be imported" in response.content
    assert b"The id is also used by row 1" in response.content
    assert b"Import " not in response.content
    assert client.post(response.request["PATH_INFO"]).status_code == 200
    assert not Service.objects.filter(organisation=cast.lead_charity).exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"{not json", "feed.json", b"not valid JSON"),
        (b"{}", "feed.json", b"must be an Open Referral UK feed"),
        (b"[]", "feed.json", b"has no services"),
        (b"[]", "feed.csv", b"must be a JSON file"),
    ],
)
def test_upload_errors(cast, client, content, name, message):
    client.force_login(cast.admin.user)

    response = upload(client, content, name)

    assert response.status_code == 200
    assert message in response.content
    assert not FeedImport.objects.exists()


def test_other_roles_are_refused_and_other_organisations_imports_are_hidden(cast, client):
    feed_import = feed_import_upload(actor=cast.admin, file_name="f.json", payload=GOOD_FEED)
    client.force_login(cast.coordinator.user)
    assert client.get("/openreferral/import/").status_code == 403
    assert client.post(f"/openreferral/import/{feed_import.pk}/").status_code == 403

    other_admin = cast.admin.__class__.objects.create(
        user=cast.outsider.user, organisation=cast.outside_organisation, role="organisation_admin"
    )
    client.force_login(other_admin.user)
    session = client.session
    session["acting_membership_id"] = str(other_admin.pk)
    session.save()
    assert client.get(f"/openreferral/import/{feed_import.pk}/").status_code == 404


def test_the_command_imports_a_feed(cast, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(GOOD_FEED))

    call_command(
        "import_oruk",
        str(path),
        username=cast.admin.user.username,
        organisation=cast.lead_charity.name,
    )

    assert Service.objects.filter(organisation=cast.lead_charity).count() == 2


def test_the_command_reports_bad_rows_and_imports_nothing(cast, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(BAD_FEED))

    with pytest.raises(CommandError, match="problems found"):
        call_command(
            "import_oruk",
            str(path),
            username=cast.admin.user.username,
            organisation=cast.lead_charity.name,
        )
    with pytest.raises(CommandError, match="not a current admin"):
        call_command(
            "import_oruk",
            str(path),
            username=cast.caseworker.user.username,
            organisation=cast.lead_charity.name,
        )
    assert not Service.objects.filter(organisation=cast.lead_charity).exists()


def test_the_upload_page_posts_a_file_and_an_empty_post_lists_what_to_fix(cast, client):
    client.force_login(cast.admin.user)

    page = client.get("/openreferral/import/").content.decode()
    refused = client.post("/openreferral/import/", {}).content.decode()

    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert ">Upload and preview</button>" in page
    assert "govuk-error-summary" in refused
    assert '<a href="#id_feed">Select a feed file</a>' in refused
    assert not FeedImport.objects.exists()
