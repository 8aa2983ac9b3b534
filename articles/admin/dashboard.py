"""The desk dashboard on the admin's index: what needs an editor now, each count a link to the
list that shows exactly those rows.

Each count has one selector here, and the list it links to filters with the same selector
(the list filters below), so the number and the list can never disagree. One query per count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.urls import reverse

from articles.admin.importing import PERMISSIONS as IMPORT_PERMISSIONS
from articles.ingest.models import FollowedSource
from articles.models import Block, Note, Story, TaggedStory


def notes_awaiting_review() -> QuerySet[Note]:
    """Notes submitted for review that no editor has published or sent back yet."""
    return Note.objects.awaiting_review()


def orphaned_notes() -> QuerySet[Note]:
    return Note.objects.orphaned()


def unresolved_asides() -> QuerySet[Block]:
    return Block.objects.unresolved_asides()


def published_stories_without_tags() -> QuerySet[Story]:
    """Stories set to published (scheduled ones too) that carry no tag."""
    tagged = TaggedStory.objects.filter(content_object=OuterRef("pk"))
    return Story.objects.filter(status=Story.Status.PUBLISHED).exclude(Exists(tagged))


def fact_checks_without_source() -> QuerySet[Note]:
    """Fact-checks that cite nothing: no link in what they say."""
    return Note.objects.filter(kind=Note.Kind.FACT_CHECK).exclude(body_html__contains="<a ")


def stories_changed_since_notes_reviewed() -> QuerySet[Story]:
    """Stories changed after their notes were last looked at (the latest change to any of them).

    The one place that says what "reviewed" means; with review states it becomes the time of
    the latest review.
    """
    last_reviewed = (
        Note.objects.filter(story=OuterRef("pk"))
        .values("story")
        .annotate(latest=Max("modified_at"))
        .values("latest")
    )
    return Story.objects.alias(notes_reviewed_at=last_reviewed).filter(
        notes_reviewed_at__isnull=False, modified_at__gt=F("notes_reviewed_at")
    )


def imported_drafts() -> QuerySet[Story]:
    """Stories that came in from the web (followed sources, the Import page) and wait as drafts
    for an editor to read and publish."""
    return Story.objects.filter(status=Story.Status.DRAFT).exclude(canonical_url="")


def sources_with_problems() -> QuerySet[FollowedSource]:
    """Followed sources (not paused) whose last check could not read them, or some entries."""
    return FollowedSource.objects.filter(active=True).exclude(last_error="")


class SelectorFilter(admin.SimpleListFilter):
    """A list filter with one choice: the rows of one dashboard selector."""

    selector = None
    choice = ""
    label = ""

    @classmethod
    def query(cls) -> dict[str, str]:
        """The list's query string that picks this filter's rows (the dashboard links it)."""
        return {cls.parameter_name: cls.choice}

    def lookups(self, request, model_admin):
        return [(self.choice, self.label)]

    def queryset(self, request, queryset):
        if self.value() == self.choice:
            return queryset.filter(pk__in=type(self).selector().values("pk"))
        return queryset


class AwaitingReviewFilter(SelectorFilter):
    title = "review"
    parameter_name = "awaiting"
    choice = "review"
    label = "Awaiting review"
    selector = staticmethod(notes_awaiting_review)


class CitesNoSourceFilter(SelectorFilter):
    title = "sources"
    parameter_name = "cites"
    choice = "nothing"
    label = "Fact-checks without a source"
    selector = staticmethod(fact_checks_without_source)


class UntaggedFilter(SelectorFilter):
    title = "tags"
    parameter_name = "untagged"
    choice = "published"
    label = "Published without tags"
    selector = staticmethod(published_stories_without_tags)


class ChangedSinceNotesFilter(SelectorFilter):
    title = "notes"
    parameter_name = "notes"
    choice = "changed-since-review"
    label = "Changed since notes were reviewed"
    selector = staticmethod(stories_changed_since_notes_reviewed)


class ImportedDraftsFilter(SelectorFilter):
    title = "origin"
    parameter_name = "imported"
    choice = "drafts"
    label = "Imported, waiting as drafts"
    selector = staticmethod(imported_drafts)


class ProblemsFilter(SelectorFilter):
    title = "problems"
    parameter_name = "problems"
    choice = "last-check"
    label = "Problems in the last check"
    selector = staticmethod(sources_with_problems)


@dataclass(frozen=True)
class DeskItem:
    """One count of the dashboard: what it counts, the list showing those rows (by the list's
    own filter), and the permission (or permissions) that list needs."""

    label: str
    selector: Callable[[], QuerySet]
    changelist: str
    query: dict[str, str]
    permission: str | tuple[str, ...]

    @property
    def permissions(self) -> tuple[str, ...]:
        return (self.permission,) if isinstance(self.permission, str) else self.permission


NOTES_LIST = "admin:articles_note_changelist"
STORIES_LIST = "admin:articles_story_changelist"
DESK = [
    DeskItem(
        "Notes awaiting review",
        notes_awaiting_review,
        NOTES_LIST,
        AwaitingReviewFilter.query(),
        "articles.view_note",
    ),
    DeskItem(
        "Orphaned notes",
        orphaned_notes,
        NOTES_LIST,
        {"anchor_state__exact": Note.AnchorState.ORPHANED},
        "articles.view_note",
    ),
    DeskItem(
        "Unresolved read-more asides",
        unresolved_asides,
        "admin:articles_readmoreaside_changelist",
        {"link": "unresolved"},
        "articles.view_readmoreaside",
    ),
    DeskItem(
        "Published stories without tags",
        published_stories_without_tags,
        STORIES_LIST,
        UntaggedFilter.query(),
        "articles.change_story",
    ),
    DeskItem(
        "Fact-checks without a source",
        fact_checks_without_source,
        NOTES_LIST,
        CitesNoSourceFilter.query(),
        "articles.view_note",
    ),
    DeskItem(
        "Stories changed since their notes were reviewed",
        stories_changed_since_notes_reviewed,
        STORIES_LIST,
        ChangedSinceNotesFilter.query(),
        "articles.change_story",
    ),
    DeskItem(
        "Imported stories waiting as drafts",
        imported_drafts,
        STORIES_LIST,
        ImportedDraftsFilter.query(),
        "articles.change_story",
    ),
    DeskItem(
        "Followed sources with problems",
        sources_with_problems,
        "admin:articles_followedsource_changelist",
        ProblemsFilter.query(),
        IMPORT_PERMISSIONS,
    ),
]


@dataclass(frozen=True)
class DeskCount:
    label: str
    count: int
    url: str


def desk_counts(user) -> list[DeskCount]:
    """The dashboard's counts this editor may follow, one query each."""
    return [
        DeskCount(
            label=item.label,
            count=item.selector().count(),
            url=f"{reverse(item.changelist)}?{urlencode(item.query)}",
        )
        for item in DESK
        if user.has_perms(item.permissions)
    ]
