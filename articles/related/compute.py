"""Computing and storing each story's related stories.

Nothing recomputes behind your back: whatever publishes a story or changes its tags or text
calls `articles.editing.refresh.stories_changed_on_commit`, which queues the recompute for the
task worker once the change commits, and
`manage.py recompute_related --since DAYS` brings recent lists up to date with stories
published since (a new story joins older stories' lists then). Readers never wait: a story page
reads the stored list (see `selectors`).

One story's list costs a fixed handful of queries, each bounded by an index and a LIMIT, never
a pass over every story:

1. the editor's pins and exclusions for the story;
2. the story's tags with the number of stories carrying each (the tagged-items index);
3. the number of stories (once per batch in bulk);
4. the stories sharing the story's rarer tags, best summed rarity first (LIMIT);
5. the story's body text;
6. how many stories hold each of its heaviest words, counted up to a cap (search index);
7. the stories best matching its most distinctive words (search index, LIMIT);
8. the text rank of the story itself and of the tag candidates text did not find;
9. the candidates' publication times, public ones only;
10. the tags each candidate shares with the story;
then the computed rows are replaced (a delete and an insert), in one transaction.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Sum, Value, When
from django.db.models.functions import Abs
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import Block, RelatedStory, Story, TaggedStory
from articles.related import scoring
from articles.related.matching import engine

# Candidates fetched from each signal before scoring; the best `related_count()` are kept.
TAG_CANDIDATES = 50
TEXT_CANDIDATES = 50
# A tag on more stories than this brings no candidates of its own (a weak signal that would
# mean aggregating a large part of the tag table) but still counts for candidates found
# otherwise.
MAX_TAG_DF = 5_000
# The heaviest words whose frequency is counted; the most distinctive of them are searched for.
WORDS_COUNTED = 40
TEXT_WORDS = 12
# A word on this many stories or more is too common to search by.
MAX_WORD_DF = 300

SUBJECT_FIELDS = ("pk", "headline", "dek", "status", "published_at")


def related_count() -> int:
    """How many related stories a story shows (and how many are computed for it)."""
    return getattr(settings, "NEWSROOM_RELATED_COUNT", 5)


@dataclass
class Candidate:
    pk: int
    score: float
    reason: str
    days: float


def _tag_candidates(
    weights: dict[int, float], doc_freqs: dict[int, int], *, story: Story, skip: set[int]
) -> list[int]:
    """Stories sharing the story's rarer tags, best summed rarity first.

    Aggregated in the narrow tagged-items table alone; whether a candidate is public is checked
    with the other candidates' publication times. Among equals, ids nearest the story's come
    first: ids grow as stories are added, so they stand in for nearness in time at no cost.
    """
    generating = {tag: w for tag, w in weights.items() if doc_freqs[tag] <= MAX_TAG_DF}
    if not generating:
        return []
    summed = Sum(
        Case(
            *(When(tag_id=tag, then=Value(w)) for tag, w in generating.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    return list(
        TaggedStory.objects.filter(tag_id__in=generating)
        .exclude(content_object_id__in=skip)
        .values("content_object_id")
        .annotate(tag_score=summed, distance=Abs(F("content_object_id") - story.pk))
        .order_by("-tag_score", "distance", "-content_object_id")
        .values_list("content_object_id", flat=True)[:TAG_CANDIDATES]
    )


def _body_texts(story: Story) -> list[str]:
    rows = Block.objects.filter(story=story).order_by("position", "id")
    return [
        text if kind == Block.Kind.PARAGRAPH else teaser
        for kind, text, teaser in rows.values_list("kind", "text", "teaser")
    ]


def rank_candidates(story: Story, *, skip: set[int], corpus_size: int) -> list[Candidate]:
    """The public stories most related to `story`, best first, leaving out `skip`."""
    published_at = story.published_at or timezone.now()
    matcher = engine()

    tags = (
        TaggedStory.objects.filter(
            tag__in=TaggedStory.objects.filter(content_object=story).values("tag")
        )
        .values("tag_id", "tag__name")
        .annotate(df=Count("pk"))
        .order_by()
    )
    doc_freqs, names = {}, {}
    for row in tags:
        doc_freqs[row["tag_id"]] = row["df"]
        names[row["tag_id"]] = row["tag__name"]
    weights = {
        tag: scoring.tag_weight(doc_freq=df, corpus_size=corpus_size)
        for tag, df in doc_freqs.items()
    }
    by_tags = _tag_candidates(weights, doc_freqs, story=story, skip=skip)

    word_weights = scoring.weighted_words(
        scoring.story_fields(headline=story.headline, dek=story.dek, body=_body_texts(story))
    )
    counted = scoring.heaviest_words(word_weights, limit=WORDS_COUNTED)
    words = scoring.distinctive_words(
        word_weights,
        matcher.document_frequencies(counted, cap=MAX_WORD_DF, corpus_size=corpus_size),
        corpus_size=corpus_size,
        min_df=2,  # The story holds its own words; another story must too.
        max_df=MAX_WORD_DF,
        limit=TEXT_WORDS,
    )
    stories = Story.objects.published().exclude(pk__in=skip)
    text_ranks = matcher.rank_stories(words, stories=stories, limit=TEXT_CANDIDATES)
    unranked = [pk for pk in by_tags if pk not in text_ranks]
    text_ranks |= matcher.rank_of(words, story_ids=[story.pk, *unranked])
    # The story's own rank is the yardstick; one not yet indexed is measured by its best match.
    own_rank = text_ranks.pop(story.pk, 0.0) or max(text_ranks.values(), default=0.0)

    candidate_ids = set(by_tags) | set(text_ranks)
    if not candidate_ids:
        return []
    published = dict(
        Story.objects.published().filter(pk__in=candidate_ids).values_list("pk", "published_at")
    )
    shared = defaultdict(list)
    for pk, tag in TaggedStory.objects.filter(
        content_object_id__in=published, tag_id__in=weights
    ).values_list("content_object_id", "tag_id"):
        shared[pk].append(tag)

    candidates = []
    for pk, when in published.items():
        tag_ids = sorted(shared[pk], key=lambda tag: (-weights[tag], names[tag].lower()))
        tag_score = scoring.tag_similarity(weights[tag] for tag in tag_ids)
        text_score = scoring.text_similarity(rank=text_ranks.get(pk, 0.0), own_rank=own_rank)
        days = scoring.days_apart(when, published_at)
        score = scoring.related_score(
            tags=tag_score, text=text_score, recency=scoring.recency(days=days)
        )
        if score >= scoring.MIN_SCORE:
            reason = scoring.reason(
                tag_names=[names[tag] for tag in tag_ids], text=text_score, days=days
            )
            candidates.append(Candidate(pk, score, reason, days))
    candidates.sort(key=lambda c: (-c.score, c.days, -c.pk))
    return candidates


def _recompute(story: Story, *, corpus_size: int) -> list[RelatedStory]:
    """Replace the computed entries of `story`'s list; call inside a transaction."""
    editors = RelatedStory.objects.filter(story=story).exclude(source=RelatedStory.Source.COMPUTED)
    skip = {story.pk, *editors.order_by().values_list("related_id", flat=True)}
    # As many as readers see: pins come first and any that are not public make room for these.
    best = rank_candidates(story, skip=skip, corpus_size=corpus_size)[: related_count()]
    computed = RelatedStory.objects.filter(story=story, source=RelatedStory.Source.COMPUTED)
    # A public story's page lists them (the reasons and scores are for editors): a new list
    # purges it.
    if story.is_public and list(
        computed.order_by("position").values_list("related_id", flat=True)
    ) != [candidate.pk for candidate in best]:
        content_changed([keys.story_page(story.pk)])
    computed.delete()
    return RelatedStory.objects.bulk_create(
        RelatedStory(
            story=story,
            related_id=candidate.pk,
            source=RelatedStory.Source.COMPUTED,
            position=position,
            score=candidate.score,
            reason=candidate.reason[:300],
        )
        for position, candidate in enumerate(best)
    )


def recompute_related(*, story: Story) -> list[RelatedStory]:
    """Recompute one story's related list (its pins and exclusions stay), in one transaction.

    Returns the computed entries, best first.
    """
    with transaction.atomic():
        return _recompute(story, corpus_size=Story.objects.count())


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def recompute_related_bulk(
    *,
    story_ids: Iterable[int] | None = None,
    since: datetime | None = None,
    batch_size: int = 200,
) -> int:
    """Recompute the lists of these stories, or of every published story (scheduled ones too),
    or of those published since `since`; a batch per transaction. Returns how many."""
    if story_ids is not None:
        stories = Story.objects.filter(pk__in=list(story_ids))
    else:
        stories = Story.objects.filter(status=Story.Status.PUBLISHED)
    if since is not None:
        stories = stories.filter(published_at__gte=since)
    ids = list(stories.order_by("pk").values_list("pk", flat=True))
    for batch in _batches(ids, batch_size):
        with transaction.atomic():
            corpus_size = Story.objects.count()
            subjects = Story.objects.filter(pk__in=batch).order_by("pk").only(*SUBJECT_FIELDS)
            for story in subjects:
                _recompute(story, corpus_size=corpus_size)
    return len(ids)
