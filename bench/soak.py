"""Soak test: readers and one editor at once against gunicorn on 127.0.0.1, for a bounded time.

    .venv/bin/python bench/soak.py                       # 1,000 stories, 60 s, 64 readers
    .venv/bin/python bench/soak.py --stories 1000 --seconds 60 --readers 64
    .venv/bin/python bench/soak.py --help

The corpus database `newsroom_bench_<stories>` is prepared by `bench/run.py`'s own functions
(created, migrated and loaded on first use, then kept) and copied to `newsroom_soak_<stories>`
(`CREATE DATABASE … TEMPLATE`), which gunicorn serves with `newsroom.settings.bench` and
`--workers` sync workers (as production runs it), bound to a free port on 127.0.0.1. The
editor writes only to the copy, so the benchmark's numbers stay comparable and every soak
starts from the same state; `--in-place` writes into the corpus database itself instead.

Sync workers answer one request at a time and close each connection (no keep-alive), so 64
readers on 2 workers mostly wait in the listen backlog (2,048, far above 64): latency is
queueing, which is what a saturated host looks like. Threads (`gthread`) would keep
connections alive but add no CPU on two cores, and the point here is that nothing fails, not
speed; more workers can be asked for with `--workers`.

For `--seconds`, `--readers` threads fetch a mix of reader pages with `http.client` (the seed
story, random stories, the front page and its pages 2-5, sections, tags, authors, searches,
feeds, the seed story's note container, sitemaps), each request with a timeout, and
record every status and latency. Meanwhile one editor works through the admin over HTTP as a
signed-in superuser would: every `--edit-interval` seconds it saves a story's change form with a
new headline and dek, or with a paragraph's text changed (so the admin's `save_formset`
re-anchors that paragraph's notes), or creates a note through the annotate screen's JSON
endpoint, on the seed story and a few stories the readers also read.

Then the readers stop, the edited story pages are read once more (each must show its latest
headline: no stale page cache), gunicorn stops, and the database is checked: every headline,
dek and paragraph text the editor saved is the row's value unless a later save of its own
replaced it, each story's version moved on once per save (no lost or doubled save), and every
note exists, anchored, its quote equal to its paragraph's text at its offsets. The run fails
(exit 1) on any 5xx, connection error or other unexpected status, any failed write or any
check that does not hold. Gunicorn's error log, with Django's, is kept in the work directory;
a failed run also keeps its database copy for inspection.
"""

import argparse
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 - bench/run.py, beside this file

EDITOR_USERNAME = "soak-editor"
HOT_STORIES = 3  # corpus stories the editor edits besides the seed story
MARKER = re.compile(r"\s?\[soak \d+\]\s?")
CLONE_WAIT = 30.0  # seconds to wait for other sessions to leave the corpus database


# Configuration


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--seconds", type=int, default=60, help="soak length (default 60)")
    parser.add_argument("--readers", type=int, default=64, help="concurrent readers (default 64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--edit-interval",
        type=float,
        default=0.5,
        help="seconds between the editor's writes, at least (default 0.5)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per request, at most (default 30)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus and traffic seed (default 1)")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="write into newsroom_bench_<stories> itself instead of a copy",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database copy after a passing run"
    )
    args = parser.parse_args()
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds is 1 to 3600")
    if not 1 <= args.readers <= 512:
        parser.error("--readers is 1 to 512")
    if not 1 <= args.workers <= 16:
        parser.error("--workers is 1 to 16")
    if not 0.05 <= args.edit_interval <= 60:
        parser.error("--edit-interval is 0.05 to 60 seconds")
    if not 1 <= args.timeout <= 120:
        parser.error("--timeout is 1 to 120 seconds")
    if urlsplit(args.postgres).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("--postgres must be on this machine (127.0.0.1)")
    # What bench/run.py's functions read.
    args.database = f"newsroom_bench_{args.stories}"
    args.rebuild = False
    args.related_lists = 2000
    args.served = args.database if args.in_place else f"newsroom_soak_{args.stories}"
    return args


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_admin(args):
    import psycopg2

    connection = psycopg2.connect(f"{args.postgres}/postgres", connect_timeout=10)
    connection.autocommit = True
    return connection


def copy_database(args) -> None:
    """The corpus database copied to `args.served`, as PostgreSQL copies a template."""
    import psycopg2

    connection = postgres_admin(args)
    deadline = time.monotonic() + CLONE_WAIT
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{args.served}" WITH (FORCE)')
            while True:
                try:
                    cursor.execute(f'CREATE DATABASE "{args.served}" TEMPLATE "{args.database}"')
                    return
                except psycopg2.errors.ObjectInUse:
                    # Someone else (a bench/run.py in progress) is connected to the corpus.
                    if time.monotonic() > deadline:
                        sys.exit(
                            f"{args.database} stayed in use by other sessions for "
                            f"{CLONE_WAIT:.0f} s; try again later or pass --in-place."
                        )
                    time.sleep(1)
    finally:
        connection.close()


def drop_copy(args) -> None:
    connection = postgres_admin(args)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{args.served}" WITH (FORCE)')
    finally:
        connection.close()


def serve_database(args, env: dict) -> None:
    """Point this process (and the environment gunicorn gets) at `args.served`.

    As Django's test runner switches to its test database: close, then rename in place.
    """
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    if args.served == args.database:
        return
    copy_database(args)
    settings.DATABASES["default"]["NAME"] = args.served
    connections["default"].settings_dict["NAME"] = args.served
    env["DATABASE_URL"] = f"{args.postgres}/{args.served}"
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]


def create_editor() -> str:
    """A superuser for the editor, with a fresh random password (returned)."""
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(24)
    user_model = get_user_model()
    user = user_model.objects.filter(username=EDITOR_USERNAME).first()
    if user is None:
        user_model.objects.create_superuser(EDITOR_USERNAME, "soak@example.invalid", password)
    else:
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
    return password


# What the readers read


@dataclass
class Plan:
    """Every URL the readers may fetch, and the stories the editor edits."""

    seed_path: str
    annotations_path: str
    stories: list[str]
    sections: list[str]
    tags: list[str]
    authors: list[str]
    searches: list[str]
    feeds: list[str]
    sitemaps: list[str]
    edited: list[int]  # story ids: the seed story first
    edited_paths: list[str]


def make_plan(args) -> Plan:
    from django.conf import settings
    from django.db.models import Count, Q
    from django.db.models.functions import Now
    from django.urls import reverse

    from articles.models import Author, Note, Section, Story, Tag

    rng = random.Random(args.seed)
    published = Story.objects.published()
    seed = Story.objects.get(slug=bench.SEED_SLUG)
    stories = list(published.order_by("pk").values_list("slug", flat=True))
    tags = list(
        Tag.objects.filter(tagged_stories__content_object__in=published)
        .annotate(n=Count("tagged_stories"))
        .order_by("-n", "pk")
        .values_list("slug", "n")[:500]
    )
    authors = list(
        Author.objects.filter(bylines__story__in=published)
        .annotate(n=Count("bylines"))
        .order_by("pk")
        .values_list("slug", "n")
    )
    public = Q(stories__status=Story.Status.PUBLISHED, stories__published_at__lte=Now())
    sections = list(
        Section.objects.annotate(n=Count("stories", filter=public))
        .order_by("pk")
        .values_list("slug", "n")
    )
    # Stories with paragraphs and notes, as the seed story has, that the readers also read.
    annotated = (
        published.exclude(pk=seed.pk)
        .filter(pk__in=Note.objects.values("story_id"))
        .order_by("pk")
        .values_list("pk", "slug")
    )
    hot = rng.sample(list(annotated), k=min(HOT_STORIES, annotated.count()))
    story_path = lambda slug: reverse("articles:story", kwargs={"slug": slug})  # noqa: E731

    def list_pages(name: str, rows) -> list[str]:
        # Page 2 too where there is one: a page past the end is a 404, rightly.
        paths = []
        for slug, count in rows:
            path = reverse(f"articles:{name}", kwargs={"slug": slug})
            paths += [path, f"{path}?page=2"] if count > settings.NEWSROOM_PAGE_SIZE else [path]
        return paths

    topics = ["coca farming", "drug trafficking", "police violence", "climate change"]
    searches = [
        "?" + urlencode(query)
        for query in [
            *({"q": topic} for topic in topics),
            {"q": '"illegal mining"'},
            {"q": "peru -army"},
            {"q": "wildfires OR flooding"},
            {"q": "press freedom", "page": "2"},
            {"q": "election fraud", "section": sections[0][0] if sections else ""},
            {"q": "soldier killed shootout"},
        ]
    ]
    feed_paths = [reverse("articles:feed-rss"), reverse("articles:feed-atom")]
    for name, rows in [("section-feed-rss", sections), ("tag-feed-atom", tags)]:
        feed_paths += [reverse(f"articles:{name}", kwargs={"slug": s}) for s, _ in rows[:4]]
    feed_paths += [
        reverse("articles:author-feed-rss", kwargs={"slug": s}) for s, _ in rng.sample(authors, 4)
    ]
    sitemaps = [
        "/sitemap.xml",
        "/sitemap-front.xml",
        "/sitemap-stories.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
        "/robots.txt",
    ]
    return Plan(
        seed_path=story_path(seed.slug),
        annotations_path=reverse("articles:annotation-container", kwargs={"slug": seed.slug}),
        stories=[story_path(slug) for slug in stories],
        sections=list_pages("section", sections),
        tags=list_pages("tag", tags),
        authors=list_pages("author", authors),
        searches=[reverse("articles:search") + query for query in searches],
        feeds=feed_paths,
        sitemaps=sitemaps,
        edited=[seed.pk, *(pk for pk, _ in hot)],
        edited_paths=[story_path(seed.slug), *(story_path(slug) for _, slug in hot)],
    )


def reader_mix(plan: Plan) -> list[tuple[str, float, object]]:
    """(kind, weight, how to pick a path) for each kind of page a reader asks for."""
    return [
        ("seed story", 12, lambda rng: plan.seed_path),
        ("story", 20, lambda rng: rng.choice(plan.stories)),
        ("edited story", 6, lambda rng: rng.choice(plan.edited_paths)),
        ("front", 8, lambda rng: "/"),
        ("front 2-5", 6, lambda rng: f"/?page={rng.randint(2, 5)}"),
        ("section", 6, lambda rng: rng.choice(plan.sections)),
        ("tag", 6, lambda rng: rng.choice(plan.tags)),
        ("author", 6, lambda rng: rng.choice(plan.authors)),
        ("search", 8, lambda rng: rng.choice(plan.searches)),
        ("feed", 8, lambda rng: rng.choice(plan.feeds)),
        ("notes", 6, lambda rng: plan.annotations_path),
        ("sitemap", 4, lambda rng: rng.choice(plan.sitemaps)),
    ]


# HTTP, on one kept-alive connection where the server keeps it


@dataclass
class Sample:
    kind: str
    status: int  # 0: no response (the error says why)
    ms: float
    error: str = ""


@dataclass
class ReaderLog:
    samples: list[Sample] = field(default_factory=list)
    stale_retries: int = 0


class Client:
    """One connection to 127.0.0.1:port, reopened when the server closes it; cookies kept."""

    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.connection: HTTPConnection | None = None
        self.reused = False  # the open connection has answered before
        self.cookies: dict[str, str] = {}
        self.stale_retries = 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection, self.reused = None, False

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, headers, body). A kept-alive connection the server closed meanwhile is
        retried once on a new one, as browsers do; nothing else is retried."""
        for attempt in (1, 2):
            fresh = not self.reused
            try:
                return self._send(method, path, body, headers or {})
            except (ConnectionError, HTTPException) as error:
                self.close()
                stale = not fresh and (
                    isinstance(error, ConnectionResetError | BrokenPipeError)
                    or type(error).__name__ == "RemoteDisconnected"
                )
                if attempt == 1 and stale:
                    self.stale_retries += 1
                    continue
                raise
            except OSError:
                self.close()
                raise
        raise AssertionError("unreachable")

    def _send(self, method, path, body, headers):
        if self.connection is None:
            self.connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"User-Agent": "newsroom-soak", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self.close()
        else:
            self.reused = True
        return response.status, response.msg, content


def reader(
    number: int,
    args,
    port: int,
    plan: Plan,
    deadline: float,
    stop: threading.Event,
    out: ReaderLog,
):
    """Fetch pages of the mix one after another until the deadline, recording each answer."""
    rng = random.Random(args.seed * 1000 + number)
    kinds, weights, pickers = zip(*reader_mix(plan), strict=True)
    client = Client(port, args.timeout)
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            index = rng.choices(range(len(kinds)), weights=weights)[0]
            path = pickers[index](rng)
            began = time.perf_counter()
            try:
                status, _, _ = client.request("GET", path)
                error = ""
            except Exception as failure:  # counted as no response, and fails the run
                status, error = 0, f"{type(failure).__name__}: {failure} ({path})"
            ms = (time.perf_counter() - began) * 1000
            out.samples.append(Sample(kinds[index], status, ms, error))
    finally:
        out.stale_retries = client.stale_retries
        client.close()


# The editor: the admin's change form and the annotate screen, over HTTP


class FormFields(HTMLParser):
    """The fields a browser would submit from `<form id="…">`, in order, as (name, value)."""

    SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields: list[list[str]] = []
        self.errors: list[str] = []
        self._textarea: list[str] | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._error_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        classes = (attrs.get("class") or "").split()
        if "errornote" in classes or "errorlist" in classes:
            self._error_depth += 1
            self.errors.append("")
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in self.SKIPPED_INPUTS:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append([name, attrs.get("value") or "on"])
                return
            self.fields.append([name, attrs.get("value") or ""])
        elif tag == "textarea" and name:
            self._textarea = [name]
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.append(data)
        if self._option is not None:
            self._option["text"] += data
        if self._error_depth and self.errors:
            self.errors[-1] += data

    def handle_endtag(self, tag):
        if tag in {"ul", "p"} and self._error_depth:
            self._error_depth -= 1
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            name, *parts = self._textarea
            text = "".join(parts)
            # Browsers drop the newline that follows <textarea>, as Django's template writes it.
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.fields.append([name, text])
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            values = [o for o in options if o["selected"]] or options[:1]
            if self._select["multiple"]:
                values = [o for o in options if o["selected"]]
            for option in values:
                value = option["value"] if option["value"] is not None else option["text"]
                self.fields.append([self._select["name"], value])
            self._select = None


def parse_form(html: str, form_id: str) -> FormFields:
    parser = FormFields(form_id)
    parser.feed(html)
    parser.close()
    return parser


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def unmarked(text: str) -> str:
    return MARKER.sub(" ", text).strip() if MARKER.search(text) else text


@dataclass
class Write:
    """One write the editor made, as the server confirmed it."""

    kind: str  # "story" (headline and dek), "paragraph" or "note"
    story_id: int
    values: dict
    ms: float
    at: float = field(default_factory=time.monotonic)


@dataclass
class EditorLog:
    writes: list[Write] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    versions_seen: dict[int, int] = field(default_factory=dict)  # first version of each story
    saves: Counter = field(default_factory=Counter)  # confirmed change-form saves per story


class Editor:
    def __init__(self, args, port: int, plan: Plan, password: str, log: EditorLog):
        self.client = Client(port, args.timeout)
        self.plan = plan
        self.password = password
        self.log = log
        self.rng = random.Random(args.seed)
        self.interval = args.edit_interval
        self.count = 0  # operations so far; numbers the markers, so each write is unique
        self.paragraph_saves: Counter = Counter()  # per story

    def csrf_headers(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def login(self) -> None:
        path = "/admin/login/?next=/admin/"
        status, _, body = self.client.request("GET", path)
        fields = parse_form(body.decode(), "login-form").fields
        form = dict(fields) | {"username": EDITOR_USERNAME, "password": self.password}
        status, headers, body = self.client.request(
            "POST",
            path,
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.client.cookies:
            raise RuntimeError(f"admin login failed: {status} {body[:300]!r}")

    def run(self, deadline: float, stop: threading.Event) -> None:
        self.login()
        # One round per story in turn: headline and dek, a note, a paragraph, another note.
        operations = [self.save_story, self.create_note, self.save_paragraph, self.create_note]
        next_at = time.monotonic()
        while not stop.is_set() and time.monotonic() < deadline:
            self.count += 1
            operation = operations[(self.count - 1) % len(operations)]
            story_round = (self.count - 1) // len(operations)
            story_id = self.plan.edited[story_round % len(self.plan.edited)]
            try:
                operation(story_id)
            except Exception as error:  # any failure is reported, and fails the run
                self.log.failures.append(
                    f"{operation.__name__} on story {story_id}: {type(error).__name__}: {error}"
                )
            next_at = max(next_at + self.interval, time.monotonic() - self.interval)
            stop.wait(max(0.0, min(next_at - time.monotonic(), deadline - time.monotonic())))
        self.client.close()

    # Change form

    def _change_form(self, story_id: int) -> tuple[str, list[list[str]]]:
        path = f"/admin/articles/story/{story_id}/change/"
        status, _, body = self.client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        fields = parse_form(body.decode(), "story_form").fields
        version = int(dict(fields)["edit_version"])
        self.log.versions_seen.setdefault(story_id, version)
        return path, fields

    def _post_change_form(self, path: str, fields: list[list[str]]) -> float:
        pairs = [(name, value) for name, value in fields]
        body = urlencode([*pairs, ("_continue", "Save and continue editing")]).encode()
        began = time.perf_counter()
        status, headers, content = self.client.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        ms = (time.perf_counter() - began) * 1000
        if status != 302 or not (headers.get("Location") or "").endswith(path):
            errors = parse_form(content.decode(errors="replace"), "story_form").errors
            detail = " | ".join(" ".join(e.split()) for e in errors if e.strip())[:500]
            raise RuntimeError(f"POST {path}: {status} {detail or content[:200]!r}")
        return ms

    def save_story(self, story_id: int) -> None:
        """A new headline and dek, through the story's change form."""
        path, fields = self._change_form(story_id)
        number = self.count
        values = {}
        for item in fields:
            if item[0] in {"headline", "dek"}:
                base = unmarked(item[1])
                item[1] = f"{base} [soak {number}]".strip()
                values[item[0]] = item[1]
        ms = self._post_change_form(path, fields)
        self.log.saves[story_id] += 1
        self.log.writes.append(Write("story", story_id, values, ms))

    def save_paragraph(self, story_id: int) -> None:
        """One paragraph's text changed, through the body inline of the change form.

        The marker goes before the text or after it in turn, so the paragraph's notes move
        back and forth and are re-anchored on each save.
        """
        path, fields = self._change_form(story_id)
        as_dict = dict(fields)
        paragraphs = [
            name.removesuffix("-text")
            for name, value in fields
            if re.fullmatch(r"blocks-\d+-text", name)
            and value
            and as_dict.get(name.replace("-text", "-kind")) == "paragraph"
            and as_dict.get(name.replace("-text", "-id"))
        ]
        if not paragraphs:
            raise RuntimeError(f"story {story_id} has no paragraph to edit")
        # Each of its first three paragraphs in turn, marked in front and then at the end.
        visit = self.paragraph_saves[story_id]
        prefix = paragraphs[(visit // 2) % min(3, len(paragraphs))]
        number = self.count
        text = ""
        for item in fields:
            if item[0] == f"{prefix}-text":
                base = unmarked(item[1])
                item[1] = f"{base} [soak {number}]" if visit % 2 else f"[soak {number}] {base}"
                text = item[1]
        block_id = int(as_dict[f"{prefix}-id"])
        ms = self._post_change_form(path, fields)
        self.paragraph_saves[story_id] += 1
        self.log.saves[story_id] += 1
        self.log.writes.append(Write("paragraph", story_id, {"block": block_id, "text": text}, ms))

    # Annotate screen

    def create_note(self, story_id: int) -> None:
        """A published context note on a few words of a paragraph, as the annotate screen posts
        it: saved, then published."""
        notes = f"/admin/articles/story/{story_id}/annotate/notes/"
        status, _, body = self.client.request("GET", notes)
        if status != 200:
            raise RuntimeError(f"GET {notes}: {status}")
        blocks = [b for b in json.loads(body)["blocks"] if b["kind"] == "paragraph" and b["text"]]
        block = self.rng.choice(blocks)
        text = block["text"]
        marker = MARKER.search(text)
        words = [
            w
            for w in re.finditer(r"\S+", text)
            if not marker or w.end() <= marker.start() or w.start() >= marker.end()
        ]
        first = self.rng.randrange(len(words))
        last = min(len(words) - 1, first + self.rng.randint(0, 3))
        start, end = words[first].start(), words[last].end()
        number = self.count
        payload = {
            "block": block["id"],
            "start": utf16(text, start),
            "end": utf16(text, end),
            "exact": text[start:end],
            "kind": "context",
            "body": f"Soak note {number}: context for *these* words.",
        }
        began = time.perf_counter()
        status, _, body = self.client.request(
            "POST",
            notes,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **self.csrf_headers()},
        )
        if status != 201:
            raise RuntimeError(f"POST {notes}: {status} {body[:300]!r}")
        note = json.loads(body)
        # Saved as a draft; the editor then publishes it (a context note needs no second person).
        review = f"{notes}{note['id']}/review/"
        status, _, body = self.client.request(
            "POST",
            review,
            json.dumps({"move": "publish", "version": note["version"]}).encode(),
            {"Content-Type": "application/json", **self.csrf_headers()},
        )
        ms = (time.perf_counter() - began) * 1000
        if status != 200:
            raise RuntimeError(f"POST {review}: {status} {body[:300]!r}")
        values = {"id": note["id"], "block": block["id"], "quote": text[start:end]}
        self.log.writes.append(Write("note", story_id, values, ms))


# Gunicorn


# Checks and the report


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    # Nearest rank.
    index = min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))
    return sorted_values[index]


def pages_show_writes(port: int, plan: Plan, log: EditorLog, timeout: float) -> list[str]:
    """Each edited story's page, read once now, shows the headline last saved for it."""
    latest = {}
    for write in log.writes:
        if write.kind == "story":
            latest[write.story_id] = write.values["headline"]
    problems = []
    client = Client(port, timeout)
    for story_id, path in zip(plan.edited, plan.edited_paths, strict=True):
        if story_id not in latest:
            continue
        try:
            status, _, body = client.request("GET", path)
        except (OSError, HTTPException) as error:
            problems.append(f"{path}: {type(error).__name__}: {error}")
            continue
        wanted = f'<h1 class="headline" id="headline">{escape(latest[story_id])}</h1>'
        if status != 200 or wanted not in body.decode():
            problems.append(f"{path} ({status}) does not show the latest headline {wanted}")
    client.close()
    return problems


def notes_of(story_ids: list[int]) -> tuple[int, list[str]]:
    """The stories' orphaned notes, and their anchored notes not placed on their quote."""
    from articles.models import Note

    notes = Note.objects.filter(story_id__in=story_ids).select_related("paragraph")
    orphaned, misplaced = 0, []
    for note in notes:
        if note.anchor_state == Note.AnchorState.ORPHANED:
            orphaned += 1
            continue
        text = note.paragraph.annotatable_text if note.paragraph else None
        there = text[note.start : note.end] if text is not None else None
        if there != note.quote_exact:
            misplaced.append(
                f"note {note.pk} in block {note.paragraph_id} quotes {note.quote_exact!r}, "
                f"its paragraph has {there!r} at {note.start}-{note.end}"
            )
    return orphaned, misplaced


def verify_database(log: EditorLog, plan: Plan, orphaned_before: int, since) -> tuple[dict, list]:
    """Every confirmed write is stored, or was replaced by a later write of the editor."""
    from django.contrib.admin.models import LogEntry

    from articles.models import Block, Note, Story

    problems = []
    latest: dict[tuple, str] = {}  # (model, pk, field) -> the value last written
    for write in log.writes:
        if write.kind == "story":
            for name, value in write.values.items():
                latest[("story", write.story_id, name)] = value
        elif write.kind == "paragraph":
            latest[("block", write.values["block"], "text")] = write.values["text"]
    stories = Story.objects.in_bulk({pk for model, pk, _ in latest if model == "story"})
    blocks = Block.objects.in_bulk({pk for model, pk, _ in latest if model == "block"})
    for (model, pk, name), value in latest.items():
        row = (stories if model == "story" else blocks).get(pk)
        stored = getattr(row, name, None)
        if stored != value:
            problems.append(f"{model} {pk} {name} is {stored!r}, the editor last saved {value!r}")
    # One version per save: no save lost, none applied twice, nobody else wrote.
    versions = dict(Story.objects.filter(pk__in=log.saves).values_list("pk", "version"))
    for story_id, saves in log.saves.items():
        expected = log.versions_seen[story_id] + saves
        if versions.get(story_id) != expected:
            problems.append(
                f"story {story_id} is at version {versions.get(story_id)}, expected "
                f"{expected} ({saves} saves from version {log.versions_seen[story_id]})"
            )
    saves = sum(log.saves.values())
    logged = LogEntry.objects.filter(user__username=EDITOR_USERNAME, action_time__gte=since).count()
    if logged != saves:
        problems.append(f"the admin log has {logged} entries for {saves} saves")
    notes = [w.values for w in log.writes if w.kind == "note"]
    stored_notes = Note.objects.in_bulk([n["id"] for n in notes])
    for note in notes:
        note = stored_notes.get(note["id"])
        if note is None:
            problems.append(f"note {note['id']} is missing")
        elif note.paragraph_id != note["block"] or note.quote_exact != note["quote"]:
            problems.append(
                f"note {note['id']} quotes {note.quote_exact!r} in block "
                f"{note.paragraph_id}; it was written on {note['quote']!r} in block "
                f"{note['block']}"
            )
    # The editor only adds and moves markers: every note of its stories, the corpus's too,
    # must still be anchored on its words after the re-anchoring.
    orphaned, misplaced = notes_of(plan.edited)
    problems += misplaced
    if orphaned != orphaned_before:
        problems.append(f"orphaned notes on the edited stories: {orphaned_before} → {orphaned}")
    counts = {
        "values": len(latest),
        "story versions": len(log.saves),
        "admin log entries": logged,
        "new notes": len(notes),
        "notes on the edited stories placed": Note.objects.filter(
            story_id__in=plan.edited, anchor_state=Note.AnchorState.ANCHORED
        ).count(),
    }
    return counts, problems


def error_log_lines(log: Path, offset: int) -> list[str]:
    with log.open("rb") as stream:
        stream.seek(offset)
        text = stream.read().decode("utf-8", errors="replace")
    keys = ("Traceback", "ERROR", "CRITICAL", "WORKER TIMEOUT", "Internal Server Error")
    return [line for line in text.splitlines() if any(key in line for key in keys)]


def report(args, readers: list[ReaderLog], elapsed: float, log: EditorLog, checks: dict) -> bool:
    requests = [sample for output in readers for sample in output.samples]
    retries = sum(output.stale_retries for output in readers)
    statuses = Counter(s.status for s in requests)
    errors = [s for s in requests if s.status == 0]
    server_errors = [s for s in requests if s.status >= 500]
    unexpected = [s for s in requests if 0 < s.status < 200 or 300 <= s.status < 500]
    latencies = sorted(s.ms for s in requests if s.status)
    print()
    print(
        f"{args.stories:,} stories ({args.served}); gunicorn {args.workers} sync workers; "
        f"{args.readers} readers and one editor for {elapsed:.1f} s"
    )
    print(
        f"Reader requests: {len(requests):,} ({len(requests) / elapsed:,.1f}/s); statuses "
        + ", ".join(f"{status or 'no response'}: {n:,}" for status, n in sorted(statuses.items()))
        + f"; kept-alive connections retried: {retries}"
    )
    print(
        f"Latency ms: p50 {percentile(latencies, 0.5):.0f}, p95 {percentile(latencies, 0.95):.0f}"
        f", p99 {percentile(latencies, 0.99):.0f}, max {percentile(latencies, 1.0):.0f}"
    )
    row = "  {:<13} {:>7} {:>7} {:>7} {:>7} {:>8}"
    print(row.format("page", "count", "p50 ms", "p95 ms", "p99 ms", "non-2xx"))
    by_kind = defaultdict(list)
    for sample in requests:
        by_kind[sample.kind].append(sample)
    for kind, group in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        times = sorted(s.ms for s in group if s.status)
        bad = sum(1 for s in group if not 200 <= s.status < 300)
        print(
            row.format(
                kind,
                len(group),
                f"{percentile(times, 0.5):.0f}",
                f"{percentile(times, 0.95):.0f}",
                f"{percentile(times, 0.99):.0f}",
                bad,
            )
        )
    kinds = Counter(w.kind for w in log.writes)
    write_ms = sorted(w.ms for w in log.writes)
    print(
        f"Editor writes confirmed: {len(log.writes)} ({kinds['story']} headline and dek saves, "
        f"{kinds['paragraph']} paragraph saves, {kinds['note']} notes), failed: "
        f"{len(log.failures)}; write latency ms p50 {percentile(write_ms, 0.5):.0f}, "
        f"p95 {percentile(write_ms, 0.95):.0f}, max {percentile(write_ms, 1.0):.0f}"
    )
    print("Verified in the database: " + ", ".join(f"{k} {v}" for k, v in checks["counts"].items()))

    verdicts = [
        ("no 5xx among reader requests", server_errors),
        ("no connection errors or timeouts", errors),
        ("no other unexpected status", unexpected),
        ("every editor write confirmed", log.failures),
        (
            "the editor saved headlines and paragraphs and wrote notes",
            [f"no {kind} write" for kind in ("story", "paragraph", "note") if not kinds[kind]],
        ),
        ("edited story pages show their latest headline", checks["pages"]),
        ("every write stored, or replaced by a later one of the editor", checks["db"]),
        ("no errors in gunicorn's and Django's log", checks["log lines"]),
    ]
    print("\nChecks:")
    for what, details in verdicts:
        print(f"  {'FAILED' if details else 'ok    '} {what}")
        for detail in details[:10]:
            if isinstance(detail, Sample):
                detail = f"{detail.kind}: {detail.status} {detail.error} ({detail.ms:.0f} ms)"
            print(f"           {detail}")
        if len(details) > 10:
            print(f"           … and {len(details) - 10} more")
    return not any(details for _, details in verdicts)


# The run


def on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def soak(args, env: dict, port: int, work: Path) -> bool:
    from django.db import connections
    from django.utils import timezone

    plan = make_plan(args)
    password = create_editor()
    orphaned_before, misplaced_before = notes_of(plan.edited)
    if misplaced_before:
        sys.exit("Notes misplaced before the soak began:\n  " + "\n  ".join(misplaced_before))
    since = timezone.now()
    connections.close_all()  # gunicorn and this process must not share a connection
    log_path = work / "soak-gunicorn.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    print(
        f"Serving {args.served} on 127.0.0.1:{port} ({args.workers} workers; log: {log_path}); "
        f"{args.readers} readers and one editor for {args.seconds} s …",
        flush=True,
    )
    process = bench.start_gunicorn(
        workers=args.workers, port=port, env=env, page_cache=True, log=log_path
    )
    stop = threading.Event()
    editor_log = EditorLog()
    readers = [ReaderLog() for _ in range(args.readers)]
    try:
        began = time.monotonic()
        deadline = began + args.seconds
        threads = [
            threading.Thread(
                target=reader,
                args=(n, args, port, plan, deadline, stop, readers[n]),
                name=f"reader-{n}",
                daemon=True,
            )
            for n in range(args.readers)
        ]
        editor = Editor(args, port, plan, password, editor_log)

        def edit():
            try:
                editor.run(deadline, stop)
            except Exception as error:  # the login, or a bug: reported, and fails the run
                editor_log.failures.append(f"editor stopped: {type(error).__name__}: {error}")

        threads.append(threading.Thread(target=edit, name="editor", daemon=True))
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        # Requests in flight end within their timeout.
        join_by = time.monotonic() + args.timeout + 5
        for thread in threads:
            thread.join(timeout=max(0.0, join_by - time.monotonic()))
        elapsed = time.monotonic() - began
        hung = [t.name for t in threads if t.is_alive()]
        if hung:
            editor_log.failures.append(f"threads still running after the deadline: {hung}")
        pages = pages_show_writes(port, plan, editor_log, args.timeout)
    finally:
        stop.set()
        bench.stop(process)
    counts, db_problems = verify_database(editor_log, plan, orphaned_before, since)
    checks = {
        "counts": counts,
        "pages": pages,
        "db": db_problems,
        "log lines": error_log_lines(log_path, offset),
    }
    passed = report(args, readers, elapsed, editor_log, checks)
    samples = [sample for output in readers for sample in output.samples]
    summary = {
        "database": args.served,
        "readers": args.readers,
        "seconds": elapsed,
        "requests": len(samples),
        "statuses": dict(Counter(s.status for s in samples)),
        "errors": [s.__dict__ for s in samples if s.status == 0 or s.status >= 500][:1000],
        "samples": [[s.kind, s.status, round(s.ms, 1)] for s in samples],
        "writes": [w.__dict__ for w in editor_log.writes],
        "failures": editor_log.failures,
        "problems": db_problems + pages + checks["log lines"],
        "passed": passed,
    }
    (work / "soak.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print(f"Details: {work / 'soak.json'}")
    return passed


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, on_sigterm)
    work = Path(tempfile.gettempdir()) / "newsroom-bench" / args.database
    static_root = work / "static"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    bench.ensure_database(args)
    env = bench.setup_django(args, static_root)
    bench.load_corpus(args)
    from django.urls import reverse

    bench.collect_static(
        static_root, reverse("articles:story", kwargs={"slug": bench.SEED_SLUG}), port
    )
    serve_database(args, env)
    passed = False
    try:
        passed = soak(args, env, port, work)
    finally:
        from django.db import connections

        connections.close_all()
        if args.served != args.database and passed and not args.keep:
            drop_copy(args)
        elif args.served != args.database:
            print(f"Kept the database {args.served} for inspection.")
    print("\nPASSED" if passed else "\nFAILED")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
