"""The importer's entry points: files, folders, addresses and uploaded bytes, in any format.

`manage.py import_stories`, the admin's Import page and `follow_stories` all come here. Each
story (a file of the plain-text layout, a page, one entry of a feed or export) is imported whole
or not at all, and gets an `Outcome`: created, updated, unchanged, or failed with one line that
says why. Nothing here raises for bad input.
"""

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction

from articles.data import plaintext
from articles.editing.refresh import stories_changed_on_commit, unique_story_ids
from articles.ingest.documents import PLAINTEXT, decode, read_document, read_limited, sniff
from articles.ingest.fetching import Fetcher
from articles.ingest.saving import save_ingested_story
from articles.ingest.story import EntryResult, IngestError, UnknownFormat
from articles.models import Block, Story

# Stories saved per commit when many files are imported (see `import_paths`).
COMMIT_EVERY = 50
# What a folder's files are imported from: the plain-text layout and every other format.
DOCUMENT_SUFFIXES = {".txt", ".html", ".htm", ".xml", ".rss", ".atom", ".json"}


@dataclass
class Outcome:
    label: str
    status: str  # "created", "updated", "unchanged" or "failed"
    message: str = ""
    story: Story | None = None
    unresolved_asides: list[Block] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    unknown_format: bool = False

    def __str__(self) -> str:
        if self.story is None:
            # The plain-text importer's messages already start with the file ("path:line: …").
            if self.message.startswith(f"{self.label}:"):
                return self.message
            return f"{self.label}: {self.message}"
        return f"{self.status}: {self.story.headline} ({self.label})"


def _failure(label: str, error: Exception) -> Outcome:
    if isinstance(error, ValidationError):
        fields = ", ".join(sorted(error.message_dict)) if hasattr(error, "error_dict") else ""
        message = f"a value the archive cannot hold ({fields or 'invalid'})"
    elif isinstance(error, DatabaseError):
        message = f"the database refused it ({type(error).__name__})"
    elif isinstance(error, OSError):
        message = error.strerror or type(error).__name__
    else:
        message = str(error)
    return Outcome(
        label=label,
        status="failed",
        message=message,
        unknown_format=isinstance(error, UnknownFormat),
    )


OUTCOME_STATUSES = ("created", "updated", "unchanged", "failed")


def count_outcomes(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """How many outcomes of each status, in `OUTCOME_STATUSES` order (zeros included)."""
    counts = dict.fromkeys(OUTCOME_STATUSES, 0)
    for outcome in outcomes:
        if outcome.status in counts:
            counts[outcome.status] += 1
    return counts


def outcome_status(result) -> str:
    """What an import did to a story, as the command and the Import page report it."""
    return "created" if result.created else ("updated" if result.changed else "unchanged")


def import_entries(
    entries: Iterable[EntryResult],
    *,
    label: str,
    replace: bool = False,
    user=None,
    refresh_later: list[int] | None = None,
    new_as_drafts: bool = False,
) -> list[Outcome]:
    """Save each story read from a document; each entry in its own transaction; stories new to
    the archive are drafts with `new_as_drafts` (see `saving._status`).

    The stories' search entries and related lists are refreshed once at the end, or by the
    caller when it passes `refresh_later` (see `save_ingested_story`).
    """
    refresh_here = refresh_later is None
    refresh_later = [] if refresh_later is None else refresh_later
    outcomes = []
    entries = list(entries)
    for entry in entries:
        where = label if len(entries) == 1 else f"{label}: {entry.label}"
        if entry.story is None:
            outcomes.append(Outcome(label=where, status="failed", message=entry.error))
            continue
        try:
            if entry.story.format == PLAINTEXT:
                result = plaintext.save_story(
                    entry.story.original,
                    import_key=entry.story.identity,
                    import_source=label,
                    replace=replace,
                )
            else:
                result = save_ingested_story(
                    ingested=entry.story,
                    replace=replace,
                    user=user,
                    refresh_later=refresh_later,
                    new_as_draft=new_as_drafts,
                )
        except (
            IngestError,
            plaintext.ImportConflictError,
            ValidationError,
            DatabaseError,
        ) as error:
            outcomes.append(_failure(where, error))
            continue
        except Exception as error:  # noqa: BLE001 - one bad entry must not stop the others
            outcomes.append(Outcome(label=where, status="failed", message=str(error)))
            continue
        outcomes.append(
            Outcome(
                label=where,
                status=outcome_status(result),
                story=result.story,
                unresolved_asides=result.unresolved_asides,
            )
        )
    if refresh_here:
        stories_changed_on_commit(story_ids=refresh_later)
    return outcomes


def _page_reader(fetcher: Fetcher | None):
    """What a feed calls to read an entry's linked page, when fetching is allowed."""
    if fetcher is None:
        return None

    def read_page(url: str) -> list[EntryResult]:
        fetched = fetcher.fetch(url)
        return read_document(
            fetched.data,
            url=fetched.url,
            content_type=fetched.content_type,
            charset=fetched.charset,
        )

    return read_page


def preview_bytes(
    data: bytes, *, name: str = "", url: str = "", fetcher: Fetcher | None = None, **http
) -> list[EntryResult]:
    """What a document holds, read but not saved (the admin's preview)."""
    if sniff(data, name=name, content_type=http.get("content_type", "")) == PLAINTEXT:
        story = plaintext.parse_story(decode(data, declared=http.get("charset", "")), source=name)
        return [EntryResult(label=name, story=plaintext_as_ingested(story, name=name))]
    return read_document(data, name=name, url=url, fetch_page=_page_reader(fetcher), **http)


def plaintext_as_ingested(story: plaintext.ParsedStory, *, name: str):
    """A plain-text story in the shape the preview shows (it is saved by its own importer)."""
    from articles.ingest.story import IngestedStory

    return IngestedStory(
        identity=Path(name).stem,
        headline=story.headline,
        blocks=story.blocks,
        format=PLAINTEXT,
        dek=story.dek,
        authors=story.authors,
        published_at=story.published_at,
        section=story.section,
        image_credit=story.image_credit,
        original=story,
    )


def import_bytes(
    data: bytes,
    *,
    name: str,
    url: str = "",
    content_type: str = "",
    charset: str = "",
    fetcher: Fetcher | None = None,
    replace: bool = False,
    user=None,
    refresh_later: list[int] | None = None,
    new_as_drafts: bool = False,
) -> list[Outcome]:
    """Import a document given as bytes (an upload, a fetched body). `new_as_drafts` applies to
    the formats read into stories (pages, feeds, exports, ninjs); the plain-text layout says
    nothing of status and its stories are published."""
    label = url or name
    try:
        if sniff(data, name=name, content_type=content_type) == PLAINTEXT:
            story = plaintext.parse_story(decode(data, declared=charset), source=name)
            result = plaintext.save_story(
                story, import_key=Path(name).stem, import_source=url or name, replace=replace
            )
            return [
                Outcome(
                    label=label,
                    status=outcome_status(result),
                    story=result.story,
                    unresolved_asides=result.unresolved_asides,
                )
            ]
        entries = read_document(
            data,
            name=name,
            url=url,
            content_type=content_type,
            charset=charset,
            fetch_page=_page_reader(fetcher),
        )
    except (
        IngestError,
        plaintext.ImportFormatError,
        plaintext.ImportConflictError,
        ValidationError,
        DatabaseError,
    ) as error:
        return [_failure(label, error)]
    if not entries:
        return [Outcome(label=label, status="failed", message="no stories in it")]
    return import_entries(
        entries,
        label=label,
        replace=replace,
        user=user,
        refresh_later=refresh_later,
        new_as_drafts=new_as_drafts,
    )


def import_path(
    path: Path,
    *,
    fetcher: Fetcher | None = None,
    replace: bool = False,
    user=None,
    refresh_later: list[int] | None = None,
) -> list[Outcome]:
    """Import one file: the plain-text layout as before (its name is its identity), any other
    format by what it holds."""
    if path.suffix == ".txt":
        try:
            result = plaintext.import_story_file(path, replace=replace, refresh_later=refresh_later)
        except (plaintext.ImportFormatError, plaintext.ImportConflictError) as error:
            return [Outcome(label=str(path), status="failed", message=str(error))]
        except (OSError, ValidationError, DatabaseError) as error:
            return [_failure(str(path), error)]
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
            return [Outcome(label=str(path), status="failed", message=str(error))]
        return [
            Outcome(
                label=str(path),
                status=outcome_status(result),
                story=result.story,
                unresolved_asides=result.unresolved_asides,
            )
        ]
    try:
        data = read_limited(path)
    except (IngestError, OSError) as error:
        return [_failure(str(path), error)]
    return import_bytes(
        data,
        name=str(path),
        fetcher=fetcher,
        replace=replace,
        user=user,
        refresh_later=refresh_later,
    )


def import_url(
    url: str,
    *,
    fetcher: Fetcher,
    fetch_pages: bool = False,
    replace: bool = False,
    user=None,
    new_as_drafts: bool = False,
) -> list[Outcome]:
    """Fetch an address and import what it holds (a page, a feed, an export, ninjs); with
    `fetch_pages`, a feed's entries without full text are imported from their pages; with
    `new_as_drafts`, stories new to the archive are drafts."""
    try:
        fetched = fetcher.fetch(url)
    except IngestError as error:
        return [_failure(url, error)]
    return import_bytes(
        fetched.data,
        name=fetched.url.rsplit("/", 1)[-1],
        url=fetched.url,
        content_type=fetched.content_type,
        charset=fetched.charset,
        fetcher=fetcher if fetch_pages else None,
        replace=replace,
        user=user,
        new_as_drafts=new_as_drafts,
    )


def _read_path(path: Path) -> list[EntryResult] | Outcome:
    """Read and parse one non-plain-text file without touching the database (runs in workers)."""
    try:
        data = read_limited(path)
        if sniff(data, name=str(path)) == PLAINTEXT:
            return Outcome(label=str(path), status="plaintext")
        entries = read_document(data, name=str(path))
    except (IngestError, OSError) as error:
        return _failure(str(path), error)
    if not entries:
        return Outcome(label=str(path), status="failed", message="no stories in it")
    return entries


def import_paths(
    paths: list[Path],
    *,
    fetcher: Fetcher | None = None,
    replace: bool = False,
    user=None,
    workers: int = 1,
    queued: list[int] | None = None,
) -> Iterator[Outcome]:
    """Import many files in order, reading pages in `workers` processes when more than one.

    Extraction (parsing HTML, trafilatura) needs no database, so workers read while this
    process saves, one story at a time, in file order. Each story is saved whole or not at all
    (its own savepoint); stories are committed `COMMIT_EVERY` at a time, because a commit
    waits for the disk and costs more than saving a story. Outcomes are reported once their
    stories are committed. A feed whose entries need their pages fetched is read here
    (`fetcher`), not in workers. At the end, the refresh of every story saved (search entries,
    then related lists) is queued for the task worker, not done here: about 80 ms a story.
    `queued`, when given, receives their ids.
    """
    refresh_later: list[int] = []
    parallel = workers > 1 and fetcher is None and len(paths) > 1
    try:
        if parallel:
            others = [path for path in paths if path.suffix != ".txt"]
            connections.close_all()  # a forked worker must not share the parent's connection
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork")
            )
            read = iter(pool.map(_read_path, others, chunksize=4))
        for start in range(0, len(paths), COMMIT_EVERY):
            batch: list[Outcome] = []
            with transaction.atomic():
                for path in paths[start : start + COMMIT_EVERY]:
                    parsed = next(read) if parallel and path.suffix != ".txt" else None
                    if parsed is None or (
                        isinstance(parsed, Outcome) and parsed.status == "plaintext"
                    ):
                        batch += import_path(
                            path,
                            fetcher=fetcher,
                            replace=replace,
                            user=user,
                            refresh_later=refresh_later,
                        )
                    elif isinstance(parsed, Outcome):
                        batch.append(parsed)
                    else:
                        batch += import_entries(
                            parsed,
                            label=str(path),
                            replace=replace,
                            user=user,
                            refresh_later=refresh_later,
                        )
            yield from batch
    finally:
        if parallel:
            pool.shutdown(cancel_futures=True)
        # Search entries and related lists of everything imported, queued at the end.
        stories_changed_on_commit(story_ids=refresh_later)
        if queued is not None:
            queued.extend(unique_story_ids(refresh_later))
