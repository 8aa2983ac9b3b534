"""The read side of the W3C Web Annotation Protocol for public notes.

Every public note has its own URL, and every published story a note container
(https://www.w3.org/TR/annotation-protocol/): GET and HEAD with validators and conditional GET,
OPTIONS, JSON-LD content negotiation, paging, and the protocol's `Prefer` choices for containers.
Nothing here writes, so every other method is 405.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_vary_headers,
)
from django.utils.decorators import method_decorator
from django.utils.http import http_date, quote_etag
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from articles.caching import conditional, keys
from articles.models import OldSlug, Story
from articles.notes import w3c
from articles.pages.pagination import page_number

logger = logging.getLogger(__name__)

JSON_LD = f'application/ld+json; profile="{w3c.ANNOTATION_CONTEXT}"'
# What a client may ask for and get the JSON-LD: it is JSON, and the profile is the only one.
ACCEPTABLE_TYPES = [JSON_LD, "application/ld+json", "application/json"]

LDP_RESOURCE = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
LDP_CONTAINER = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)

PREFER_MINIMAL_CONTAINER = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_CONTAINED_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_CONTAINED_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"


def page_size() -> int:
    return max(1, int(getattr(settings, "NEWSROOM_ANNOTATION_PAGE_SIZE", 100)))


@dataclass(frozen=True)
class ContainerPreference:
    """What a client asked the container to embed (the protocol's use of RFC 7240 `Prefer`)."""

    minimal: bool = False
    iris: bool = False
    applied: bool = False

    @classmethod
    def from_header(cls, header: str) -> "ContainerPreference":
        """Read `return=representation; include="<uri> <uri>"`; other preferences are ignored.

        Descriptions are the default, and win when a client includes both.
        """
        for preference in header.split(","):
            token, *parameters = (part.strip() for part in preference.split(";"))
            name, _, value = token.partition("=")
            if name.strip().lower() != "return" or value.strip('" ').lower() != "representation":
                continue
            includes = set()
            for parameter in parameters:
                key, _, uris = parameter.partition("=")
                if key.strip().lower() == "include":
                    includes.update(uris.strip().strip('"').split())
            return cls(
                minimal=PREFER_MINIMAL_CONTAINER in includes,
                iris=PREFER_CONTAINED_IRIS in includes
                and PREFER_CONTAINED_DESCRIPTIONS not in includes,
                applied=True,
            )
        return cls()


@dataclass(frozen=True)
class Representation:
    """A JSON-LD document, when it last changed, and headers only it can tell."""

    document: dict
    last_modified: datetime
    headers: dict = field(default_factory=dict)


class ProtocolView(View):
    """GET, HEAD and OPTIONS on a JSON-LD resource; 406 and 405 for what it cannot serve.

    Subclasses load their resource in `resolve()` and describe it in `represent()`. The ETag is a
    digest of the exact bytes sent, so it is strong and differs between representations.
    """

    http_method_names = ["get", "head", "options"]
    link = ""
    vary = ("Accept",)
    # Whether `If-Modified-Since` may be answered with 304 (a matching ETag always may).
    trust_last_modified = True

    # Nothing here changes state: a POST must meet 405 with `Allow`, not a CSRF 403.
    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, request, **kwargs) -> HttpResponse | None:
        """Load the resource onto the view, or raise Http404; a response returned (a redirect)
        is sent instead."""
        raise NotImplementedError

    def represent(self, request) -> Representation:
        raise NotImplementedError

    def page_keys(self) -> set[str]:
        raise NotImplementedError

    def add_protocol_headers(self, response: HttpResponse) -> None:
        response["Allow"] = ", ".join(self._allowed_methods())
        if self.link:
            response["Link"] = self.link
        patch_vary_headers(response, self.vary)

    def options(self, request, **kwargs):
        if (redirect := self.resolve(request, **kwargs)) is not None:
            return redirect
        response = HttpResponse()
        self.add_protocol_headers(response)
        return response

    def get(self, request, **kwargs):
        if request.get_preferred_type(ACCEPTABLE_TYPES) is None:
            response = HttpResponse(
                "Notes are served as JSON-LD (application/ld+json).\n",
                status=406,
                content_type="text/plain; charset=utf-8",
            )
            patch_vary_headers(response, self.vary)
            return response
        if (redirect := self.resolve(request, **kwargs)) is not None:
            return redirect
        try:
            representation = self.represent(request)
        except w3c.UnexportableAnnotation as error:
            logger.error("Could not export a W3C annotation: %s", error)
            return unexportable_response(error)
        body = json.dumps(representation.document, ensure_ascii=False).encode()
        etag = quote_etag(hashlib.sha256(body).hexdigest()[:40])
        last_modified = int(representation.last_modified.timestamp())

        response = HttpResponse(body, content_type=JSON_LD)
        self.add_protocol_headers(response)
        for name, value in representation.headers.items():
            response[name] = value
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        # Public, with the keys of the story it belongs to, so that Varnish or a CDN may keep
        # it (its variants by `Accept` and `Prefer`) until the story or its notes change.
        conditional.cache_for_readers(response, keys=self.page_keys())
        response = get_conditional_response(
            request,
            etag=etag,
            last_modified=last_modified if self.trust_last_modified else None,
            response=response,
        )
        if request.method == "HEAD" and response.status_code == 200:
            # HEAD is GET without the payload: same headers, the length a GET would send.
            response["Content-Length"] = str(len(body))
            response.content = b""
        return response

    head = get


def unexportable_response(error: w3c.UnexportableAnnotation) -> HttpResponse:
    """A 500 that says what is wrong (RFC 9457 problem details), rather than the bare error page:
    the stored note is at fault, and the newsroom has been told (it is logged)."""
    problem = {
        "type": "about:blank",
        "title": "This note cannot be exported",
        "status": 500,
        "detail": "Its stored kind is not one the Web Annotation export knows. "
        "The newsroom has been told.",
    }
    response = HttpResponse(
        json.dumps(problem), status=500, content_type="application/problem+json"
    )
    add_never_cache_headers(response)
    return response


class AnnotationView(ProtocolView):
    """One public note as a W3C Web Annotation."""

    link = LDP_RESOURCE

    def resolve(self, request, pk):
        self.note = w3c.exported_annotations().filter(pk=pk).first()
        if self.note is None:
            raise Http404("No such public note.")

    def page_keys(self) -> set[str]:
        # It names its story (address, headline): a change to either is a change to it.
        story_id = self.note.story_id
        return {keys.story(story_id), keys.story_page(story_id)}

    def represent(self, request) -> Representation:
        note, story = self.note, self.note.story
        document = w3c.annotation_document(
            note, story=story, absolute_uri=request.build_absolute_uri
        )
        # The document carries the story's URL, so a change to the story is a change to it.
        return Representation(document, max(note.modified_at, story.modified_at))


class AnnotationContainerView(ProtocolView):
    """A published story's public notes: an LDP Basic Container, paged.

    Without `page` it is the container, shaped by the client's `Prefer`; `?page=N` (with
    `iris=1` for IRIs only) is one AnnotationPage.
    """

    link = LDP_CONTAINER
    vary = ("Accept", "Prefer")
    # Removing a note leaves no timestamp behind: only the ETag sees it.
    trust_last_modified = False

    def resolve(self, request, slug):
        self.story = (
            Story.objects.published()
            .only("id", "slug", "headline", "modified_at")
            .filter(slug=slug)
            .first()
        )
        if self.story is not None:
            return None
        old = OldSlug.objects.filter(slug=slug).select_related("story").first()
        # Only a readable story's new address is revealed, as on the story page.
        if old is None or old.story.slug == slug or not old.story.is_public:
            raise Http404("No such story.")
        location = w3c.container_path(old.story)
        if request.META.get("QUERY_STRING"):
            location = f"{location}?{request.META['QUERY_STRING']}"
        return HttpResponsePermanentRedirect(location)

    def page_keys(self) -> set[str]:
        return {keys.story(self.story.pk), keys.story_page(self.story.pk)}

    def represent(self, request) -> Representation:
        stats = w3c.collection_stats(self.story)
        paging = w3c.Paging(total=stats.total, size=page_size())
        if "page" in request.GET:
            return Representation(self.page_document(request, stats, paging), stats.modified)

        preference = ContainerPreference.from_header(request.headers.get("Prefer", ""))
        first_page = None
        if stats.total and not preference.minimal:
            first_page = w3c.page_document(
                story=self.story,
                items=w3c.page_items(self.story, page=0, paging=paging, iris=preference.iris),
                page=0,
                paging=paging,
                iris=preference.iris,
                absolute_uri=request.build_absolute_uri,
            )
        document = w3c.collection_document(
            story=self.story,
            stats=stats,
            paging=paging,
            iris=preference.iris,
            first_page=first_page,
            absolute_uri=request.build_absolute_uri,
        )
        headers = {"Preference-Applied": "return=representation"} if preference.applied else {}
        return Representation(document, stats.modified, headers)

    def page_document(self, request, stats, paging) -> dict:
        """One AnnotationPage; its URI says whether it lists IRIs or descriptions."""
        # Pages count from 0 here, as the collection's `first` and `last` links say.
        page, iris = page_number(request, first=0), request.GET.getlist("iris")
        if iris not in ([], ["0"], ["1"]) or not paging.contains(page):
            raise Http404("No such page.")
        iris = iris == ["1"]
        return w3c.page_document(
            story=self.story,
            items=w3c.page_items(self.story, page=page, paging=paging, iris=iris),
            page=page,
            paging=paging,
            iris=iris,
            absolute_uri=request.build_absolute_uri,
            partof=w3c.collection_summary(
                story=self.story, stats=stats, absolute_uri=request.build_absolute_uri
            ),
        )
