"""PostgreSQL: each body block's own tsvector, kept by the database as a generated column.

The search page shows each hit's best matching paragraph. Ranking a story's blocks used to
parse every block of the page's stories with `to_tsvector` on every search (about 750 blocks,
16 ms of a search at 100,000 stories); the column is computed once, when a block is written,
by PostgreSQL itself. The model does not declare it: only `articles.search.postgres` reads it.
SQLite keeps its FTS5 block table (migration 0003) and this migration does nothing there.
"""

from django.db import migrations

ADD = """
ALTER TABLE articles_block ADD COLUMN search_document tsvector
GENERATED ALWAYS AS (
    to_tsvector(
        'english'::regconfig,
        COALESCE(CASE WHEN kind = 'paragraph' THEN text ELSE teaser END, '')
    )
) STORED
"""
DROP = "ALTER TABLE articles_block DROP COLUMN search_document"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_content_state")]

    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
