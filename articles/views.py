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

from . import caching, pagecache, seo
from .archives import month_bounds, months_with_stories, year_bounds
from .dates import age_banner
from .models import Article, Author, OldSlug, Section
from .selectors import public_tags, story_cards, story_for_page
from .story import build_story_body


def story_detail(request, slug):
    """A story page; old slugs redirect, drafts are 404 except to staff (uncached preview)."""
    is_staff = caching.is_staff(request)
    validators = None if is_staff else caching.story_validators(slug=slug)
    if validators is not None:
        unchanged = caching.not_modified(request, validators)
        if unchanged is not None:
            return unchanged
        cached = pagecache.cached_page(request, validators)
        if cached is not None:
            return cached

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

    bylines = list(article.bylines.all())
    tags = sorted(article.tags.all(), key=lambda tag: tag.name.lower())
    context = {
        "article": article,
        "preview": preview,
        "age_banner": age_banner(article.published_at, now=timezone.now()),
        "bylines": bylines,
        "tags": tags,
        "page_metadata": seo.story_metadata(
            request=request, article=article, bylines=bylines, tags=tags
        ),
        **build_story_body(article),
    }
    response = render(request, "articles/article_detail.html", context)
    if validators is None:
        return caching.never_cache(response)
    response = caching.cache_for_readers(response, validators)
    return pagecache.store_page(request, validators, response)


class StoryListView(ListView):
    """A paginated list of published story cards that answers conditional requests.

    One aggregate query gives the validators and the story count, which the paginator reuses.
    """

    paginate_by = settings.NEWSROOM_PAGE_SIZE
    context_object_name = "stories"

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        self.validators = caching.list_validators(self.object_list, subject=self.subject())
        is_staff = caching.is_staff(request)
        if not is_staff:
            unchanged = caching.not_modified(request, self.validators)
            if unchanged is not None:
                return unchanged
            cached = pagecache.cached_page(request, self.validators)
            if cached is not None:
                return cached
        if not self.get_allow_empty() and not self.validators.count:
            raise Http404("No stories here.")
        response = self.render_to_response(self.get_context_data())
        if is_staff:
            return caching.never_cache(response)
        response = caching.cache_for_readers(response, self.validators)
        return pagecache.store_page(request, self.validators, response)

    def get_queryset(self):
        return story_cards()

    def subject(self) -> tuple:
        """What the page shows besides its stories, for the ETag."""
        return ()

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        paginator.count = self.validators.count  # counted with the validators; not again
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

    def subject(self) -> tuple:
        return (self.section.pk, self.section.name, self.section.slug, self.section.description)

    def page_title(self) -> str:
        return self.section.name

    def page_description(self) -> str:
        return self.section.description

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(StoryListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        # A tag only unpublished stories carry is as secret as they are.
        self.tag = get_object_or_404(public_tags(), slug=self.kwargs["slug"])
        return story_cards().filter(tagged_items__tag=self.tag)

    def subject(self) -> tuple:
        return (self.tag.pk, self.tag.name, self.tag.slug, self.tag.description)

    def page_title(self) -> str:
        return self.tag.name

    def page_description(self) -> str:
        return self.tag.description

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(StoryListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(
            Author.objects.prefetch_related("social_profiles"), slug=self.kwargs["slug"]
        )
        return story_cards().filter(bylines__author=self.author)

    def subject(self) -> tuple:
        author = self.author
        profiles = [(p.network, p.url) for p in author.social_profiles.all()]
        return (author.pk, author.name, author.slug, author.bio, author.x_handle, profiles)

    def page_title(self) -> str:
        return self.author.name

    def page_description(self) -> str:
        return self.author.bio

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class YearArchiveView(StoryListView):
    """A year's published stories, newest first, with links to its months; 404 when empty."""

    template_name = "articles/article_archive_year.html"
    allow_empty = False

    def get_queryset(self):
        start, end = year_bounds(self.kwargs["year"])
        return story_cards().filter(published_at__gte=start, published_at__lt=end)

    def subject(self) -> tuple:
        return (self.kwargs["year"],)

    def page_title(self) -> str:
        return f"Stories from {self.kwargs['year']}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            year=self.kwargs["year"], months=months_with_stories(self.kwargs["year"]), **kwargs
        )


class MonthArchiveView(StoryListView):
    """A month's published stories, newest first; 404 when empty."""

    template_name = "articles/article_archive_month.html"
    allow_empty = False

    def get_queryset(self):
        start, end = month_bounds(self.kwargs["year"], self.kwargs["month"])
        return story_cards().filter(published_at__gte=start, published_at__lt=end)

    def subject(self) -> tuple:
        return (self.kwargs["year"], self.kwargs["month"])

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
