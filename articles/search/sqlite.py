"""Search on SQLite (the embedded default): two FTS5 tables, created by migration 0003.

- `articles_fts_story`: one row per story (rowid = story id) with the columns headline, dek,
  tags and body; ranked with bm25 weighing them 10 : 4 : 2 : 1, as PostgreSQL's default weights
  for A, B, C and D do (1.0, 0.4, 0.2, 0.1).
- `articles_fts_block`: one row per body block (rowid = block id), for finding and highlighting
  a story's best matching paragraph.

Both use the Porter stemmer, as PostgreSQL's `english` configuration does. Rows are rewritten
from the database's own tables by `index_stories`; no text passes through Python.

**Public stories only.** bm25 weighs a word by how many rows of the table hold it and by their
average length: statistics over the whole table. Were drafts and scheduled stories indexed, a
reader could watch `?q=A OR B` change its order when a draft gains the word A, and learn the
words of unpublished stories. So both tables hold exactly the stories that are public when they
are indexed (`Story.objects.published()`): publishing, unpublishing or rescheduling a story
re-indexes it, and a scheduled story, which becomes public by time passing alone, is added by
`index.index_stories_come_due` before a search runs. (PostgreSQL's `ts_rank` reads only the
row's own vector: no statistic spans the table there, so its index keeps every story.)
"""

from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL

from articles.models import Block, Story, Tag, TaggedStory
from articles.search.snippets import Snippet

STORY_TABLE = "articles_fts_story"
BLOCK_TABLE = "articles_fts_block"
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"

STORIES = Story._meta.db_table
BLOCKS = Block._meta.db_table
TAGS = Tag._meta.db_table
TAGGED = TaggedStory._meta.db_table
BLOCK_TEXT = "CASE WHEN b.kind = 'paragraph' THEN b.text ELSE b.teaser END"


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


PUBLIC_ONLY = True


def index_stories(story_ids: list[int]) -> None:
    """Replace the FTS rows of these stories (and of their blocks) with their current text;
    the rows of those not public now are only removed (see the module's docstring)."""
    ids = _placeholders(story_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STORY_TABLE} WHERE rowid IN ({ids})", story_ids)  # noqa: S608
        # story_id is not indexed by FTS5: this scans the table, fine at an embedded scale.
        cursor.execute(f"DELETE FROM {BLOCK_TABLE} WHERE story_id IN ({ids})", story_ids)  # noqa: S608
        story_ids = list(
            Story.objects.published().filter(pk__in=story_ids).values_list("pk", flat=True)
        )
        if not story_ids:
            return
        ids = _placeholders(story_ids)
        cursor.execute(
            f"""
            INSERT INTO {STORY_TABLE} (rowid, headline, dek, tags, body)
            SELECT a.id, a.headline, a.dek,
                COALESCE((
                    SELECT group_concat(t.name, ' ') FROM {TAGGED} ta
                    JOIN {TAGS} t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id
                ), ''),
                COALESCE((
                    SELECT group_concat({BLOCK_TEXT}, char(10)) FROM {BLOCKS} b
                    WHERE b.story_id = a.id
                ), '')
            FROM {STORIES} a WHERE a.id IN ({ids})
            """,  # noqa: S608 - table names are our own constants; values are parameters
            story_ids,
        )
        cursor.execute(
            f"""
            INSERT INTO {BLOCK_TABLE} (rowid, text, story_id, key)
            SELECT b.id, {BLOCK_TEXT}, b.story_id, b.key FROM {BLOCKS} b
            WHERE b.story_id IN ({ids})
            """,  # noqa: S608
            story_ids,
        )


def unindexed(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Those of `stories` that have no row in the index (a rowid probe each)."""
    return stories.exclude(pk__in=RawSQL(f"SELECT rowid FROM {STORY_TABLE}", ()))  # noqa: S608, S611


def prune_index() -> None:
    """Drop the rows of deleted stories (invisible to search anyway: results join Story)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {STORY_TABLE} WHERE rowid NOT IN (SELECT id FROM {STORIES})"  # noqa: S608
        )
        cursor.execute(
            f"DELETE FROM {BLOCK_TABLE} WHERE story_id NOT IN (SELECT id FROM {STORIES})"  # noqa: S608
        )


# Interpolated names are this module's constants; every value is a query parameter.
MATCHING_IDS_SQL = f"SELECT rowid FROM {STORY_TABLE} WHERE {STORY_TABLE} MATCH %s"  # noqa: S608
# bm25 is lower for better matches; negated, `rank` orders like PostgreSQL's.
RANK_SQL = (
    f"SELECT -bm25({STORY_TABLE}, {BM25_WEIGHTS}) FROM {STORY_TABLE} "  # noqa: S608
    f'WHERE {STORY_TABLE} MATCH %s AND rowid = "{STORIES}"."id"'
)


def rank_matches(stories: QuerySet[Story], terms) -> QuerySet[Story]:
    """The stories matching `terms`, annotated with `rank` (higher is better), best first."""
    match = terms.fts5()
    return (
        stories.filter(pk__in=RawSQL(MATCHING_IDS_SQL, (match,)))  # noqa: S611
        .annotate(rank=RawSQL(RANK_SQL, (match,), output_field=FloatField()))  # noqa: S611
        .order_by("-rank", "-published_at", "-id")
    )


def best_blocks(story_ids: list[int], terms, *, start: str, stop: str) -> dict[int, Snippet]:
    """Each story's best matching block with a highlighted extract, in one query.

    FTS5's auxiliary functions cannot sit beside a window function, hence the nested SELECT.
    """
    ids = _placeholders(story_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT story_id, key, extract FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY story_id ORDER BY score, block_id
                ) AS place
                FROM (
                    SELECT rowid AS block_id, story_id, key, bm25({BLOCK_TABLE}) AS score,
                        snippet({BLOCK_TABLE}, 0, %s, %s, '…', 32) AS extract
                    FROM {BLOCK_TABLE}
                    WHERE {BLOCK_TABLE} MATCH %s AND story_id IN ({ids})
                )
            ) WHERE place = 1
            """,  # noqa: S608
            [start, stop, terms.fts5_any(), *story_ids],
        )
        return {
            story_id: Snippet(key=key, raw=extract) for story_id, key, extract in cursor.fetchall()
        }
