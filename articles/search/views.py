"""The search page: `/search/?q=…` with optional section, tag, author and date filters."""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render

from articles.caching import conditional, pagecache
from articles.caching.generation import current_state
from articles.pages import seo
from articles.pages.pagination import page_number
from articles.search.forms import SearchForm
from articles.search.index import index_stories_come_due
from articles.search.query import parse_query
from articles.search.selectors import search_hits, search_stories


@pagecache.cached_page
def search(request):
    """Ranked, highlighted results; an empty query shows just the form and runs no search.

    Text with no words to look for (`*`, `-word` alone) is answered "No stories match". Results
    are validated and cached like every reader page: the index changes only with the content.
    """
    number = page_number(request)  # a malformed page number is a 404 before anything runs
    validators, unchanged = conditional.reader_validators(request)
    if unchanged is not None:
        return unchanged
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
        index_stories_come_due(latest_due=current_state(request).latest_due)
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
    return conditional.finish_page(response, validators)
