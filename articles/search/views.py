"""The search page: `/search/?q=…` with optional section, tag, author and date filters."""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import render

from articles.caching import conditional, keys, pagecache
from articles.models import Story
from articles.pages import seo
from articles.pages.pagination import page_number
from articles.pages.selectors import next_scheduled
from articles.search import backends as search_backends
from articles.search.forms import SearchForm
from articles.search.index import index_stories_come_due
from articles.search.query import parse_query
from articles.search.selectors import search_hits, search_stories


@pagecache.cached_page(query=("q", "section", "tag", "author", "since", "until", "page"))
def search(request):
    """Ranked, highlighted results; an empty query shows just the form and runs no search.

    Text with no words to look for (`*`, `-word` alone) is answered "No stories match". Results
    may change with any story, tag or author (a word edited in, a filter's name), so the page
    carries the keys that every such change purges.
    """
    number = page_number(request)  # a malformed page number is a 404 before anything runs
    form = SearchForm(request.GET)
    form.is_valid()  # Invalid filters are shown with their errors and left out; never a 500.
    terms = parse_query(form.query)
    context = {
        "form": form,
        "query": form.query,
        "searched": bool(form.query),
        "terms": terms,
        # Every search names /search/ as its canonical page: results are not pages of their
        # own for search engines, and the form is.
        "page_metadata": seo.listing_metadata(
            request=request,
            title="Search",
            description=f"Search every story {settings.NEWSROOM_SITE_NAME} has published.",
        ),
    }
    if terms:
        # On SQLite, stories that came due since the last search join the index first.
        if search_backends.current().PUBLIC_ONLY:
            latest_due = Story.objects.published().aggregate(due=Max("published_at"))["due"]
            index_stories_come_due(latest_due=latest_due)
        paginator = Paginator(
            search_stories(terms=terms, filters=form.filters()), settings.NEWSROOM_PAGE_SIZE
        )
        try:
            page = paginator.page(number)
        except InvalidPage as error:
            raise Http404("No such page.") from error
        context |= {
            "paginator": paginator,
            "page_obj": page,
            "hits": search_hits(page.object_list, terms=terms),
            "search_params": form.query_params(),
        }
    response = render(request, "articles/search_results.html", context)
    page_keys = {keys.EVERY_STORY, keys.EVERY_TAG, keys.EVERY_AUTHOR, keys.SECTION_MENU}
    # A scheduled story joins the results when it comes due, with no write.
    until = next_scheduled({}, key=keys.FRONT) if terms else None
    return conditional.finish_page(request, response, keys=page_keys, until=until)
