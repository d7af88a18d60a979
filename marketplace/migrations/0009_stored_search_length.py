"""PostgreSQL: keep the length of each listing's search document in a stored
generated column.

Search ranking (BM25, marketplace.ranking.text_search) normalises by the
length of a listing's text, once for every query word it holds. Read from
``search_document`` or ``search_vector``, that length decompressed the
listing's long document again for every word: a third of a common query's
time over 10,000 capabilities. The number of distinct tokens, kept as an
integer beside the row, costs nothing to read. Like 0008, PostgreSQL keeps it
current and Django does not map it; SQLite measures ``search_document``.
"""

from django.db import migrations

TABLES = ("marketplace_capability", "marketplace_need")


def add_length(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_length integer "
            f"GENERATED ALWAYS AS (length(to_tsvector('simple'::regconfig, COALESCE(search_document, '')))) STORED"
        )


def drop_length(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_length")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0008_stored_search_vectors")]

    operations = [migrations.RunPython(add_length, drop_length)]
