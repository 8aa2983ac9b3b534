"""Stories a "Read more" aside could link to, and linking it to one.

An aside invites the reader to a story about what the text around it says, so its target is
sought by the aside's teaser and, weighing less, the paragraphs just before and after it: the
stories best matching their most distinctive words, through the search index (see `matching`).
Only published stories are offered, never the aside's own.
"""

from django.db import transaction

from articles.models import Block, Story
from articles.related import scoring
from articles.related.compute import MAX_WORD_DF, TEXT_WORDS, WORDS_COUNTED
from articles.related.matching import engine

SUGGESTIONS = 3
TEASER_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.3


def _context(aside: Block) -> list[str]:
    """The texts of the paragraphs right before and right after the aside."""
    paragraphs = (
        Block.objects.paragraphs()
        .filter(story_id=aside.story_id)
        .order_by("position", "id")
        .values_list("position", "id", "text")
    )
    before = after = ""
    for position, pk, text in paragraphs:
        if (position, pk) < (aside.position, aside.pk):
            before = text
        elif not after:
            after = text
    return [before, after]


def suggest_targets(*, aside: Block, limit: int = SUGGESTIONS) -> list[Story]:
    """The published stories the aside most likely means, best first (with their section)."""
    weights = scoring.weighted_words(
        [(aside.teaser, TEASER_WEIGHT), *((text, CONTEXT_WEIGHT) for text in _context(aside))]
    )
    matcher = engine()
    corpus_size = Story.objects.count()
    counted = scoring.heaviest_words(weights, limit=WORDS_COUNTED)
    words = scoring.distinctive_words(
        weights,
        matcher.document_frequencies(counted, cap=MAX_WORD_DF, corpus_size=corpus_size),
        corpus_size=corpus_size,
        min_df=2,  # The aside's own story holds these words; another story must too.
        max_df=MAX_WORD_DF,
        limit=TEXT_WORDS,
    )
    stories = Story.objects.published().exclude(pk=aside.story_id)
    ranks = matcher.rank_stories(words, stories=stories, limit=limit)
    if not ranks:
        return []
    found = stories.select_related("section").in_bulk(list(ranks))
    return [found[pk] for pk in ranks if pk in found]


def accept_suggestion(*, aside: Block, target: Story) -> None:
    """Link the aside to `target`, a published story other than the aside's own."""
    if target.pk == aside.story_id:
        raise ValueError("An aside cannot link to its own story.")
    if not target.is_public:
        raise ValueError("An aside can only be linked to a published story.")
    with transaction.atomic():
        aside.target_story = target
        aside.save(update_fields=["target_story"])
