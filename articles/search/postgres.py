"""Search on PostgreSQL: a stored, weighted tsvector on each story, with a GIN index.

The vector weighs the headline A, the dek B, the tags C, and the body (paragraphs and aside
teasers) D, all with the `english` configuration. It is recomputed in the database by one UPDATE
per batch of stories (see `index.py` for when); queries use `websearch_to_tsquery`.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, router
from django.db.models import (
    Case,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    When,
)

from articles.models import Block, Story, TaggedStory
from articles.search.snippets import Snippet

CONFIG = "english"

BLOCK_TEXT = Case(
    When(kind=Block.Kind.PARAGRAPH, then=F("text")),
    default=F("teaser"),
    output_field=TextField(),
)
# ts_headline drops anything its parser takes for an HTML tag, such as a paragraph's literal
# "<script>"; a stand-in for "<" (a private-use character) keeps the text as written.
LESS_THAN_STAND_IN = "\ue000"


def index_stories(story_ids: list[int]) -> None:
    """Recompute the stored vectors of these stories in one UPDATE."""
    tag_names = (
        TaggedStory.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    body = (
        Block.objects.filter(story=OuterRef("pk"))
        .values("story")
        .annotate(body=StringAgg(BLOCK_TEXT, "\n", order_by=("position", "id")))
        .values("body")
    )
    Story.objects.filter(pk__in=story_ids).update(
        search_vector=SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("dek", weight="B", config=CONFIG)
        + SearchVector(Subquery(tag_names), weight="C", config=CONFIG)
        + SearchVector(Subquery(body), weight="D", config=CONFIG)
    )


# Every story keeps its vector, drafts and scheduled ones too: `ts_rank` (and `ts_rank` on a
# block's `search_document`) scores a row from its own vector alone, with no statistic over the
# table such as SQLite's bm25 keeps, so unpublished text cannot sway how public stories rank.
PUBLIC_ONLY = False


def prune_index() -> None:
    """Nothing to prune: a story's vector lives and dies with its row."""


def unindexed(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Nothing is missing: every story's vector is recomputed whenever its text changes."""
    return stories.none()


def rank_matches(stories: QuerySet[Story], terms) -> QuerySet[Story]:
    """The stories matching `terms`, annotated with `rank`, most relevant first."""
    query = SearchQuery(terms.websearch(), search_type="websearch", config=CONFIG)
    return (
        stories.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-id")
    )


BEST_BLOCKS_SQL = """
SELECT b.story_id, b.key, ts_headline(
    'english'::regconfig,
    replace(COALESCE(CASE WHEN b.kind = 'paragraph' THEN b.text ELSE b.teaser END, ''), '<', %s),
    query.q,
    %s
)
FROM (SELECT websearch_to_tsquery('english'::regconfig, %s) AS q) AS query
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (story_id) id
    FROM articles_block
    WHERE story_id = ANY(%s) AND search_document @@ query.q
    ORDER BY story_id, ts_rank(search_document, query.q) DESC, position, id
) AS best
JOIN articles_block AS b ON b.id = best.id
"""


def best_blocks(story_ids: list[int], terms, *, start: str, stop: str) -> dict[int, Snippet]:
    """Each story's best matching block with a highlighted extract, in one query.

    Blocks are ranked against any of the wanted phrases (a story may match its query across
    several paragraphs) through each block's stored `search_document` (migration 0007), and
    only each story's winner is given a `ts_headline`, the costly part.
    """
    if not story_ids:
        return {}
    options = f"StartSel={start}, StopSel={stop}, MaxWords=35, MinWords=15, ShortWord=2"
    with connections[router.db_for_read(Block)].cursor() as cursor:
        cursor.execute(
            BEST_BLOCKS_SQL,
            [LESS_THAN_STAND_IN, options, terms.websearch_any(), list(story_ids)],
        )
        rows = cursor.fetchall()
    return {
        story_id: Snippet(key=key, raw=extract.replace(LESS_THAN_STAND_IN, "<"))
        for story_id, key, extract in rows
    }
