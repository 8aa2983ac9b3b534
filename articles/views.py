"""Reader-facing pages. Views read input, call a selector, and render."""

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView

from .dates import age_banner
from .models import Article, Author, OldSlug, Section, Tag
from .selectors import story_cards, story_for_page
from .story import build_story_body


def story_detail(request, slug):
    """A story page; old slugs redirect, drafts are 404 except to staff (uncached preview)."""
    article = story_for_page(Article.objects.published()).filter(slug=slug).first()
    preview = False
    is_staff = request.user.is_authenticated and request.user.is_staff
    if article is None:
        old = OldSlug.objects.filter(slug=slug).select_related("article").first()
        # Only a readable story's new address is revealed; a draft's stays secret.
        if old is not None and old.article.slug != slug and (old.article.is_public or is_staff):
            return HttpResponsePermanentRedirect(old.article.get_absolute_url())
        if not is_staff:
            raise Http404("No such story.")
        article = get_object_or_404(story_for_page(Article.objects.all()), slug=slug)
        preview = True

    context = {
        "article": article,
        "preview": preview,
        "age_banner": age_banner(article.published_at, now=timezone.now()),
        "bylines": article.bylines.all(),
        "tags": sorted(article.tags.all(), key=lambda tag: tag.name.lower()),
        **build_story_body(article),
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        add_never_cache_headers(response)
    return response


class StoryListView(ListView):
    """A paginated list of published story cards."""

    paginate_by = settings.NEWSROOM_PAGE_SIZE
    context_object_name = "stories"

    def get_queryset(self):
        return story_cards()


class FrontPageView(StoryListView):
    template_name = "articles/article_list.html"


class SectionView(StoryListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return story_cards().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(StoryListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return story_cards().filter(tagged_items__tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(StoryListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(
            Author.objects.prefetch_related("social_profiles"), slug=self.kwargs["slug"]
        )
        return story_cards().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
