"""Reader-facing pages. Views read input, call a selector, and render.

Each public page names what it shows as surrogate keys (`caching.keys`) and the moment it stops
being true with no write (`until`: an age banner's next change, the next scheduled story it
would list), so that the page cache, Varnish or a CDN can keep it until a change purges it
(see `caching`). Pages for staff users are never cached.
"""

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.views.generic import ListView

from articles.caching import conditional, keys
from articles.caching.pagecache import cached_page
from articles.models import OldSlug, PolicyPage, Section, Story
from articles.pages import parts, seo
from articles.pages.archives import month_bounds, months_with_stories, year_bounds
from articles.pages.dates import age_banner, next_banner_change
from articles.pages.pagination import requested_page
from articles.pages.selectors import (
    card_stories,
    list_count,
    next_scheduled,
    prefetch_story_page,
    public_authors,
    public_tags,
    redirected_tag,
    story_for_page,
    story_page_keys,
)
from articles.record.corrections import correction_entries
from articles.record.history import announcements, public_version, story_history, version_summaries


@cached_page
def story_detail(request, slug):
    """A story page; old slugs redirect, drafts are 404 except to staff (uncached preview)."""
    is_staff = conditional.is_staff(request)
    story = story_for_page(Story.objects.published()).filter(slug=slug).first()
    preview = False
    if story is None:
        old = OldSlug.objects.filter(slug=slug).select_related("story").first()
        # Only a readable story's new address is revealed; a draft's stays secret.
        if old is not None and old.story.slug != slug and (old.story.is_public or is_staff):
            return HttpResponsePermanentRedirect(old.story.get_absolute_url())
        if not is_staff:
            raise Http404("No such story.")
        story = get_object_or_404(story_for_page(Story.objects.all()), slug=slug)
        preview = True

    now = timezone.now()
    banner = age_banner(story.published_at, now=now)
    prefetch_story_page(story)
    bylines = story.page_bylines
    tags = story.page_tags
    versions = version_summaries(story)
    body, related = parts.story_parts(story)
    context = {
        "story": story,
        "preview": preview,
        "age_banner": banner,
        "bylines": bylines,
        "tags": tags,
        "announcements": announcements(versions),
        "has_changes": len(versions) > 1,
        "corrections_policy_url": seo.policy_url(PolicyPage.Kind.CORRECTIONS_POLICY),
        "page_metadata": seo.story_metadata(
            request=request,
            story=story,
            bylines=bylines,
            tags=tags,
            opening=body.opening,
            notes=body.notes,
            versions=versions,
        ),
        "story_body": body,
        "related": related,
    }
    response = render(request, "articles/story_detail.html", context)
    # The age banner is true until the story's next anniversary; an aside's link appears when
    # its scheduled target comes due.
    until = conditional.earliest(
        next_banner_change(story.published_at, now=now), body.next_aside_target
    )
    shown = story_page_keys(story) | body.shows | related.shows
    return conditional.finish_page(request, response, keys=shown, until=until)


def record_page_keys(story: Story) -> set[str]:
    """A story's Changes and version pages show its text history: purged with its own page
    (every change of its text, a version classified) and with its name (headline, section)."""
    return {keys.story(story.pk), keys.story_page(story.pk), keys.SECTION_MENU}


def public_story(slug: str) -> Story:
    """A public story by its current slug, for the pages about it; 404 otherwise."""
    return get_object_or_404(Story.objects.published().select_related("section"), slug=slug)


@cached_page
def story_changes(request, slug):
    """Every published version of a story, newest first, with what each changed."""
    story = public_story(slug)
    history = story_history(story)
    context = {
        "story": story,
        "history": history,
        "page_metadata": seo.listing_metadata(
            request=request,
            title=f"Changes to “{story.headline}”",
            description=f"Every published version of “{story.headline}” and what changed.",
        ),
    }
    response = render(request, "articles/story_changes.html", context)
    return conditional.finish_page(request, response, keys=record_page_keys(story))


@cached_page
def story_version(request, slug, number):
    """The text of one published version of a story, as readers saw it then."""
    story = public_story(slug)
    version = public_version(story, number)
    if version is None:
        raise Http404("No such version.")
    context = {
        "story": story,
        "version": version,
        "page_metadata": seo.listing_metadata(
            request=request, title=f"“{version.headline}”, version {version.number}"
        ),
    }
    response = render(request, "articles/story_version.html", context)
    return conditional.finish_page(request, response, keys=record_page_keys(story))


@cached_page
def corrections(request):
    """Every correction the newsroom has published, newest first."""
    entries = correction_entries()
    context = {
        "entries": entries,
        "corrections_policy_url": seo.policy_url(PolicyPage.Kind.CORRECTIONS_POLICY),
        "page_metadata": seo.listing_metadata(
            request=request,
            title="Corrections",
            description=f"Every correction {settings.NEWSROOM_SITE_NAME} has published.",
        ),
    }
    response = render(request, "articles/corrections.html", context)
    # The list, the stories it names, and the policy page it links.
    shown = {keys.CORRECTIONS, keys.POLICIES, keys.SECTION_MENU}
    shown |= {keys.story(entry.story.pk) for entry in entries}
    return conditional.finish_page(request, response, keys=shown)


@cached_page
def policy_page(request, kind):
    """One of the newsroom's policy pages (publishing principles, corrections policy)."""
    page = get_object_or_404(PolicyPage, kind=kind)
    context = {
        "policy": page,
        "page_metadata": seo.listing_metadata(request=request, title=page.title),
    }
    response = render(request, "articles/policy_page.html", context)
    return conditional.finish_page(request, response, keys={keys.POLICIES, keys.SECTION_MENU})


class StoryListView(ListView):
    """A paginated list of published story cards.

    The page shows its cards' stories, sections and authors, and is purged when a story joins
    or leaves the list (`list_key`); it is kept no later than the next scheduled story of the
    list comes due. The list's count is kept until the list changes (`selectors.list_count`).
    """

    paginate_by = settings.NEWSROOM_PAGE_SIZE
    context_object_name = "stories"
    # Served and stored by `pagecache.PageCacheMiddleware`; `?page=` is the one parameter read.
    newsroom_page_cache = True
    newsroom_page_query = ("page",)

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        self.until = next_scheduled(self.list_filter(), key=self.list_key())
        # The paginator counts the list: `page` turns an empty list into a 404 when it must.
        context = self.get_context_data()
        page_obj = context.get("page_obj")
        context["cards"] = cards = parts.cards_for(
            list(context["stories"]), lead_first=page_obj is not None and page_obj.number == 1
        )
        response = self.render_to_response(context)
        page_keys = {keys.SECTION_MENU, self.list_key(), *self.subject_keys()}
        for card in cards:
            page_keys |= card.shows
        return conditional.finish_page(request, response, keys=page_keys, until=self.until)

    def list_filter(self) -> dict:
        """What picks this list's stories out of all published ones (filter arguments)."""
        return {}

    def list_key(self) -> str:
        return keys.FRONT

    def subject_keys(self) -> set[str]:
        """What the page's header shows: a section's, tag's or author's name and description."""
        return set()

    def get_queryset(self):
        # The page's cards are kept between purges (`parts.cards_for`): only the rows here.
        return card_stories().filter(**self.list_filter())

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
        paginator.count = list_count(
            queryset, identity=identity, key=self.list_key(), until=self.until
        )
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
    template_name = "articles/story_list.html"

    def page_description(self) -> str:
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."


class SectionView(StoryListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset()

    def list_filter(self) -> dict:
        return {"section": self.section}

    def list_key(self) -> str:
        return keys.section_list(self.section.pk)

    def subject_keys(self) -> set[str]:
        return {keys.section(self.section.pk)}

    def page_title(self) -> str:
        return self.section.name

    def page_description(self) -> str:
        return self.section.description or f"The latest {self.section.name} stories."

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


def tag_moved(request, slug: str) -> HttpResponsePermanentRedirect | None:
    """The permanent redirect from an old tag address (merged, or an old slug) to the same page
    of the tag it leads to: its page or feed, with the query string; None if there is none."""
    tag = redirected_tag(slug)
    if tag is None:
        return None
    match = request.resolver_match
    url = reverse(match.view_name, kwargs={**match.kwargs, "slug": tag.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


class TagView(StoryListView):
    template_name = "articles/tag_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Only a missing tag costs the look-up; a live tag's page never does.
            if moved := tag_moved(request, kwargs["slug"]):
                return moved
            raise

    def get_queryset(self):
        # A tag only unpublished stories carry is as secret as they are.
        self.tag = get_object_or_404(public_tags(), slug=self.kwargs["slug"])
        return super().get_queryset()

    def list_filter(self) -> dict:
        return {"tagged_items__tag": self.tag}

    def list_key(self) -> str:
        return keys.tag_list(self.tag.pk)

    def subject_keys(self) -> set[str]:
        return {keys.tag(self.tag.pk)}

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
        return super().get_queryset()

    def list_filter(self) -> dict:
        return {"bylines__author": self.author}

    def list_key(self) -> str:
        return keys.author_list(self.author.pk)

    def subject_keys(self) -> set[str]:
        return {keys.author(self.author.pk)}

    def page_title(self) -> str:
        return self.author.name

    def page_description(self) -> str:
        return self.author.bio or f"Stories by {self.author.name}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class StoryYearArchiveView(StoryListView):
    """A year's published stories, newest first, with links to its months; 404 when empty."""

    template_name = "articles/story_archive_year.html"
    allow_empty = False

    def list_filter(self) -> dict:
        start, end = year_bounds(self.kwargs["year"])
        return {"published_at__gte": start, "published_at__lt": end}

    def page_title(self) -> str:
        return f"Stories from {self.kwargs['year']}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            year=self.kwargs["year"], months=months_with_stories(self.kwargs["year"]), **kwargs
        )


class StoryMonthArchiveView(StoryListView):
    """A month's published stories, newest first; 404 when empty."""

    template_name = "articles/story_archive_month.html"
    allow_empty = False

    def list_filter(self) -> dict:
        start, end = month_bounds(self.kwargs["year"], self.kwargs["month"])
        return {"published_at__gte": start, "published_at__lt": end}

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
