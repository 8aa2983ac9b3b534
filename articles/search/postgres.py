"""Search on PostgreSQL: a stored, weighted tsvector on each article, with a GIN index.

The vector weighs the headline A, the dek B, the tags C, and the body (paragraphs and aside
teasers) D, all with the `english` configuration. It is recomputed in the database by one UPDATE
per batch of stories (see `index.py` for when); queries use `websearch_to_tsquery`.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import (
    Case,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Replace, RowNumber

from ..models import Article, Block, TaggedArticle
from .snippets import Snippet

CONFIG = "english"

BLOCK_TEXT = Case(
    When(kind=Block.Kind.PARAGRAPH, then=F("text")),
    default=F("teaser"),
    output_field=TextField(),
)
# ts_headline drops anything its parser takes for an HTML tag, such as a paragraph's literal
# "<script>"; a stand-in for "<" (a private-use character) keeps the text as written.
LESS_THAN_STAND_IN = "\ue000"


def index_articles(article_ids: list[int]) -> None:
    """Recompute the stored vectors of these stories in one UPDATE."""
    tag_names = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    body = (
        Block.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(body=StringAgg(BLOCK_TEXT, "\n", order_by=("position", "id")))
        .values("body")
    )
    Article.objects.filter(pk__in=article_ids).update(
        search_vector=SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("dek", weight="B", config=CONFIG)
        + SearchVector(Subquery(tag_names), weight="C", config=CONFIG)
        + SearchVector(Subquery(body), weight="D", config=CONFIG)
    )


def prune_index() -> None:
    """Nothing to prune: a story's vector lives and dies with its row."""


def rank_matches(stories: QuerySet[Article], terms) -> QuerySet[Article]:
    """The stories matching `terms`, annotated with `rank`, most relevant first."""
    query = SearchQuery(terms.websearch(), search_type="websearch", config=CONFIG)
    return (
        stories.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-id")
    )


def best_blocks(article_ids: list[int], terms, *, start: str, stop: str) -> dict[int, Snippet]:
    """Each story's best matching block with a highlighted extract, in one query.

    Blocks are ranked against any of the wanted phrases (a story may match its query across
    several paragraphs); only each story's winner is given a `ts_headline`, the costly part.
    """
    query = SearchQuery(terms.websearch_any(), search_type="websearch", config=CONFIG)
    document = SearchVector(BLOCK_TEXT, config=CONFIG)
    winners = (
        Block.objects.filter(article_id__in=article_ids)
        .annotate(document=document)
        .filter(document=query)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("article_id"),
                order_by=[SearchRank(document, query).desc(), "position", "id"],
            )
        )
        .filter(place=1)
        .order_by()
        .values("pk")
    )
    rows = (
        Block.objects.filter(pk__in=Subquery(winners))
        .annotate(
            extract=SearchHeadline(
                Replace(BLOCK_TEXT, Value("<"), Value(LESS_THAN_STAND_IN)),
                query,
                config=CONFIG,
                start_sel=start,
                stop_sel=stop,
                max_words=35,
                min_words=15,
                short_word=2,
            )
        )
        .values_list("article_id", "key", "extract")
    )
    return {
        article_id: Snippet(key=key, raw=extract.replace(LESS_THAN_STAND_IN, "<"))
        for article_id, key, extract in rows
    }
