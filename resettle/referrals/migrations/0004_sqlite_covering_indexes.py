"""SQLite has no INCLUDE: the received and sent lists' indexes carry the columns their figures
and page ordering read as key columns, so SQLite reads the index alone (PostgreSQL's 0003
indexes include them already)."""

from django.db import migrations

INDEXES = {
    "referral_received_sqlite": (
        "service_id, state, submitted_at, created_at, urgency, first_response_at, decided_at, "
        "person_id, id"
    ),
    "referral_sent_sqlite": (
        "referring_organisation_id, submitted_at, created_at, state, urgency, "
        "first_response_at, decided_at, person_id, id"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "referrals_referral" ({columns})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
