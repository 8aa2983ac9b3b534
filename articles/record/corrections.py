"""The site-wide list of corrections: every correction readers were told about, newest first.

A correction reaches readers in two ways, and the list holds both: a correction note on the
words that were wrong (`Note`, kind correction, public), and a change of the text an
editor classified as a correction (`StoryVersion`, kind correction, on a public story).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from articles.models import Note, Story, StoryVersion


@dataclass(frozen=True)
class CorrectionEntry:
    story: Story
    corrected_at: datetime
    wrong: str  # what the story said, when the note says so
    right: str
    explanation: str  # a note's rendered body, or a version's summary (plain text)
    explanation_is_html: bool
    url: str  # where on the story page the correction is shown

    @property
    def key(self) -> str:
        return self.url


def changes_url(slug: str) -> str:
    return reverse("articles:story-changes", kwargs={"slug": slug})


STORY_FIELDS = ("story__id", "story__slug", "story__headline", "story__published_at")


def correction_entries(*, limit: int | None = None) -> list[CorrectionEntry]:
    """Every public correction, newest first (2 queries), at most `limit` of them."""
    notes = (
        Note.objects.public()
        .filter(kind=Note.Kind.CORRECTION)
        .annotate(when=Coalesce("corrected_at", "created_at"))
        .select_related("story")
        .only(
            "id",
            "kind",
            "correction_wrong",
            "correction_right",
            "body_html",
            "corrected_at",
            "created_at",
            *STORY_FIELDS,
        )
        .order_by(F("when").desc(), "-id")
    )
    versions = (
        StoryVersion.objects.filter(
            kind=StoryVersion.Kind.CORRECTION, story__in=Story.objects.published()
        )
        .select_related("story")
        .only("id", "number", "summary", "created_at", *STORY_FIELDS)
        .order_by("-created_at", "-id")
    )
    if limit is not None:
        notes, versions = notes[:limit], versions[:limit]
    entries = [
        CorrectionEntry(
            story=note.story,
            corrected_at=note.when,
            wrong=note.correction_wrong,
            right=note.correction_right,
            explanation=note.body_html,
            explanation_is_html=True,
            url=f"{note.story.get_absolute_url()}#note-{note.pk}",
        )
        for note in notes
    ] + [
        CorrectionEntry(
            story=version.story,
            corrected_at=version.created_at,
            wrong="",
            right="",
            explanation=version.summary,
            explanation_is_html=False,
            url=changes_url(version.story.slug) + f"#v{version.number}",
        )
        for version in versions
    ]
    entries.sort(key=lambda entry: entry.corrected_at, reverse=True)
    return entries[:limit] if limit is not None else entries
