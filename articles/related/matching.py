"""Text matching for related stories, driven by the search index of the database in use.

Both engines answer the same three questions, each in one query that the index drives:

- `document_frequencies(words, cap=…, corpus_size=…)`: on how many stories each word occurs,
  counted up to `cap` (a word that common is too common to search by, and counting further
  would cost);
- `rank_stories(words, stories=…, limit=…)`: the `limit` stories of a queryset that best match
  any of the words, with their rank (higher is better);
- `rank_of(words, story_ids=…)`: the rank of particular stories (0 when they match nothing).

PostgreSQL matches the stored weighted `Story.search_vector` through its GIN index and ranks
with `ts_rank`; SQLite matches its FTS5 table and ranks with `bm25`. Both stem with the index's
own rules (`english`; Porter), so raw words from a story's text find their stems. Tags weigh
nothing here: they are a signal of their own (see `scoring`). Both indexes are kept by
`articles.search`; see `articles.search.postgres` and `articles.search.sqlite`.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from articles.models import Story
from articles.search import postgres as pg_search
from articles.search import sqlite as sqlite_search
from articles.search.query import SearchTerms


def any_of(words: list[str]) -> SearchTerms:
    """Search terms matching a story that holds any of the words."""
    return SearchTerms(required=(tuple((word,) for word in words),))


class Postgres:
    # ts_rank's weights for D (body), C (tags), B (dek) and A (headline).
    WEIGHTS = [0.1, 0.0, 0.4, 1.0]
    # Rank divided by 1 + log(length): long stories do not win on length alone.
    NORMALIZATION = 1

    # Words whose stem the planner's statistics (ANALYZE) already know to be on `cap` stories or
    # more are answered from them: a GIN lookup builds a word's whole list of stories before any
    # LIMIT applies, so for a common word it is the costly part. The rest are counted, each by a
    # GIN lookup of a rarer word, stopping at `cap`.
    FREQUENCIES_SQL = f"""
        WITH frequent AS (
            SELECT stem FROM pg_stats, unnest(
                most_common_elems::text::text[], most_common_elem_freqs
            ) AS common (stem, frequency)
            WHERE schemaname = current_schema() AND tablename = %(table)s
                AND attname = 'search_vector' AND frequency >= %(share)s
        )
        SELECT word, CASE
            WHEN EXISTS (
                SELECT 1 FROM unnest(to_tsvector(%(config)s, word)) AS stemmed
                WHERE stemmed.lexeme IN (SELECT stem FROM frequent)
            ) THEN %(cap)s
            ELSE (
                SELECT count(*) FROM (
                    SELECT 1 FROM {Story._meta.db_table}
                    WHERE search_vector @@ plainto_tsquery(%(config)s, word) LIMIT %(cap)s
                ) AS matched
            )
        END
        FROM unnest(%(words)s::text[]) AS word
    """  # noqa: S608 - the table name is the model's; values are parameters

    @classmethod
    def document_frequencies(
        cls, words: list[str], *, cap: int, corpus_size: int
    ) -> dict[str, int]:
        if not words:
            return {}
        params = {
            "table": Story._meta.db_table,
            "share": cap / max(corpus_size, 1),
            "config": pg_search.CONFIG,
            "cap": cap,
            "words": list(words),
        }
        with connection.cursor() as cursor:
            cursor.execute(cls.FREQUENCIES_SQL, params)
            return dict(cursor.fetchall())

    @classmethod
    def _query_and_rank(cls, words: list[str]):
        query = SearchQuery(
            any_of(words).websearch_any(), search_type="websearch", config=pg_search.CONFIG
        )
        rank = SearchRank(
            F("search_vector"), query, weights=cls.WEIGHTS, normalization=cls.NORMALIZATION
        )
        return query, rank

    @classmethod
    def rank_stories(
        cls, words: list[str], *, stories: QuerySet[Story], limit: int
    ) -> dict[int, float]:
        if not words:
            return {}
        query, rank = cls._query_and_rank(words)
        rows = (
            stories.filter(search_vector=query)
            .annotate(relevance=rank)
            .order_by("-relevance", "-published_at", "-pk")
            .values_list("pk", "relevance")[:limit]
        )
        return dict(rows)

    @classmethod
    def rank_of(cls, words: list[str], *, story_ids: list[int]) -> dict[int, float]:
        if not words or not story_ids:
            return {}
        _, rank = cls._query_and_rank(words)
        rows = (
            Story.objects.filter(pk__in=story_ids)
            .annotate(relevance=rank)
            .order_by()
            .values_list("pk", "relevance")
        )
        return {pk: relevance or 0.0 for pk, relevance in rows}


class Sqlite:
    TABLE = sqlite_search.STORY_TABLE
    # bm25's column weights for headline, dek, tags and body, as search weighs them but tags.
    WEIGHTS = "10.0, 4.0, 0.0, 1.0"

    @classmethod
    def document_frequencies(
        cls, words: list[str], *, cap: int, corpus_size: int
    ) -> dict[str, int]:
        if not words:
            return {}
        one = (
            f"SELECT %s, (SELECT count(*) FROM (SELECT 1 FROM {cls.TABLE} "  # noqa: S608
            f"WHERE {cls.TABLE} MATCH %s LIMIT %s))"
        )
        params = []
        for word in words:
            params += [word, any_of([word]).fts5_any(), cap]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(words)), params)
            return dict(cursor.fetchall())

    @classmethod
    def rank_stories(
        cls, words: list[str], *, stories: QuerySet[Story], limit: int
    ) -> dict[int, float]:
        if not words:
            return {}
        # FTS5 ranks its matches; the stories' own conditions (public, not excluded) narrow them.
        story_sql, story_params = stories.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT rowid, -bm25({cls.TABLE}, {cls.WEIGHTS}) AS relevance FROM {cls.TABLE}
                WHERE {cls.TABLE} MATCH %s AND rowid IN ({story_sql})
                ORDER BY relevance DESC, rowid DESC LIMIT %s
                """,  # noqa: S608 - our table name and Django's compiled SQL; values are parameters
                [any_of(words).fts5_any(), *story_params, limit],
            )
            return dict(cursor.fetchall())

    @classmethod
    def rank_of(cls, words: list[str], *, story_ids: list[int]) -> dict[int, float]:
        if not words or not story_ids:
            return {}
        ids = ", ".join(["%s"] * len(story_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({cls.TABLE}, {cls.WEIGHTS}) FROM {cls.TABLE} "  # noqa: S608
                f"WHERE {cls.TABLE} MATCH %s AND rowid IN ({ids})",
                [any_of(words).fts5_any(), *story_ids],
            )
            return dict(cursor.fetchall())


ENGINES = {"postgresql": Postgres, "sqlite": Sqlite}


def engine() -> type[Postgres] | type[Sqlite]:
    """The matcher for the database in use (search supports the same two)."""
    return ENGINES[connection.vendor]
