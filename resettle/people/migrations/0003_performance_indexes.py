from django.conf import settings
from django.db import migrations, models

# Name search matches names case-insensitively by prefix (istartswith) and exactly (iexact).
# PostgreSQL compares UPPER(name) with LIKE, which an expression index with text_pattern_ops
# serves; SQLite's LIKE ignores case and uses an index on the column with NOCASE collation.
NAME_COLUMNS = ("family_name", "given_name", "preferred_name")


def _index_name(column: str) -> str:
    return f"person_{column}_ci_idx"


def create_name_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for column in NAME_COLUMNS:
        if vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_index_name(column)}" ON "people_person" '
                f'(UPPER("{column}"::text) text_pattern_ops)'
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_index_name(column)}" ON "people_person" '
                f'("{column}" COLLATE NOCASE)'
            )


def drop_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        for column in NAME_COLUMNS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(column)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("people", "0002_consent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["-updated_at", "family_name", "given_name"], name="person_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="workingrelationship",
            index=models.Index(
                fields=["organisation", "ended_on", "started_on", "person"],
                name="working_rel_current_idx",
            ),
        ),
        migrations.RunPython(create_name_indexes, drop_name_indexes, elidable=False),
    ]
