from django.db import migrations

# Family-name search at scale (people.selectors._name_matches):
# - by prefix ("Atk" finds Atkinson), case-insensitively, from an index that also holds the id,
#   so a common name's people are listed without reading the table;
# - by any part of a name of several parts ("Jones" finds "Smith-Jones"), through a trigram
#   index over those names only: pg_trgm's GIN index on PostgreSQL, an FTS5 table with the
#   trigram tokenizer on SQLite (external content, kept in step by triggers).
# On SQLite, Django copies a table to alter one of its fields, which drops these triggers and
# indexes: change people_person's fields without a copy (as 0005 does), or run these again.

PG_MANY_PARTS = """("family_name"::text LIKE '%-%' OR "family_name"::text LIKE '% %')"""

POSTGRES = [
    'DROP INDEX IF EXISTS "person_family_name_ci_idx"',
    'CREATE INDEX IF NOT EXISTS "person_family_name_prefix_idx" ON "people_person" '
    '(UPPER("family_name"::text) text_pattern_ops) INCLUDE ("family_name", "id")',
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS "person_family_name_parts_idx" ON "people_person" '
    f'USING gin (UPPER("family_name"::text) gin_trgm_ops) WHERE {PG_MANY_PARTS}',
]
POSTGRES_UNDO = [
    'DROP INDEX IF EXISTS "person_family_name_parts_idx"',
    'DROP INDEX IF EXISTS "person_family_name_prefix_idx"',
    'CREATE INDEX IF NOT EXISTS "person_family_name_ci_idx" ON "people_person" '
    '(UPPER("family_name"::text) text_pattern_ops)',
]


def _sqlite_many_parts(row: str) -> str:
    return f"({row}.family_name LIKE '%-%' OR {row}.family_name LIKE '% %')"


SQLITE = [
    'DROP INDEX IF EXISTS "person_family_name_ci_idx"',
    'CREATE INDEX IF NOT EXISTS "person_family_name_prefix_idx" ON "people_person" '
    '("family_name" COLLATE NOCASE, "id")',
    'CREATE VIRTUAL TABLE IF NOT EXISTS "people_person_name_fts" USING fts5('
    "family_name, content='people_person', tokenize='trigram')",
    'CREATE TRIGGER IF NOT EXISTS "people_person_name_fts_insert" AFTER INSERT ON "people_person" '
    f"WHEN {_sqlite_many_parts('new')} "
    'BEGIN INSERT INTO "people_person_name_fts"(rowid, family_name) '
    "VALUES (new.rowid, new.family_name); END",
    'CREATE TRIGGER IF NOT EXISTS "people_person_name_fts_delete" AFTER DELETE ON "people_person" '
    f"WHEN {_sqlite_many_parts('old')} "
    'BEGIN INSERT INTO "people_person_name_fts"("people_person_name_fts", rowid, family_name) '
    "VALUES ('delete', old.rowid, old.family_name); END",
    'CREATE TRIGGER IF NOT EXISTS "people_person_name_fts_update_old" '
    'AFTER UPDATE OF family_name ON "people_person" '
    f"WHEN {_sqlite_many_parts('old')} "
    'BEGIN INSERT INTO "people_person_name_fts"("people_person_name_fts", rowid, family_name) '
    "VALUES ('delete', old.rowid, old.family_name); END",
    'CREATE TRIGGER IF NOT EXISTS "people_person_name_fts_update_new" '
    'AFTER UPDATE OF family_name ON "people_person" '
    f"WHEN {_sqlite_many_parts('new')} "
    'BEGIN INSERT INTO "people_person_name_fts"(rowid, family_name) '
    "VALUES (new.rowid, new.family_name); END",
    # Index the names of several parts already recorded.
    'INSERT INTO "people_person_name_fts"(rowid, family_name) '
    'SELECT rowid, family_name FROM "people_person" '
    f"WHERE {_sqlite_many_parts('people_person')}",
]
SQLITE_UNDO = [
    'DROP TRIGGER IF EXISTS "people_person_name_fts_insert"',
    'DROP TRIGGER IF EXISTS "people_person_name_fts_delete"',
    'DROP TRIGGER IF EXISTS "people_person_name_fts_update_old"',
    'DROP TRIGGER IF EXISTS "people_person_name_fts_update_new"',
    'DROP TABLE IF EXISTS "people_person_name_fts"',
    'DROP INDEX IF EXISTS "person_family_name_prefix_idx"',
    'CREATE INDEX IF NOT EXISTS "person_family_name_ci_idx" ON "people_person" '
    '("family_name" COLLATE NOCASE)',
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)  # no placeholders: LIKE '%-%'.

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0003_performance_indexes")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
            elidable=False,
        ),
    ]
