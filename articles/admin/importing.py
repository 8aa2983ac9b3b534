"""The admin's Import page: upload files or paste addresses, see what was read, then import.

Submitting the form records an import job (`articles.ingest.jobs`) and nothing else: the task
worker fetches the addresses and reads the files. The job's page says what the worker is doing
(a small script asks `status.json` until it is done) and then shows, for every story found,
what the importer extracted: headline, dek, byline, dates, section, tags, image, paragraphs and
asides, or the one line saying why it cannot be imported. Its Import button has the worker save
exactly what was previewed, without fetching again; the page then links the stories. Addresses
on private networks are always refused here: the admin must not be a way into the newsroom's
own network (the command has `--allow-private` for that).

Needs `add_story`, `change_story` and `publish_story`: an import creates and publishes.
A job is its editor's own: another editor's job is "not found", like one that does not exist.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.ingest.jobs import (
    create_import_job,
    entry_from_json,
    resume_import_job,
    start_import,
)
from articles.ingest.models import ImportJob
from articles.models import Block, Story

PERMISSIONS = ("articles.add_story", "articles.change_story", "articles.publish_story")
MAX_FILES = 50
MAX_ADDRESSES = 20
RECENT_JOBS = 5
JOBS_LISTED = 50
# A job queued longer than this has not been picked up: the worker may not be running.
WORKER_WAIT = timedelta(seconds=30)
Status = ImportJob.Status


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
        help_text="Saved story pages (.html), feeds and WordPress exports (.xml), ninjs "
        "(.json) or the plain-text layout (.txt).",
    )
    addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        label="Addresses",
        help_text="Web addresses of story pages or feeds, one a line.",
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


class ImportViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    @property
    def urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="articles_story_import"),
            path("import/jobs/", view(self.jobs_view), name="articles_story_import_jobs"),
            path("import/<int:pk>/", view(self.job_view), name="articles_story_import_job"),
            path(
                "import/<int:pk>/status.json",
                view(self.job_status_view),
                name="articles_story_import_job_status",
            ),
        ]

    def context(self, request, **extra) -> dict:
        opts = self.model_admin.model._meta
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": "Import stories",
            "changelist_url": reverse("admin:articles_story_changelist"),
            "import_url": reverse("admin:articles_story_import"),
            "jobs_url": reverse("admin:articles_story_import_jobs"),
            **extra,
        }

    def check_permission(self, request) -> None:
        if not request.user.has_perms(PERMISSIONS):
            raise PermissionDenied

    def own_jobs(self, request):
        return ImportJob.objects.filter(requested_by=request.user)

    def listed_jobs(self, request, count: int) -> list[ImportJob]:
        # The previews and outcomes may be megabytes of text: a list needs neither.
        return list(self.own_jobs(request).defer("previews", "outcomes")[:count])

    def own_job(self, request, pk: int) -> ImportJob:
        job = self.own_jobs(request).filter(pk=pk).first()
        if job is None:
            raise Http404("No such import.")
        return job

    def import_view(self, request):
        self.check_permission(request)
        posted = request.method == "POST"
        form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            job = create_import_job(
                user=request.user,
                uploads=form.cleaned_data["files"],
                addresses=form.cleaned_data["addresses"],
                fetch_pages=form.cleaned_data["fetch_pages"],
            )
            return redirect(job)
        return TemplateResponse(
            request,
            "admin/articles/story/import.html",
            self.context(request, form=form, jobs=self.listed_jobs(request, RECENT_JOBS)),
        )

    def jobs_view(self, request):
        self.check_permission(request)
        return TemplateResponse(
            request,
            "admin/articles/story/import_jobs.html",
            self.context(
                request, title="Your imports", jobs=self.listed_jobs(request, JOBS_LISTED)
            ),
        )

    def job_view(self, request, pk: int):
        self.check_permission(request)
        job = self.own_job(request, pk)
        if request.method == "POST" and "resume" in request.POST:
            if not resume_import_job(job_id=job.pk):
                messages.warning(request, "This import is not waiting for a stopped worker.")
            return redirect(job)
        if request.method == "POST" and "import" in request.POST:
            if not start_import(job=job, replace=bool(request.POST.get("replace"))):
                # Read before the button was pressed: "ready" here means another press won.
                started = job.status in (Status.READY, Status.IMPORTING, Status.DONE)
                messages.warning(
                    request,
                    "This import has already been started."
                    if started
                    else "There is nothing to import until the worker has read the sources.",
                )
            return redirect(job)
        previews = [
            (preview["source"], entry_from_json(entry))
            for preview in job.previews
            for entry in preview["entries"]
        ]
        return TemplateResponse(
            request,
            "admin/articles/story/import_job.html",
            self.context(
                request,
                title=f"Import {job.pk}",
                job=job,
                waiting=job.waits_for_worker,
                stalled=stalled(job),
                abandoned_after=f"{ImportJob.ABANDONED_AFTER.seconds // 60} minutes",
                previews=previews,
                importable=sum(1 for _, entry in previews if entry.story is not None),
                outcomes=outcomes_with_stories(job.outcomes),
                aside_kind=Block.Kind.ASIDE,
                status_url=reverse("admin:articles_story_import_job_status", args=[job.pk]),
            ),
        )

    def job_status_view(self, request, pk: int):
        self.check_permission(request)
        job = self.own_jobs(request).filter(pk=pk).only("status", "status_changed_at").first()
        if job is None:
            return JsonResponse({"error": "No such import."}, status=404)
        return JsonResponse(
            {
                "status": job.status,
                "label": job.get_status_display(),
                "waiting": job.waits_for_worker,
                "stalled": stalled(job),
            }
        )


def stalled(job: ImportJob) -> bool:
    """Whether the worker may not be running (a job queued too long) or stopped in the middle
    of reading or importing the job (`ImportJob.abandoned`)."""
    if job.status == Status.QUEUED:
        return timezone.now() - job.status_changed_at > WORKER_WAIT
    return job.abandoned


def outcomes_with_stories(outcomes: list[dict]) -> list[dict]:
    """A job's outcomes, each with the story it saved as it is now (one query for all)."""
    ids = [outcome["story_id"] for outcome in outcomes if outcome.get("story_id")]
    stories = Story.objects.only("headline", "slug", "status", "published_at").in_bulk(ids)
    return [{**outcome, "story": stories.get(outcome.get("story_id"))} for outcome in outcomes]


def import_urls(model_admin) -> list:
    """The Import page's URLs, for the story admin's `get_urls()`."""
    return ImportViews(model_admin).urls
