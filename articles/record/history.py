"""A story's public history: its published versions, what each changed, and what it announces.

Every version `articles.editing.history.record_version` recorded is public once the story is:
the history is the record readers check, so it lists typo fixes too. Only corrections and
updates are announced on the story page (`announcements`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from articles.models import Story, StoryVersion
from articles.record.diff import ChangedPart, version_diff

ANNOUNCED = (StoryVersion.Kind.CORRECTION, StoryVersion.Kind.UPDATE)
# What the story page needs of its versions: never the stored text, which can be long.
SUMMARY_FIELDS = ("id", "story_id", "number", "kind", "summary", "created_at")


def version_summaries(story: Story) -> list[StoryVersion]:
    """The story's versions, oldest first, without their text (1 query)."""
    return list(StoryVersion.objects.filter(story=story).only(*SUMMARY_FIELDS).order_by("number"))


def announcements(versions: list[StoryVersion]) -> list[StoryVersion]:
    """The corrections and updates readers are told about on the story, newest first."""
    return sorted(
        (v for v in versions if v.kind in ANNOUNCED and v.number > 1),
        key=lambda v: v.number,
        reverse=True,
    )


@dataclass
class HistoryEntry:
    version: StoryVersion
    changes: list[ChangedPart] = field(default_factory=list)

    @property
    def announced(self) -> bool:
        return self.version.kind in ANNOUNCED


def story_history(story: Story) -> list[HistoryEntry]:
    """Every published version of the story, newest first, each with what it changed since the
    one before (1 query, however many versions)."""
    versions = list(StoryVersion.objects.filter(story=story).order_by("number"))
    entries = [
        HistoryEntry(version=version, changes=version_diff(before, version))
        for before, version in zip(versions, versions[1:], strict=False)
    ]
    if versions:
        entries.insert(0, HistoryEntry(version=versions[0]))
    return list(reversed(entries))


def public_version(story: Story, number: int) -> StoryVersion | None:
    return StoryVersion.objects.filter(story=story, number=number).first()


def version_at(versions: list[StoryVersion], moment: datetime) -> StoryVersion | None:
    """The version readers saw at `moment`: the latest recorded at or before it, else the first
    (a note written before the story was published was written on the text it was published
    with)."""
    seen = None
    for version in versions:
        if version.created_at <= moment:
            seen = version
        else:
            break
    return seen or (versions[0] if versions else None)


def versions_of(story_ids) -> QuerySet[StoryVersion]:
    return StoryVersion.objects.filter(story_id__in=story_ids).only(*SUMMARY_FIELDS)
