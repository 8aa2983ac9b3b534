"""Conditional requests and cache headers for reader pages.

A public page gets an ETag and a Last-Modified from one cheap query (`story_validators`,
`list_validators`) that runs before the page's own queries, so a matching If-None-Match or
If-Modified-Since is answered with 304 for the price of that one query.

The ETag is a digest of everything the query can see change: the story row and its section,
its public notes, tags, bylines and related stories, the stories its asides link to (their
edits and publication state), and the age banner. Tag, byline and related-story rows have no
timestamps, so their count and latest id stand in for them (ids only grow, so an added,
removed or swapped row always changes them). Last-Modified is the latest of the timestamps
alone; clients that send both validators (all browsers) are judged by the ETag (RFC 9110).

Not covered, because those rows carry no timestamp: renaming a tag or an author without saving
their stories, and the section list in the header.

Anything a staff user sees is never cached: drafts, previews, and every page while signed in,
since their pages may carry preview banners. All responses vary on Cookie for the same reason.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, quote_etag

from .dates import age_banner
from .models import Annotation, Article, Block, Byline, RelatedStory, TaggedArticle


@dataclass(frozen=True)
class Validators:
    """A page's validators; `count` is how many stories a list shows, for its paginator."""

    etag: str
    last_modified: datetime | None
    count: int | None = None


def digest(*parts) -> str:
    """A short stable hash of the parts' reprs (ints, strings, datetimes, tuples of them)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def is_staff(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_staff


def _count(queryset: QuerySet) -> Subquery:
    """`(SELECT COUNT(*) ...)` as a correlated scalar subquery (no GROUP BY needed)."""
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(n=count).values("n")[:1])


def _max(queryset: QuerySet, field: str, output_field) -> Subquery:
    largest = Func(F(field), function="MAX", output_field=output_field)
    return Subquery(queryset.order_by().annotate(m=largest).values("m")[:1])


def story_validators(*, slug: str) -> Validators | None:
    """A public story page's validators in one query; None when no public story has `slug`."""
    story = OuterRef("pk")
    notes = Annotation.objects.published_notes().filter(article=story)
    tags = TaggedArticle.objects.filter(content_object=story)
    bylines = Byline.objects.filter(article=story)
    asides = Block.objects.filter(article=story, target_article__isnull=False)
    public_targets = asides.filter(target_article__in=Article.objects.published())
    related = RelatedStory.objects.for_readers().filter(article=story)
    row = (
        Article.objects.published()
        .filter(slug=slug)
        .values("pk", "modified_at", "published_at", "updated_at", "section__name", "section__slug")
        .annotate(
            notes_count=_count(notes),
            notes_latest=_max(notes, "modified_at", DateTimeField()),
            tags_count=_count(tags),
            tags_last=_max(tags, "pk", IntegerField()),
            bylines_count=_count(bylines),
            bylines_last=_max(bylines, "pk", IntegerField()),
            targets_public=_count(public_targets),
            targets_latest=_max(asides, "target_article__modified_at", DateTimeField()),
            related_count=_count(related),
            related_last=_max(related, "pk", IntegerField()),
            related_latest=_max(related, "related__modified_at", DateTimeField()),
        )
        .first()
    )
    if row is None:
        return None
    banner = age_banner(row["published_at"], now=timezone.now())
    return Validators(
        etag=digest(sorted(row.items()), banner),
        last_modified=latest(
            row["modified_at"],
            row["published_at"],
            row["notes_latest"],
            row["targets_latest"],
            row["related_latest"],
        ),
    )


def list_validators(stories: QuerySet[Article], *, subject: tuple = ()) -> Validators:
    """The validators of a list of stories in one aggregate query.

    `subject` is what the page shows about its section, tag, author or date, already loaded.
    A scheduled story that comes due changes the count, and its publication time the
    Last-Modified, without any row being written.
    """
    summary = stories.order_by().aggregate(
        count=Count("pk"), changed=Max("modified_at"), published=Max("published_at")
    )
    return Validators(
        etag=digest(summary["count"], summary["changed"], summary["published"], subject),
        last_modified=latest(summary["changed"], summary["published"]),
        count=summary["count"],
    )


def not_modified(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """A 304 (with the page's cache headers) when the request's validators match, else None."""
    last_modified = validators.last_modified
    response = get_conditional_response(
        request,
        etag=quote_etag(validators.etag),
        last_modified=int(last_modified.timestamp()) if last_modified else None,
    )
    if response is not None:
        cache_for_readers(response, validators)
    return response


def cache_for_readers(response: HttpResponse, validators: Validators) -> HttpResponse:
    """Validators plus `Cache-Control: public, max-age=…, stale-while-revalidate=…`."""
    response.headers["ETag"] = quote_etag(validators.etag)
    if validators.last_modified is not None:
        response.headers["Last-Modified"] = http_date(validators.last_modified.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=getattr(settings, "NEWSROOM_CACHE_MAX_AGE", 60),
        stale_while_revalidate=getattr(settings, "NEWSROOM_CACHE_STALE_WHILE_REVALIDATE", 300),
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def never_cache(response: HttpResponse) -> HttpResponse:
    """`Cache-Control: private, no-cache, no-store, must-revalidate, max-age=0`, no validators."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response
