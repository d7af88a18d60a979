"""GIN index for full-text search on PostgreSQL; SQLite searches without one."""

from django.db import migrations

TABLES = ("marketplace_capability", "marketplace_need")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        # Same expression as SearchVector("search_document", config="simple"),
        # so the planner uses the index for the @@ match.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
