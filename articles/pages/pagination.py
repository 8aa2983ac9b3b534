"""Page numbers from the query string: one parser for every paginated URL.

A page has exactly one address. `?page=` takes ASCII digits only, written as Python's `str(n)`
would write them: no sign, no spaces, no leading zeros, no other script's digits (`int()` reads
"٠" and "١" as 0 and 1, and `str.isdigit()` accepts "²", which `int()` refuses), and no more
digits than any list could need. Anything else is a 404, as is a page past the end: never a
server error, and never an alias of another page that caches would keep apart.
"""

import re

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest

# A billion pages: more than any list has, few enough digits to parse without thought.
MAX_DIGITS = 9
CANONICAL_NUMBER = re.compile(rf"0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}}", re.ASCII)


def canonical_number(value: str) -> int | None:
    """`value` as a whole number when it is written as `str(n)` would write it, else None.

    Page numbers use it, and so does any form that posts a row's id (`str.isdigit()` would let
    "²" through to `int()`, which refuses it).
    """
    return int(value) if CANONICAL_NUMBER.fullmatch(value) else None


def page_number(request: HttpRequest, *, parameter: str = "page", first: int = 1) -> int:
    """The page number the request asks for, `first` when it names none; else Http404.

    `first` is 1 for the reader pages and 0 for the W3C container's pages; a number below it
    is a 404 too.
    """
    values = request.GET.getlist(parameter)
    if not values:
        return first
    number = canonical_number(values[0]) if len(values) == 1 else None
    if number is None or number < first:
        raise Http404("No such page.")
    return number


def requested_page(request: HttpRequest, paginator: Paginator, **options) -> Page:
    """The page of `paginator` the request asks for (see `page_number`); Http404 when none."""
    try:
        return paginator.page(page_number(request, **options))
    except InvalidPage as error:
        raise Http404("No such page.") from error
