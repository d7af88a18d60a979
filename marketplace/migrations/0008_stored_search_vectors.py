"""PostgreSQL: keep each listing's search vectors in stored generated columns.

Ranking a search with ``ts_rank(to_tsvector(search_document), query)``
computed the vector again for every listing that matched: about a second for
a common word over 10,000 capabilities. The vectors are now columns that
PostgreSQL keeps up to date itself (``GENERATED ALWAYS ... STORED``), indexed
with GIN for the ``@@`` match, and ranking reads them. Django does not know
the columns (they exist only on PostgreSQL; SQLite searches its own way), so
the models do not change; marketplace.selectors.text_search reads them.
"""

from django.db import migrations

TABLES = ("marketplace_capability", "marketplace_need")
# column holding the tokens -> stored vector column
VECTORS = {"search_document": "search_vector", "search_title": "title_vector"}


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for text_column, vector_column in VECTORS.items():
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {vector_column} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE({text_column}, ''))) STORED"
            )
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_{vector_column} ON {table} USING gin ({vector_column})"
            )
        # The expression index of 0002 is replaced by the stored column's.
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
        )
        for vector_column in VECTORS.values():
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {vector_column}")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0007_matched_at")]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
