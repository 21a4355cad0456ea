import io

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory

from resettle.accounts.tests.factories import make_user
from resettle.audit.admin import AuditEventAdmin
from resettle.audit.models import AuditAction, AuditEvent, AuditEventImmutable
from resettle.audit.services import record_event

pytestmark = pytest.mark.django_db

APPEND_ONLY = "audit events are append-only"


@pytest.fixture
def event(cast) -> AuditEvent:
    return record_event(actor=cast.caseworker, action=AuditAction.READ, object_type="person")


def refused():
    # Inside a savepoint, so the test's transaction carries on after the refusal.
    return pytest.raises(IntegrityError, match=APPEND_ONLY)


def test_the_database_refuses_a_queryset_update(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="someone_else")

    assert AuditEvent.objects.get(pk=event.pk).username == "caseworker"


def test_the_database_refuses_a_queryset_delete(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_bulk_update(event):
    event.reason = "changed"
    with refused(), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["reason"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET hash = 'x'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_raw_sql(event, sql):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_database_refuses_truncate_on_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused above")
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")


def test_no_session_setting_or_table_row_lets_a_delete_through(event):
    # Migration 0002 let the delete through for a setting or a row any writer could make.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('resettle.audit_maintenance', 'on', true)")
        else:
            cursor.execute("CREATE TABLE audit_maintenance (id integer PRIMARY KEY)")
            cursor.execute("INSERT INTO audit_maintenance (id) VALUES (1)")
    statement = (
        "TRUNCATE audit_auditevent"
        if connection.vendor == "postgresql"
        else "DELETE FROM audit_auditevent"
    )

    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_model_refuses_to_save_a_recorded_event(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.reason = "changed"

    with pytest.raises(AuditEventImmutable):
        stored.save()


def test_the_model_refuses_to_delete_an_event(event):
    with pytest.raises(AuditEventImmutable):
        event.delete()


def test_the_model_refuses_an_event_not_chained_by_the_service(db):
    with pytest.raises(AuditEventImmutable, match="record_event"):
        AuditEvent(action=AuditAction.READ).save()


def test_the_admin_lets_nobody_add_change_or_delete(event):
    superuser = make_user(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = superuser
    admin = site._registry[AuditEvent]

    assert isinstance(admin, AuditEventAdmin)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, event)
    assert not admin.has_delete_permission(request, event)
    assert admin.has_view_permission(request, event)


def test_a_superuser_can_read_but_not_delete_in_the_admin(client, event):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    listing = client.get("/django-admin/audit/auditevent/")
    delete = client.post(f"/django-admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# Flushing commits, as Django's test cases that commit do between tests.
@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_outside_production(event):
    call_command("flush", interactive=False, verbosity=0, stdout=io.StringIO())

    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_flush_cannot_empty_the_audit_table_in_production(event, settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(Exception, match="couldn't be flushed") as raised:
        call_command("flush", interactive=False, verbosity=0, stdout=io.StringIO())

    assert isinstance(raised.value.__cause__, DatabaseError)
    assert APPEND_ONLY in str(raised.value.__cause__)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
