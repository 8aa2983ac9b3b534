"""Reader-facing pages. Views read input, call a selector, and render.

Public pages answer conditional requests (see `caching`): one validator query first, a 304 when
the reader's copy is current, and otherwise the page with its ETag and Last-Modified. Pages for
staff users are never cached.
"""

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.views.generic import ListView

from articles.caching import conditional
from articles.caching.pagecache import cached_page
from articles.models import Article, OldSlug, PolicyPage, Section
from articles.pages import seo
from articles.pages.archives import month_bounds, months_with_stories, year_bounds
from articles.pages.dates import age_banner, next_banner_change
from articles.pages.pagination import requested_page
from articles.pages.selectors import (
    prefetch_story_page,
    public_authors,
    public_tags,
    story_cards,
    story_for_page,
)
from articles.pages.story import build_story_body
from articles.record.corrections import correction_entries
from articles.record.history import announcements, public_version, story_history, version_summaries


@cached_page
def story_detail(request, slug):
    """A story page; old slugs redirect, drafts are 404 except to staff (uncached preview)."""
    is_staff = conditional.is_staff(request)
    article = story_for_page(Article.objects.published()).filter(slug=slug).first()
    preview = False
    if article is None:
        old = OldSlug.objects.filter(slug=slug).select_related("article").first()
        # Only a readable story's new address is revealed; a draft's stays secret.
        if old is not None and old.article.slug != slug and (old.article.is_public or is_staff):
            return HttpResponsePermanentRedirect(old.article.get_absolute_url())
        if not is_staff:
            raise Http404("No such story.")
        article = get_object_or_404(story_for_page(Article.objects.all()), slug=slug)
        preview = True

    now = timezone.now()
    banner = age_banner(article.published_at, now=now)
    validators, unchanged = conditional.reader_validators(
        request, shows=(banner,), since=article.published_at
    )
    if unchanged is not None:
        return unchanged

    prefetch_story_page(article)
    bylines = list(article.bylines.all())
    tags = sorted(article.tags.all(), key=lambda tag: tag.name.lower())
    versions = version_summaries(article)
    story_body = build_story_body(article)
    context = {
        "article": article,
        "preview": preview,
        "age_banner": banner,
        "bylines": bylines,
        "tags": tags,
        "announcements": announcements(versions),
        "has_changes": len(versions) > 1,
        "corrections_policy_url": seo.policy_url(PolicyPage.Kind.CORRECTIONS_POLICY),
        "page_metadata": seo.story_metadata(
            request=request,
            article=article,
            bylines=bylines,
            tags=tags,
            notes=story_body["notes"],
            versions=versions,
        ),
        **story_body,
    }
    response = render(request, "articles/article_detail.html", context)
    # The age banner is true until the story's next anniversary.
    until = next_banner_change(article.published_at, now=now)
    return conditional.finish_page(response, validators, until=until)


def public_story(slug: str) -> Article:
    """A public story by its current slug, for the pages about it; 404 otherwise."""
    return get_object_or_404(Article.objects.published().select_related("section"), slug=slug)


@cached_page
def story_changes(request, slug):
    """Every published version of a story, newest first, with what each changed."""
    validators, unchanged = conditional.reader_validators(request)
    if unchanged is not None:
        return unchanged
    article = public_story(slug)
    history = story_history(article)
    context = {
        "article": article,
        "history": history,
        "page_metadata": seo.listing_metadata(
            request=request,
            title=f"Changes to “{article.headline}”",
            description=f"Every published version of “{article.headline}” and what changed.",
        ),
    }
    response = render(request, "articles/article_changes.html", context)
    return conditional.finish_page(response, validators)


@cached_page
def story_version(request, slug, number):
    """The text of one published version of a story, as readers saw it then."""
    validators, unchanged = conditional.reader_validators(request)
    if unchanged is not None:
        return unchanged
    article = public_story(slug)
    version = public_version(article, number)
    if version is None:
        raise Http404("No such version.")
    context = {
        "article": article,
        "version": version,
        "page_metadata": seo.listing_metadata(
            request=request, title=f"“{version.headline}”, version {version.number}"
        ),
    }
    response = render(request, "articles/article_version.html", context)
    return conditional.finish_page(response, validators)


@cached_page
def corrections(request):
    """Every correction the newsroom has published, newest first."""
    validators, unchanged = conditional.reader_validators(request)
    if unchanged is not None:
        return unchanged
    context = {
        "entries": correction_entries(),
        "corrections_policy_url": seo.policy_url(PolicyPage.Kind.CORRECTIONS_POLICY),
        "page_metadata": seo.listing_metadata(
            request=request,
            title="Corrections",
            description=f"Every correction {settings.NEWSROOM_SITE_NAME} has published.",
        ),
    }
    response = render(request, "articles/corrections.html", context)
    return conditional.finish_page(response, validators)


@cached_page
def policy_page(request, kind):
    """One of the newsroom's policy pages (publishing principles, corrections policy)."""
    validators, unchanged = conditional.reader_validators(request)
    if unchanged is not None:
        return unchanged
    page = get_object_or_404(PolicyPage, kind=kind)
    context = {
        "policy": page,
        "page_metadata": seo.listing_metadata(request=request, title=page.title),
    }
    response = render(request, "articles/policy_page.html", context)
    return conditional.finish_page(response, validators)


class StoryListView(ListView):
    """A paginated list of published story cards that answers conditional requests.

    The validators come from the content state (one query, however long the list); a reader
    whose copy is current gets a 304 before the list is counted or loaded, and the count is
    taken once per content state (`conditional.count_at_state`).
    """

    paginate_by = settings.NEWSROOM_PAGE_SIZE
    context_object_name = "stories"
    newsroom_page_cache = True  # served and stored by `pagecache.PageCacheMiddleware`

    def get(self, request, *args, **kwargs):
        # Before the section, tag or author is even looked up: an ETag is only ever given for a
        # page that existed at this content state, and it names this page's URL.
        validators, unchanged = conditional.reader_validators(request)
        if unchanged is not None:
            return unchanged
        self.object_list = self.get_queryset()
        # The paginator counts the list: `page` turns an empty list into a 404 when it must.
        response = self.render_to_response(self.get_context_data())
        return conditional.finish_page(response, validators)

    def get_queryset(self):
        return story_cards()

    def paginate_queryset(self, queryset, page_size):
        """The requested page, read by the site's one page-number parser (`pagination`)."""
        paginator = self.get_paginator(
            queryset, page_size, allow_empty_first_page=self.get_allow_empty()
        )
        page = requested_page(self.request, paginator)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        identity = (type(self).__name__, tuple(sorted(self.kwargs.items())))
        paginator.count = conditional.count_at_state(self.request, queryset, identity=identity)
        return paginator

    def page_title(self) -> str:
        return settings.NEWSROOM_SITE_NAME

    def page_description(self) -> str:
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"].number if context.get("page_obj") else 1
        context["page_metadata"] = seo.listing_metadata(
            request=self.request,
            title=self.page_title(),
            description=self.page_description(),
            page=page,
        )
        return context


class FrontPageView(StoryListView):
    template_name = "articles/article_list.html"

    def page_description(self) -> str:
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."


class SectionView(StoryListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return story_cards().filter(section=self.section)

    def page_title(self) -> str:
        return self.section.name

    def page_description(self) -> str:
        return self.section.description or f"The latest {self.section.name} stories."

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(StoryListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        # A tag only unpublished stories carry is as secret as they are.
        self.tag = get_object_or_404(public_tags(), slug=self.kwargs["slug"])
        return story_cards().filter(tagged_items__tag=self.tag)

    def page_title(self) -> str:
        return self.tag.name

    def page_description(self) -> str:
        return self.tag.description or f"Stories tagged {self.tag.name}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(StoryListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        # An author only unpublished stories carry is as secret as they are.
        self.author = get_object_or_404(
            public_authors().prefetch_related("social_profiles"), slug=self.kwargs["slug"]
        )
        return story_cards().filter(bylines__author=self.author)

    def page_title(self) -> str:
        return self.author.name

    def page_description(self) -> str:
        return self.author.bio or f"Stories by {self.author.name}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class StoryYearArchiveView(StoryListView):
    """A year's published stories, newest first, with links to its months; 404 when empty."""

    template_name = "articles/article_archive_year.html"
    allow_empty = False

    def get_queryset(self):
        start, end = year_bounds(self.kwargs["year"])
        return story_cards().filter(published_at__gte=start, published_at__lt=end)

    def page_title(self) -> str:
        return f"Stories from {self.kwargs['year']}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            year=self.kwargs["year"], months=months_with_stories(self.kwargs["year"]), **kwargs
        )


class StoryMonthArchiveView(StoryListView):
    """A month's published stories, newest first; 404 when empty."""

    template_name = "articles/article_archive_month.html"
    allow_empty = False

    def get_queryset(self):
        start, end = month_bounds(self.kwargs["year"], self.kwargs["month"])
        return story_cards().filter(published_at__gte=start, published_at__lt=end)

    def month_name(self) -> str:
        return f"{MONTHS[self.kwargs['month']]} {self.kwargs['year']}"

    def page_title(self) -> str:
        return f"Stories from {self.month_name()}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            year=self.kwargs["year"],
            month=self.kwargs["month"],
            month_name=self.month_name(),
            **kwargs,
        )
