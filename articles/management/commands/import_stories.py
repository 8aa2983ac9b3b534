"""`manage.py import_stories PATH_OR_URL...`: import stories from files, folders and addresses.

Files and folders hold the plain-text layout (`.txt`), saved story pages (`.html`), RSS or Atom
feeds and WordPress exports (`.xml`, `.rss`, `.atom`) and ninjs (`.json`); addresses are fetched
(`--allow-private` for hosts on a private network). `--url ADDRESS --every 1h` follows addresses:
it imports them again every hour, recording what the publisher changed
(`articles.ingest.following`).
"""

import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.data.plaintext import story_files
from articles.ingest.fetching import Fetcher, FetchPolicy
from articles.ingest.following import follow_stories
from articles.ingest.importing import (
    DOCUMENT_SUFFIXES,
    count_outcomes,
    import_paths,
    import_url,
)

DURATION = re.compile(r"^(?P<number>\d+)(?P<unit>[smhd])$")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(value: str) -> int:
    match = DURATION.match(value.strip())
    if not match or int(match["number"]) == 0:
        raise ValueError(value)
    return int(match["number"]) * SECONDS[match["unit"]]


def is_address(value: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value))


class Command(BaseCommand):
    help = (
        "Import stories from files, folders or web addresses: the plain-text layout, saved "
        "story pages, RSS/Atom feeds, WordPress exports and ninjs. Re-importing a story "
        "updates it in place. --url ... --every 1h follows addresses and records each change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sources", nargs="*", help="Files, folders, or http(s) addresses to fetch"
        )
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            dest="urls",
            help="An address to import (and follow with --every); may be repeated.",
        )
        parser.add_argument(
            "--every",
            type=duration,
            metavar="DURATION",
            help='Follow the addresses: import them again every DURATION ("30m", "1h", "1d").',
        )
        parser.add_argument(
            "--rounds", type=int, default=0, help="With --every: stop after this many rounds."
        )
        parser.add_argument(
            "--fetch",
            action="store_true",
            help="Fetch the linked page of a feed entry that carries no full text.",
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Allow fetching from loopback and private-network addresses.",
        )
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds to wait for a server (10)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processes that read pages in parallel (files only; the default is 1).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Let a source update a story that was imported from elsewhere.",
        )

    def handle(
        self,
        *args,
        sources,
        urls,
        every,
        rounds,
        fetch,
        allow_private,
        timeout,
        workers,
        replace,
        **options,
    ):
        urls = list(urls) + [s for s in sources if is_address(s)]
        paths = [Path(s) for s in sources if not is_address(s)]
        if not urls and not paths:
            raise CommandError("Name files, folders or addresses to import.")
        if every and (paths or not urls):
            raise CommandError("--every follows addresses: give them with --url, and no files.")
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        self.verbosity = options["verbosity"]
        policy = FetchPolicy(allow_private=allow_private, timeout=timeout)
        fetcher = Fetcher(policy)
        if every:
            self.follow(
                urls, fetcher=fetcher, every=every, rounds=rounds, fetch=fetch, replace=replace
            )
            return

        named = {p for p in paths if p.is_file()}
        found = story_files(paths, suffixes=DOCUMENT_SUFFIXES)
        for message in found.skipped:
            self.stderr.write(self.style.WARNING(message))
        if paths and not found.files and not urls:
            raise CommandError("No story files found.")
        outcomes = []
        queued: list[int] = []
        for outcome in import_paths(
            found.files,
            fetcher=fetcher if fetch else None,
            replace=replace,
            workers=workers,
            queued=queued,
        ):
            outcomes.append(outcome)
            self.report(outcome, skippable=Path(outcome.label.split(": ")[0]) not in named)
        if queued:
            whose = "1 story’s" if len(queued) == 1 else f"{len(queued)} stories’"
            self.stdout.write(
                f"{whose} search entries and related lists queued for the task worker "
                "(`manage.py db_worker`; `make run` starts it)."
            )
        for url in urls:
            for outcome in import_url(url, fetcher=fetcher, fetch_pages=fetch, replace=replace):
                outcomes.append(outcome)
                self.report(outcome)
        self.summarise(outcomes)

    def report(self, outcome, *, skippable: bool = False) -> None:
        if outcome.failed and outcome.unknown_format and skippable:
            # A folder may hold other files (notes, images' metadata): say so, not "failed".
            # Quietly unless asked: `seeds/` keeps its notes' JSON beside the stories.
            outcome.status = "skipped"
            if self.verbosity > 1:
                self.stderr.write(self.style.WARNING(f"skipped: {outcome}"))
            return
        if outcome.failed:
            self.stderr.write(self.style.ERROR(f"error: {outcome}"))
            return
        if outcome.status == "unchanged" and self.verbosity < 2:
            # A re-run that changes nothing says so in its summary alone (more with -v 2).
            return
        self.stdout.write(str(outcome))
        for aside in outcome.unresolved_asides:
            self.stdout.write(f"  unresolved aside: {aside.teaser}")

    def summarise(self, outcomes) -> None:
        counts = count_outcomes(outcomes)
        summary = (
            f"{counts['created']} created, {counts['updated']} updated, "
            + f"{counts['unchanged']} unchanged, "
            + f"{counts['failed']} failed"
        )
        failed = [str(o) for o in outcomes if o.failed]
        if failed:
            raise CommandError(f"{summary}:\n  " + "\n  ".join(failed))
        self.stdout.write(self.style.SUCCESS(summary))

    def follow(self, urls, *, fetcher, every: int, rounds: int, fetch: bool, replace: bool):
        done = 0
        while True:
            started = time.monotonic()
            outcomes = follow_stories(
                urls=urls, fetcher=fetcher, fetch_pages=fetch, replace=replace
            )
            for outcome in outcomes:
                self.report(outcome)
            changed = sum(o.status in ("created", "updated") for o in outcomes)
            failed = sum(o.failed for o in outcomes)
            self.stdout.write(
                f"round {done + 1}: {len(outcomes)} followed, {changed} changed, {failed} failed"
            )
            done += 1
            if rounds and done >= rounds:
                return
            # A fresh robots.txt each round: sites change theirs too.
            fetcher.robots.clear()
            time.sleep(max(0.0, every - (time.monotonic() - started)))
