"""Tags a story probably wants: offered to the editor on the story form, never added by this.

Two signals, each weighed by the tag's rarity (`scoring.tag_weight`: a tag on a large share of
the archive says little about a story):

- text: the tag's name, or one of its synonyms, appears in the story's headline, dek or body,
  weighed as search weighs the fields (`scoring.HEADLINE_WEIGHT`, ...);
- similar stories: the tag is on stories in the story's related list (pinned and computed, the
  related-stories signals of `articles.related.compute`), weighed by their relatedness.

Tags the story already has are never offered. A fixed handful of queries, whatever the archive:
the story's text and tags, the tag names among the story's word sequences (in chunks), the
related stories' tags, and the tags' story counts.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Lower

from articles.models import Block, RelatedStory, Story, Tag, TaggedStory, TagSynonym
from articles.related import scoring

SUGGESTIONS = 8
# The longest tag name matched in the text, in words ("Latin America drug trade").
MAX_NAME_WORDS = 4
# Below this a suggestion is noise.
MIN_SCORE = 0.05
LOOKUP_CHUNK = 500
WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class TagSuggestion:
    tag: Tag
    score: float
    reason: str


def word_sequences(text: str, *, longest: int = MAX_NAME_WORDS) -> dict[str, int]:
    """Every run of one to `longest` words in `text`, lower-cased, with how often it occurs."""
    words = [word.lower() for word in WORD.findall(text)]
    counts: dict[str, int] = defaultdict(int)
    for start in range(len(words)):
        for length in range(1, longest + 1):
            if start + length <= len(words):
                counts[" ".join(words[start : start + length])] += 1
    return counts


def _named_tags(sequences: list[str]) -> dict[str, Tag]:
    """The tags named (or with a synonym named) by these lower-cased word sequences."""
    found: dict[str, Tag] = {}
    for start in range(0, len(sequences), LOOKUP_CHUNK):
        chunk = sequences[start : start + LOOKUP_CHUNK]
        for tag in Tag.objects.annotate(lowered=Lower("name")).filter(lowered__in=chunk):
            found[tag.lowered] = tag
        synonyms = (
            TagSynonym.objects.annotate(lowered=Lower("name"))
            .filter(lowered__in=chunk)
            .select_related("tag")
        )
        for synonym in synonyms:
            found.setdefault(synonym.lowered, synonym.tag)
    return found


def suggest_tags(*, story: Story, limit: int = SUGGESTIONS) -> list[TagSuggestion]:
    """The tags most likely to fit `story` that it does not have yet, best first."""
    if story.pk is None:
        return []
    has = set(TaggedStory.objects.filter(content_object=story).values_list("tag", flat=True))
    body = list(Block.objects.paragraphs().filter(story=story).values_list("text", flat=True))
    fields = scoring.story_fields(headline=story.headline, dek=story.dek, body=body)

    # Text: how strongly the story's fields name each tag.
    counted = [(word_sequences(text), weight) for text, weight in fields]
    sequences = sorted({sequence for counts, _ in counted for sequence in counts})
    named = _named_tags(sequences)
    text_weight: dict[int, float] = defaultdict(float)
    tags: dict[int, Tag] = {}
    for counts, weight in counted:
        for sequence, count in counts.items():
            if (tag := named.get(sequence)) is not None and tag.pk not in has:
                text_weight[tag.pk] += weight * count
                tags[tag.pk] = tag

    # Similar stories: the tags on the story's related list, by how related each story is.
    related = dict(
        RelatedStory.objects.filter(story=story)
        .exclude(source=RelatedStory.Source.EXCLUDED)
        .values_list("related", "score")
    )
    similar_weight: dict[int, float] = defaultdict(float)
    similar_count: dict[int, int] = defaultdict(int)
    neighbours = (
        TaggedStory.objects.filter(content_object__in=list(related))
        .exclude(tag__in=has)
        .select_related("tag")
    )
    for tagging in neighbours:
        # A pinned story has no computed score: the editor said it is related.
        similar_weight[tagging.tag_id] += max(related[tagging.content_object_id], 0.5)
        similar_count[tagging.tag_id] += 1
        tags[tagging.tag_id] = tagging.tag
    if not tags:
        return []

    corpus_size = Story.objects.count()
    doc_freqs = dict(
        TaggedStory.objects.filter(tag__in=list(tags))
        .values("tag")
        .annotate(stories=Count("pk"))
        .values_list("tag", "stories")
    )
    suggestions = []
    for pk, tag in tags.items():
        rarity = scoring.tag_weight(doc_freq=doc_freqs.get(pk, 0), corpus_size=corpus_size)
        text = min(1.0, text_weight[pk])
        similar = min(1.0, similar_weight[pk] / max(len(related), 1) * 2)
        score = (text + similar) * rarity
        if score < MIN_SCORE:
            continue
        reasons = []
        if text:
            reasons.append("named in the text")
        if similar_count[pk]:
            count = similar_count[pk]
            reasons.append(f"on {count} similar stor{'y' if count == 1 else 'ies'}")
        suggestions.append(TagSuggestion(tag=tag, score=score, reason=", ".join(reasons)))
    suggestions.sort(key=lambda suggestion: (-suggestion.score, suggestion.tag.name.casefold()))
    return suggestions[:limit]
