"""RSS 2.0 and Atom feeds of the newest published stories: the site's, and each section's, tag's
and author's.

Every list page's feeds live under its URL: `/feed/rss/`, `/sections/<slug>/feed/atom/`, ...
Items are the 50 newest public stories in three queries (stories with sections, bylines with
authors, tags), plus one to find a feed's section, tag or author.

Every author of a byline is named: the generators below write one `<dc:creator>` (RSS) or one
`<author>` with name and page URL (Atom) per author, where Django's would write only one.
Ids are the stories' canonical URLs; the dek and a feed's description are plain text, so they
are escaped into the HTML that RSS descriptions and Atom `type="html"` summaries hold (Atom's
feed subtitle is text, and gets the text). Every string a feed writes goes through `xml_text`:
a control character pasted into one headline must not make the feed unwritable.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.caching import conditional, keys
from articles.models import Author, Section, Story, Tag
from articles.pages.selectors import (
    CARD_FIELDS,
    bylines_prefetch,
    next_scheduled,
    public_authors,
    public_tags,
)
from articles.record.corrections import CorrectionEntry, correction_entries
from articles.text.markup import sanitize_html, xml_text
from articles.views import tag_moved

FEED_LENGTH = 50
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class NewsroomRssFeed(Rss201rev2Feed):
    """RSS 2.0 with one `<dc:creator>` per author (RSS's own `<author>` needs an e-mail)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _path in item["bylines"]:
            handler.addQuickElement("dc:creator", name)


class NewsroomAtomFeed(Atom1Feed):
    """Atom with one `<author>` (name and absolute page URL) per author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, path in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", urljoin(self.feed["link"], path))
            handler.endElement("author")


def xml_safe(value):
    """`value` with `xml_text` applied to every string in it (dicts, lists and tuples too)."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value


def feed_items(stories: QuerySet[Story]) -> QuerySet[Story]:
    """The newest public stories of `stories`, with what an item shows: three queries."""
    return (
        stories.newest_first()
        .select_related("section")
        .only(*CARD_FIELDS)
        .prefetch_related(bylines_prefetch(), "tags")[:FEED_LENGTH]
    )


class SiteFeed(Feed):
    """The whole site's newest stories, as RSS.

    Cached like every reader page (`caching.pagecache`): it shows its items' stories, sections,
    authors and tags, and the list they come from.
    """

    feed_type = NewsroomRssFeed
    newsroom_page_cache = True
    newsroom_page_query = ()

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return conditional.cache_for_readers(
            response,
            keys=request.newsroom_feed_keys,
            until=next_scheduled(request.newsroom_feed_filter, key=request.newsroom_feed_list_key),
        )

    def get_feed(self, obj, request):
        """The feed, with every string it writes made XML-safe; what it shows is noted on the
        request for `__call__` (one feed object serves every request)."""
        feed = super().get_feed(obj, request)
        shown = {self.list_key(obj), *self.subject_keys(obj)}
        for item in feed.items:
            shown |= item.pop("surrogate_keys")
        request.newsroom_feed_keys = shown
        request.newsroom_feed_filter = self.list_filter(obj)
        request.newsroom_feed_list_key = self.list_key(obj)
        feed.feed = xml_safe(feed.feed)
        feed.items = [xml_safe(item) for item in feed.items]
        return feed

    def list_key(self, subject=None) -> str:
        return keys.FRONT

    def subject_keys(self, subject=None) -> set[str]:
        return set()

    def list_filter(self, subject=None) -> dict:
        return {}

    def title(self, subject=None) -> str:
        return settings.NEWSROOM_SITE_NAME

    def link(self, subject=None) -> str:
        return reverse("articles:front")

    def description_text(self, subject=None) -> str:
        """What the feed is, as plain text."""
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."

    def description(self, subject=None) -> str:
        return escape(self.description_text(subject))

    def subtitle(self, subject=None) -> str:
        return self.description_text(subject)

    def author_name(self, subject=None) -> str:
        # Atom wants an author for every entry; a story without a byline is the newsroom's.
        return settings.NEWSROOM_SITE_NAME

    def items(self, subject=None):
        return feed_items(Story.objects.published())

    def item_title(self, story: Story) -> str:
        return story.headline

    def item_description(self, story: Story) -> str:
        return escape(story.dek)

    def item_pubdate(self, story: Story):
        return story.published_at

    def item_updateddate(self, story: Story):
        # Atom requires <updated>: the time readers were told of, else the publication time.
        return story.last_updated_at if story.was_updated else story.published_at

    def item_categories(self, story: Story) -> list[str]:
        tags = sorted((tag.name for tag in story.tags.all()), key=str.lower)
        return [story.section.name, *tags]

    def item_extra_kwargs(self, story: Story) -> dict:
        bylines = list(story.bylines.all())
        return {
            "bylines": [
                (byline.author.name, byline.author.get_absolute_url()) for byline in bylines
            ],
            "surrogate_keys": {
                keys.story(story.pk),
                keys.section(story.section_id),
                *(keys.author(byline.author_id) for byline in bylines),
                *(keys.tag(tag.pk) for tag in story.tags.all()),
            },
        }


class SiteAtomFeed(SiteFeed):
    feed_type = NewsroomAtomFeed


class ListingFeed(SiteFeed):
    """The newest stories of one listing page: a section's, a tag's or an author's."""

    # Where the slug in a feed URL is looked up: a callable returning a queryset.
    listings = None
    # How a story refers to its listing, as a filter lookup.
    story_lookup = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.listings(), slug=slug)

    def title(self, listing) -> str:
        return f"{settings.NEWSROOM_SITE_NAME}: {listing.name}"

    def link(self, listing) -> str:
        return listing.get_absolute_url()

    def items(self, listing):
        return feed_items(Story.objects.published().filter(**self.list_filter(listing)))

    def list_filter(self, listing=None) -> dict:
        return {self.story_lookup: listing}


class SectionFeed(ListingFeed):
    listings = staticmethod(Section.objects.all)
    story_lookup = "section"

    def list_key(self, section=None) -> str:
        return keys.section_list(section.pk)

    def subject_keys(self, section=None) -> set[str]:
        return {keys.section(section.pk)}

    def description_text(self, section: Section) -> str:
        return section.description or f"The latest {section.name} stories."


class SectionAtomFeed(SectionFeed):
    feed_type = NewsroomAtomFeed


class TagFeed(ListingFeed):
    listings = staticmethod(public_tags)
    story_lookup = "tagged_items__tag"

    def list_key(self, tag=None) -> str:
        return keys.tag_list(tag.pk)

    def subject_keys(self, tag=None) -> set[str]:
        return {keys.tag(tag.pk)}

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            # A merged tag's feed (or an old slug's) leads to the tag's own.
            if moved := tag_moved(request, kwargs["slug"]):
                return moved
            raise

    def description_text(self, tag: Tag) -> str:
        return tag.description or f"The latest stories tagged {tag.name}."


class TagAtomFeed(TagFeed):
    feed_type = NewsroomAtomFeed


class AuthorFeed(ListingFeed):
    listings = staticmethod(public_authors)
    story_lookup = "bylines__author"

    def list_key(self, author=None) -> str:
        return keys.author_list(author.pk)

    def subject_keys(self, author=None) -> set[str]:
        return {keys.author(author.pk)}

    def description_text(self, author: Author) -> str:
        return f"The latest stories by {author.name}."


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsroomAtomFeed


class CorrectionsFeed(Feed):
    """Every public correction, newest first, as RSS: the `/corrections/` page's feed."""

    feed_type = Rss201rev2Feed
    newsroom_page_cache = True
    newsroom_page_query = ()

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return conditional.cache_for_readers(response, keys=request.newsroom_feed_keys)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The corrections list and the stories it names (their headlines are in the titles).
        request.newsroom_feed_keys = {keys.CORRECTIONS}
        for item in feed.items:
            request.newsroom_feed_keys |= item.pop("surrogate_keys")
        feed.feed = xml_safe(feed.feed)
        feed.items = [xml_safe(item) for item in feed.items]
        return feed

    def title(self) -> str:
        return f"{settings.NEWSROOM_SITE_NAME}: corrections"

    def link(self) -> str:
        return reverse("articles:corrections")

    def description(self) -> str:
        return escape(f"Every correction {settings.NEWSROOM_SITE_NAME} has published.")

    def items(self):
        return correction_entries(limit=FEED_LENGTH)

    def item_title(self, entry: CorrectionEntry) -> str:
        return f"Correction to “{entry.story.headline}”"

    def item_link(self, entry: CorrectionEntry) -> str:
        return entry.url

    def item_guid(self, entry: CorrectionEntry) -> str:
        return entry.url

    def item_description(self, entry: CorrectionEntry) -> str:
        parts = []
        if entry.wrong and entry.right:
            parts.append(
                escape(f"The story said “{entry.wrong}” where it should have said “{entry.right}”.")
            )
        if entry.explanation_is_html:
            parts.append(sanitize_html(entry.explanation))
        elif entry.explanation:
            parts.append(escape(entry.explanation))
        return " ".join(parts)

    def item_pubdate(self, entry: CorrectionEntry):
        return entry.corrected_at

    def item_extra_kwargs(self, entry: CorrectionEntry) -> dict:
        return {"surrogate_keys": {keys.story(entry.story.pk)}}
