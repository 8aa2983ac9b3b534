"""Import jobs: the admin's Import page records a job; the task worker reads, then imports it.

1. `create_import_job` (in the editor's request) stores what was submitted: uploaded files'
   bytes (within the size limit) and addresses. Nothing is fetched or parsed there.
2. `read_import_job` (task `read_import_sources`) fetches every address, with the admin's
   policy (private networks always refused, timeouts, robots.txt, size caps), reads every
   document and stores what was extracted as JSON: text and links, never a page's HTML. The
   uploaded bytes are deleted once read.
3. `start_import` (the editor's Import button) and `import_job_stories` (task) save exactly what
   was previewed, with the importer's saving code, each story whole or not at all.

A task that fails marks its job failed with a one-line reason instead of leaving it waiting.
A worker that stops mid-task (a restart, a deploy) cannot: the job's page then offers to queue
the unfinished step again (`resume_import_job`), which is safe to repeat. Jobs are deleted
after a while by `manage.py prune_import_jobs`.
"""

from dataclasses import asdict, fields
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from articles.data.plaintext import ParsedStory
from articles.ingest.blocks import ParsedBlock
from articles.ingest.documents import MAX_DOCUMENT_BYTES
from articles.ingest.fetching import COMMAND_HINT, Fetcher, FetchPolicy
from articles.ingest.importing import import_entries, preview_bytes
from articles.ingest.models import ImportJob, ImportUpload
from articles.ingest.story import EntryResult, IngestedStory, IngestError

FILE = "file"
ADDRESS = "address"
Status = ImportJob.Status


# What was read, as JSON and back.


def _blocks_as_json(blocks: list[ParsedBlock]) -> list[dict]:
    return [asdict(block) for block in blocks]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def story_as_json(story: IngestedStory) -> dict:
    """A story read from a source, as the job keeps it (every field is text, a list or a time)."""
    data = {f.name: getattr(story, f.name) for f in fields(IngestedStory) if f.name != "original"}
    data.update(
        blocks=_blocks_as_json(story.blocks),
        published_at=_time(story.published_at),
        updated_at=_time(story.updated_at),
    )
    if isinstance(story.original, ParsedStory):
        original = asdict(story.original)
        original.update(
            blocks=_blocks_as_json(story.original.blocks),
            published_at=_time(story.original.published_at),
        )
        data["original"] = original
    return data


def story_from_json(data: dict) -> IngestedStory:
    data = dict(data)
    original = data.pop("original", None)
    if original is not None:
        original = ParsedStory(
            **{
                **original,
                "blocks": [ParsedBlock(**block) for block in original["blocks"]],
                "published_at": _parse_time(original["published_at"]),
            }
        )
    return IngestedStory(
        **{
            **data,
            "blocks": [ParsedBlock(**block) for block in data["blocks"]],
            "published_at": _parse_time(data["published_at"]),
            "updated_at": _parse_time(data["updated_at"]),
        },
        original=original,
    )


def entry_as_json(entry: EntryResult) -> dict:
    return {
        "label": entry.label,
        "error": entry.error,
        "story": story_as_json(entry.story) if entry.story is not None else None,
    }


def entry_from_json(data: dict) -> EntryResult:
    story = data.get("story")
    return EntryResult(
        label=data["label"],
        error=data.get("error", ""),
        story=story_from_json(story) if story is not None else None,
    )


# Step 1: the editor's request.


def create_import_job(*, user, uploads, addresses: list[str], fetch_pages: bool) -> ImportJob:
    """Record a submission and queue its reading (after commit). `uploads` are Django's
    uploaded files; one over the size limit is recorded as refused, its bytes never stored."""
    sources: list[dict] = []
    stored: list[tuple[int, str, bytes]] = []
    for upload in uploads:
        name = (upload.name or "upload")[:255]
        if upload.size > MAX_DOCUMENT_BYTES:
            sources.append(
                {"kind": FILE, "name": name, "refused": f"larger than {MAX_DOCUMENT_BYTES:,} bytes"}
            )
            continue
        stored.append((len(sources), name, upload.read()))
        sources.append({"kind": FILE, "name": name})
    sources += [{"kind": ADDRESS, "name": address} for address in addresses]
    with transaction.atomic():
        job = ImportJob.objects.create(requested_by=user, sources=sources, fetch_pages=fetch_pages)
        ImportUpload.objects.bulk_create(
            ImportUpload(job=job, position=position, name=name, data=data)
            for position, name, data in stored
        )
        transaction.on_commit(lambda: _enqueue_reading(job.pk))
    return job


def _enqueue_reading(job_id: int) -> None:
    from articles.ingest.tasks import read_import_sources

    read_import_sources.enqueue(job_id=job_id)


def _enqueue_import(job_id: int) -> None:
    from articles.ingest.tasks import import_job_stories

    import_job_stories.enqueue(job_id=job_id)


# Step 2: the worker reads.


def _moved_on(job_id: int, status: str) -> None:
    """Note that the worker is getting on with the job (see `ImportJob.abandoned`)."""
    ImportJob.objects.filter(pk=job_id, status=status).update(status_changed_at=timezone.now())


class JobFetcher(Fetcher):
    """The admin's fetcher, noting after every fetch that the job is moving on: one source
    (a feed whose pages are fetched) may take many fetches."""

    def __init__(self, policy: FetchPolicy, *, job_id: int):
        super().__init__(policy)
        self.job_id = job_id

    def fetch(self, url: str):
        try:
            return super().fetch(url)
        finally:
            _moved_on(self.job_id, Status.READING)


def _claim(job_id: int, *, was: str, now: str) -> bool:
    """Move a job from one status to the next, unless something else already did."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=was).update(
            status=now, status_changed_at=timezone.now()
        )
    )


def _reason(error: Exception) -> str:
    if isinstance(error, IngestError):
        return str(error)
    # The plain-text layout's errors name the upload and line; others only their kind.
    text = str(error)
    return (
        text if ":" in text and "\n" not in text else f"could not be read ({type(error).__name__})"
    )


def read_source(source: dict, *, data: bytes | None, fetcher: Fetcher, fetch_pages: bool):
    """The entries of one submitted source, each a story or the one line saying why not."""
    name = source["name"]
    if source.get("refused"):
        return [EntryResult(label=name, error=source["refused"])]
    if source["kind"] == ADDRESS:
        try:
            fetched = fetcher.fetch(name)
        except IngestError as error:
            # The command's remedy means nothing on the Import page, which never allows it.
            return [EntryResult(label=name, error=str(error).replace(COMMAND_HINT, ""))]
        data = fetched.data
        http = {
            "name": fetched.url.rsplit("/", 1)[-1],
            "url": fetched.url,
            "content_type": fetched.content_type,
            "charset": fetched.charset,
        }
    elif data is None:
        return [EntryResult(label=name, error="its bytes are no longer stored")]
    else:
        http = {"name": name}
    try:
        entries = preview_bytes(data, fetcher=fetcher if fetch_pages else None, **http)
    except Exception as error:  # noqa: BLE001 - one bad document must not stop the others
        return [EntryResult(label=name, error=_reason(error))]
    return entries or [EntryResult(label=name, error="no stories in it")]


def read_import_job(*, job_id: int) -> bool:
    """Read every source of a queued job and store what was read; False if it was not queued."""
    if not _claim(job_id, was=Status.QUEUED, now=Status.READING):
        return False
    try:
        previews = _read_previews(ImportJob.objects.get(pk=job_id))
        with transaction.atomic():
            ImportUpload.objects.filter(job_id=job_id).delete()
            ImportJob.objects.filter(pk=job_id, status=Status.READING).update(
                status=Status.READY, previews=previews, status_changed_at=timezone.now()
            )
    except Exception as error:
        fail_job(job_id=job_id, stage="reading", error=error)
        raise
    return True


def _read_previews(job: ImportJob) -> list[dict]:
    fetcher = JobFetcher(FetchPolicy(allow_private=False), job_id=job.pk)
    previews = []
    for position, source in enumerate(job.sources):
        data = None
        if source["kind"] == FILE and not source.get("refused"):
            # One upload in memory at a time.
            data = (
                ImportUpload.objects.filter(job_id=job.pk, position=position)
                .values_list("data", flat=True)
                .first()
            )
            data = bytes(data) if data is not None else None  # PostgreSQL gives a memoryview
        entries = read_source(source, data=data, fetcher=fetcher, fetch_pages=job.fetch_pages)
        previews.append(
            {
                "source": source["name"],
                "kind": source["kind"],
                "entries": [entry_as_json(entry) for entry in entries],
            }
        )
        _moved_on(job.pk, Status.READING)
    return previews


# Step 3: the editor asks, the worker imports.


def start_import(*, job: ImportJob, replace: bool) -> bool:
    """Queue the import of a job that is ready; False when it is not (already started)."""
    with transaction.atomic():
        started = bool(
            ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
                status=Status.IMPORTING, replace=replace, status_changed_at=timezone.now()
            )
        )
        if started:
            transaction.on_commit(lambda: _enqueue_import(job.pk))
    return started


def import_job_entries(*, job_id: int) -> bool:
    """Save the stories a job previewed; False if the job was not waiting to be imported."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != Status.IMPORTING or job.outcomes:
        return False
    outcomes: list[dict] = []
    try:
        for preview in job.previews:
            # What could not be read was shown in the preview; only stories are imported.
            entries = [
                entry_from_json(entry) for entry in preview["entries"] if entry["story"] is not None
            ]
            if not entries:
                continue
            for outcome in import_entries(
                entries, label=preview["source"], replace=job.replace, user=job.requested_by
            ):
                outcomes.append(
                    {
                        "label": outcome.label,
                        "status": outcome.status,
                        "message": outcome.message,
                        "story_id": outcome.story.pk if outcome.story else None,
                        "unresolved_asides": len(outcome.unresolved_asides),
                    }
                )
            _moved_on(job_id, Status.IMPORTING)
    except Exception as error:
        fail_job(job_id=job_id, stage="importing", error=error, outcomes=outcomes)
        raise
    ImportJob.objects.filter(pk=job_id, status=Status.IMPORTING).update(
        status=Status.DONE, outcomes=outcomes, status_changed_at=timezone.now()
    )
    return True


# A worker that stopped.


def resume_import_job(*, job_id: int) -> bool:
    """Queue again the step a stopped worker left unfinished; False unless it was abandoned.

    Both steps are safe to repeat: reading stores nothing until every source is read (the
    uploads are still there), and importing saves each story whole or not at all, so a story
    the stopped worker saved is found again by its identity and reported, not duplicated.
    """
    cutoff = timezone.now() - ImportJob.ABANDONED_AFTER
    with transaction.atomic():
        abandoned = ImportJob.objects.filter(pk=job_id, status_changed_at__lt=cutoff)
        if abandoned.filter(status=Status.READING).update(
            status=Status.QUEUED, status_changed_at=timezone.now()
        ):
            transaction.on_commit(lambda: _enqueue_reading(job_id))
            return True
        if abandoned.filter(status=Status.IMPORTING).update(status_changed_at=timezone.now()):
            transaction.on_commit(lambda: _enqueue_import(job_id))
            return True
    return False


def prune_import_jobs(*, older_than: timedelta) -> int:
    """Delete the jobs (with any uploads) that have not moved on for `older_than`: their
    previews and outcomes were for the editor at the time. Returns how many were deleted."""
    cutoff = timezone.now() - older_than
    deleted, by_model = ImportJob.objects.filter(status_changed_at__lt=cutoff).delete()
    return by_model.get(ImportJob._meta.label, 0)


def fail_job(*, job_id: int, stage: str, error: BaseException, outcomes=None) -> None:
    """Mark a job failed with a one-line reason (the worker's log has the traceback)."""
    changes = {
        "status": Status.FAILED,
        "error": f"The worker stopped while {stage} ({type(error).__name__}).",
        "status_changed_at": timezone.now(),
    }
    if outcomes:
        changes["outcomes"] = outcomes
    ImportJob.objects.filter(pk=job_id).exclude(status=Status.DONE).update(**changes)
    # The uploads will not be read again.
    ImportUpload.objects.filter(job_id=job_id).delete()
