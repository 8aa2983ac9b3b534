"""Full-text search: a weighted tsvector on PostgreSQL, FTS5 tables on SQLite.

- PostgreSQL: `Article.search_vector` (headline A, dek B, tags C, body D, `english`) with a GIN
  index. The FTS5 step below is a no-op there.
- SQLite: the column exists but stays empty and the GIN index is skipped (see
  `articles.search.schema.PostgresGinIndex`); search uses two FTS5 tables created here, one row
  per story and one per body block (see `articles.search.sqlite`).

Existing stories are indexed here. The SQL is a frozen copy of what `articles.search` runs
today, so that this migration keeps meaning the same thing when that code changes.
"""

import django.contrib.postgres.search
from django.db import migrations

import articles.search.schema

TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE articles_fts_article USING fts5(headline, dek, tags, body, {TOKENIZER})",
    "CREATE VIRTUAL TABLE articles_fts_block USING fts5("
    f"text, article_id UNINDEXED, key UNINDEXED, {TOKENIZER})",
]
SQLITE_DROP = ["DROP TABLE articles_fts_block", "DROP TABLE articles_fts_article"]

BLOCK_TEXT = "CASE WHEN b.kind = 'paragraph' THEN b.text ELSE b.teaser END"
TAG_NAMES = """
    SELECT {agg}(t.name, ' ') FROM articles_taggedarticle ta
    JOIN articles_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id
"""

SQLITE_FILL = [
    f"""
    INSERT INTO articles_fts_article (rowid, headline, dek, tags, body)
    SELECT a.id, a.headline, a.dek,
        COALESCE(({TAG_NAMES.format(agg="group_concat")}), ''),
        COALESCE((
            SELECT group_concat({BLOCK_TEXT}, char(10)) FROM articles_block b
            WHERE b.article_id = a.id
        ), '')
    FROM articles_article a
    """,
    f"""
    INSERT INTO articles_fts_block (rowid, text, article_id, key)
    SELECT b.id, {BLOCK_TEXT}, b.article_id, b.key FROM articles_block b
    """,
]

POSTGRES_FILL = f"""
UPDATE articles_article a SET search_vector =
    setweight(to_tsvector('english', COALESCE(a.headline, '')), 'A')
    || setweight(to_tsvector('english', COALESCE(a.dek, '')), 'B')
    || setweight(to_tsvector('english', COALESCE(({TAG_NAMES.format(agg="string_agg")}), '')), 'C')
    || setweight(to_tsvector('english', COALESCE((
        SELECT string_agg({BLOCK_TEXT}, chr(10) ORDER BY b.position, b.id)
        FROM articles_block b WHERE b.article_id = a.id
    ), '')), 'D')
"""


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_CREATE + SQLITE_FILL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FILL)


def drop_index(apps, schema_editor):
    # PostgreSQL's column and index go with the field and index operations.
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="article",
            index=articles.search.schema.PostgresGinIndex(
                fields=["search_vector"], name="article_search_idx"
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
