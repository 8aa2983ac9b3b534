"""Sitemaps: an index of the front page, stories, sections, tags and authors, and a Google News
sitemap of the last two days' stories.

Only public stories are listed, and only the tags and authors that have one. A story's lastmod
is its last save, or its publication time when that is later (a scheduled story appears then).
Each sitemap's latest lastmod, which the index shows, is one aggregate query.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from articles.caching import conditional, keys
from articles.caching.conditional import latest
from articles.caching.pagecache import cached_page
from articles.models import Author, Byline, Section, Story, Tag, TaggedStory
from articles.pages.pagination import page_number
from articles.pages.selectors import next_scheduled, public_authors, public_tags

NEWS_WINDOW = timedelta(days=2)
# Google News reads at most 1,000 URLs from a news sitemap.
NEWS_LIMIT = 1000


def story_lastmod(story: Story):
    return latest(story.modified_at, story.published_at)


def latest_change(stories: QuerySet[Story]):
    """The latest lastmod among `stories`, in one aggregate query."""
    summary = stories.aggregate(changed=Max("modified_at"), published=Max("published_at"))
    return latest(summary["changed"], summary["published"])


def _newest_change(stories: QuerySet[Story]) -> Subquery:
    """Per row, the latest lastmod of the matching public stories (correlated subquery)."""
    changes = stories.annotate(changed=Greatest("modified_at", "published_at"))
    return Subquery(changes.order_by("-changed").values("changed")[:1])


class FrontPageSitemap(Sitemap):
    def items(self):
        return ["articles:front"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        return latest_change(Story.objects.published())


class StorySitemap(Sitemap):
    def items(self):
        return Story.objects.published().newest_first().only("slug", "modified_at", "published_at")

    def lastmod(self, story: Story):
        return story_lastmod(story)

    def get_latest_lastmod(self):
        return latest_change(Story.objects.published())


class SectionSitemap(Sitemap):
    """Every section: they are all in the site's navigation."""

    def items(self):
        stories = Story.objects.published().filter(section=OuterRef("pk"))
        return Section.objects.annotate(newest_change=_newest_change(stories))

    def lastmod(self, section: Section):
        return section.newest_change

    def get_latest_lastmod(self):
        return latest_change(Story.objects.published())


class TagSitemap(Sitemap):
    """The tags of public stories."""

    def items(self):
        stories = Story.objects.published().filter(tagged_items__tag=OuterRef("pk"))
        return public_tags().annotate(newest_change=_newest_change(stories)).order_by("name", "pk")

    def lastmod(self, tag: Tag):
        return tag.newest_change

    def get_latest_lastmod(self):
        return latest_change(
            Story.objects.published().filter(
                Exists(TaggedStory.objects.filter(content_object=OuterRef("pk")))
            )
        )


class AuthorSitemap(Sitemap):
    """The authors of public stories."""

    def items(self):
        stories = Story.objects.published().filter(bylines__author=OuterRef("pk"))
        return (
            public_authors().annotate(newest_change=_newest_change(stories)).order_by("name", "pk")
        )

    def lastmod(self, author: Author):
        return author.newest_change

    def get_latest_lastmod(self):
        return latest_change(
            Story.objects.published().filter(Exists(Byline.objects.filter(story=OuterRef("pk"))))
        )


SITEMAPS = {
    "front": FrontPageSitemap,
    "stories": StorySitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


class NewsSitemap(Sitemap):
    """Stories published in the last two days, newest first, for Google News."""

    limit = NEWS_LIMIT

    def items(self):
        return (
            Story.objects.published()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
            .newest_first()
            .only("slug", "headline", "published_at", "modified_at")
        )

    def lastmod(self, story: Story):
        return story_lastmod(story)


def publication_language() -> str:
    """Google News wants an ISO 639 code ("en"), except for Chinese ("zh-cn", "zh-tw")."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in {"zh-cn", "zh-tw"} else code.split("-")[0]


# Sitemaps list every public story, section, tag and author: any change to one purges them.
SITEMAP_KEYS = (keys.FRONT, keys.SECTION_MENU, keys.EVERY_STORY, keys.EVERY_TAG, keys.EVERY_AUTHOR)


def for_readers(response):
    """A sitemap's cache headers; it changes when a scheduled story comes due, too."""
    return conditional.cache_for_readers(
        response, keys=SITEMAP_KEYS, until=next_scheduled({}, key=keys.FRONT)
    )


@cached_page
def sitemap_index(request, *args, **kwargs):
    return for_readers(sitemap_views.index(request, *args, **kwargs))


def _sitemap(request, *args, **kwargs):
    page_number(request, parameter="p")
    return sitemap_views.sitemap(request, *args, **kwargs)


@cached_page(query=("p",))
def sitemap_page(request, *args, **kwargs):
    """Django's sitemap view, with its `?p=` page number read by the site's one parser."""
    return for_readers(_sitemap(request, *args, **kwargs))


@cached_page(query=("p",))
def news_sitemap(request):
    """The Google News sitemap: Django's sitemap view with the `news:` template."""
    response = _sitemap(request, {"news": NewsSitemap}, template_name="news_sitemap.xml")
    response.context_data["publication"] = {
        "name": settings.NEWSROOM_SITE_NAME,
        "language": publication_language(),
    }
    return for_readers(response)
