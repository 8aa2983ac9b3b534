"""The admin's Import page: upload files or paste addresses, see what was read, then import.

Step one reads the documents (fetching the addresses) and shows, for every story found, what
the importer extracted: headline, dek, byline, dates, section, tags, image, paragraphs and
asides, or the one line saying why it cannot be imported. What was read is kept for an hour
under a random token tied to the editor, so step two imports exactly what was previewed, without
fetching again. Addresses on private networks are always refused here: the admin must not be a
way into the newsroom's own network (the command has `--allow-private` for that).

Needs `add_article`, `change_article` and `publish_article`: an import creates and publishes.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.ingest.documents import MAX_DOCUMENT_BYTES
from articles.ingest.fetching import Fetcher, FetchPolicy
from articles.ingest.importing import import_entries, preview_bytes
from articles.ingest.story import EntryResult, IngestError
from articles.models import Block

PERMISSIONS = ("articles.add_article", "articles.change_article", "articles.publish_article")
MAX_FILES = 50
MAX_ADDRESSES = 20
PREVIEW_SECONDS = 3600


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label="Files",
        help_text="Saved article pages (.html), feeds and WordPress exports (.xml), ninjs "
        "(.json) or the plain-text layout (.txt).",
    )
    addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        label="Addresses",
        help_text="Web addresses of article pages or feeds, one a line.",
    )
    fetch_pages = forms.BooleanField(
        required=False,
        label="Fetch the pages of feed entries that carry no full text",
        label_suffix="",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"At most {MAX_FILES} files at a time.")
        return files

    def clean_addresses(self):
        lines = [line.strip() for line in self.cleaned_data["addresses"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_ADDRESSES:
            raise forms.ValidationError(f"At most {MAX_ADDRESSES} addresses at a time.")
        validate = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(lines, start=1):
            try:
                validate(line)
            except forms.ValidationError:
                raise forms.ValidationError(f"Line {number} is not an http(s) address.") from None
        return lines

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("files") and not cleaned.get("addresses"):
            raise forms.ValidationError("Choose files or paste addresses to import.")
        return cleaned


def read_sources(form: ImportForm) -> list[tuple[str, EntryResult]]:
    """Every entry of every uploaded file and address, with the document it came from."""
    fetcher = Fetcher(FetchPolicy(allow_private=False))
    fetch_pages = fetcher if form.cleaned_data["fetch_pages"] else None
    found: list[tuple[str, EntryResult]] = []

    def read(source: str, **kwargs) -> None:
        try:
            entries = preview_bytes(fetcher=fetch_pages, **kwargs)
        except (IngestError, Exception) as error:  # noqa: BLE001 - shown, never a 500
            entries = [EntryResult(label=source, error=_reason(error))]
        found.extend(
            (source, entry)
            for entry in entries or [EntryResult(label=source, error="no stories in it")]
        )

    for upload in form.cleaned_data["files"]:
        if upload.size > MAX_DOCUMENT_BYTES:
            found.append(
                (
                    upload.name,
                    EntryResult(
                        label=upload.name, error=f"larger than {MAX_DOCUMENT_BYTES:,} bytes"
                    ),
                )
            )
            continue
        read(upload.name, data=upload.read(), name=upload.name)
    for address in form.cleaned_data["addresses"]:
        try:
            fetched = fetcher.fetch(address)
        except IngestError as error:
            found.append((address, EntryResult(label=address, error=str(error))))
            continue
        read(
            address,
            data=fetched.data,
            name=fetched.url.rsplit("/", 1)[-1],
            url=fetched.url,
            content_type=fetched.content_type,
            charset=fetched.charset,
        )
    return found


def _reason(error: Exception) -> str:
    if isinstance(error, IngestError):
        return str(error)
    # The plain-text layout's errors name the upload and line; others only their kind.
    text = str(error)
    return (
        text if ":" in text and "\n" not in text else f"could not be read ({type(error).__name__})"
    )


class ImportViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    @property
    def urls(self) -> list:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="articles_article_import",
            )
        ]

    def context(self, request, **extra) -> dict:
        opts = self.model_admin.model._meta
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": "Import stories",
            "changelist_url": reverse("admin:articles_article_changelist"),
            "aside_kind": Block.Kind.ASIDE,
            **extra,
        }

    def import_view(self, request):
        if not request.user.has_perms(PERMISSIONS):
            raise PermissionDenied
        if request.method == "POST" and "import" in request.POST:
            return self.import_previewed(request)
        posted = request.method == "POST"
        form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
        previews = None
        token = ""
        if posted and form.is_valid():
            previews = read_sources(form)
            token = secrets.token_urlsafe(24)
            cache.set(self.cache_key(request, token), previews, PREVIEW_SECONDS)
        importable = sum(1 for _, entry in previews or [] if entry.story is not None)
        return TemplateResponse(
            request,
            "admin/articles/article/import.html",
            self.context(
                request,
                form=form,
                previews=previews,
                token=token,
                importable=importable,
            ),
        )

    def cache_key(self, request, token: str) -> str:
        return f"admin-import:{request.user.pk}:{token}"

    def import_previewed(self, request):
        token = request.POST.get("token", "")
        previews = cache.get(self.cache_key(request, token)) if token.isascii() else None
        if previews is None:
            messages.error(request, "That preview has expired; read the files or addresses again.")
            return redirect("admin:articles_article_import")
        cache.delete(self.cache_key(request, token))
        outcomes = []
        by_source: dict[str, list[EntryResult]] = {}
        for source, entry in previews:
            # What could not be read was shown in the preview; only stories are imported.
            if entry.story is not None:
                by_source.setdefault(source, []).append(entry)
        for source, entries in by_source.items():
            outcomes += import_entries(
                entries,
                label=source,
                replace=bool(request.POST.get("replace")),
                user=request.user,
            )
        return TemplateResponse(
            request,
            "admin/articles/article/import.html",
            self.context(request, form=ImportForm(), outcomes=outcomes),
        )


def import_urls(model_admin) -> list:
    """The Import page's URL, for the story admin's `get_urls()`."""
    return ImportViews(model_admin).urls
