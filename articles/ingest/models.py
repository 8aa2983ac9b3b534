"""The rows imports from the admin leave behind: the job and the files uploaded for it, and the
sources the newsroom follows.

An editor's Import page only records what was asked for; the task worker reads, previews and
imports (`articles.ingest.jobs`, `articles.ingest.tasks`). A followed source is checked by the
worker on its schedule (`articles.ingest.sources`). Imported by `articles.models` so that Django
finds them in the `articles` app (tables `articles_importjob`, `articles_importupload`,
`articles_followedsource`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ImportJob(models.Model):
    """One submission of the Import page: its sources, what was read from them, what was saved.

    `sources` lists what was submitted, in order: `{"kind": "file" | "address", "name": …}`
    (and `"refused": reason` for an upload over the size limit, which is never stored).
    `previews` holds, per source, what the worker read: `{"source": …, "entries": [{"label",
    "error", "story"}]}` where `story` is the extracted text and links as JSON (see
    `jobs.story_as_json`), never a page's HTML. `outcomes` holds one result per story imported.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        READING = "reading", "Reading"
        READY = "ready", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the job last moved on: its status changed, or the worker read a source, fetched an
    # address or saved a source's stories (how long it has waited, or been stuck).
    status_changed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sources = models.JSONField(default=list)
    fetch_pages = models.BooleanField(default=False)
    replace = models.BooleanField(default=False)
    previews = models.JSONField(default=list, blank=True)
    outcomes = models.JSONField(default=list, blank=True)
    # Why the job failed, in one line (the worker's log has the rest).
    error = models.CharField(max_length=300, blank=True)

    # The worker notes every source read, address fetched and source imported, and a fetch gives
    # up within a minute (robots.txt included): a job reading or importing with no news for this
    # long was left by a worker that stopped (a restart, a deploy, a crash).
    ABANDONED_AFTER = timedelta(minutes=10)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="importjob_owner_idx")]
        verbose_name = "import job"

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:articles_story_import_job", args=[self.pk])

    @property
    def sources_summary(self) -> str:
        """The first source's name, and how many others there are."""
        if not self.sources:
            return "nothing"
        others = len(self.sources) - 1
        first = self.sources[0]["name"]
        return f"{first} and {others} more" if others else first

    @property
    def abandoned(self) -> bool:
        """Whether a worker stopped in the middle of reading or importing this job."""
        return (
            self.status in (self.Status.READING, self.Status.IMPORTING)
            and timezone.now() - self.status_changed_at > self.ABANDONED_AFTER
        )

    @property
    def waits_for_worker(self) -> bool:
        """Whether the task worker has work to do on this job (reading or importing)."""
        return self.status in (self.Status.QUEUED, self.Status.READING, self.Status.IMPORTING)


class ImportUpload(models.Model):
    """An uploaded file's bytes, kept until the worker has read them (then deleted).

    In the database rather than under MEDIA_ROOT: media are served to anyone who has the
    address, and an editor's upload is not for readers.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="uploads")
    position = models.PositiveIntegerField(help_text="Its place in the job's sources.")
    name = models.CharField(max_length=255)
    data = models.BinaryField()

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="importupload_unique_position")
        ]

    def __str__(self) -> str:
        return self.name


class FollowedSource(models.Model):
    """A feed or story page the newsroom follows: the task worker imports it every `every`
    minutes, so new entries arrive and the publisher's changes to stories already here become
    dated versions (`articles.ingest.sources`).

    `next_check_at` is the moment the one queued check is for; None while paused. A queued check
    for another moment (the source was paused, resumed or rescheduled since) does nothing.
    """

    class Every(models.IntegerChoices):
        QUARTER_HOUR = 15, "Every 15 minutes"
        HOUR = 60, "Every hour"
        SIX_HOURS = 360, "Every 6 hours"
        DAY = 1440, "Every day"

    url = models.URLField(
        "address",
        max_length=500,
        unique=True,
        help_text="A feed (RSS, Atom) or a story page, http(s).",
    )
    every = models.PositiveIntegerField(choices=Every.choices, default=Every.HOUR)
    fetch_pages = models.BooleanField(
        "read each entry's page",
        default=False,
        help_text="For a feed that carries summaries only: each entry's page is read for its text.",
    )
    new_as_drafts = models.BooleanField(
        "import new stories as drafts",
        default=True,
        help_text="An editor reviews and publishes each new story. Unticked, new stories are "
        "published as they arrive. Stories already here keep the status the newsroom gave them; "
        "one the source withdraws becomes a draft.",
    )
    active = models.BooleanField(
        default=True, help_text="Untick to pause: nothing is fetched until it is ticked again."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_sources",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_check_at = models.DateTimeField("next check", null=True, blank=True, editable=False)
    last_checked_at = models.DateTimeField("last checked", null=True, blank=True, editable=False)
    checks = models.PositiveIntegerField(default=0, editable=False)
    # The last check in one line: "2 created, 14 unchanged, 1 failed".
    last_summary = models.CharField("found", max_length=300, blank=True, editable=False)
    # What went wrong in the last check, if anything: the source itself, or its first entries.
    last_error = models.TextField("problems", blank=True, editable=False)

    class Meta:
        ordering = ["url"]
        verbose_name = "followed source"

    def __str__(self) -> str:
        return self.url
