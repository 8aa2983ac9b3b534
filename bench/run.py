"""Benchmark: the reader pages under load, beside a static file (the ceiling), cache on and off.

    .venv/bin/python bench/run.py --stories 1000
    .venv/bin/python bench/run.py --stories 100000          # loads the corpus first: minutes
    .venv/bin/python bench/run.py --help

In one run on this machine: a dedicated PostgreSQL database (`newsroom_bench_<stories>` beside
the server `--postgres` names) gets the seed story and `generate_corpus --stories N` (once; kept
for the next run), `collectstatic` fills a static root of its own, and the seed story's page is
saved there as a static file. Gunicorn then serves the site with production-like settings
(`newsroom.settings.bench`: DEBUG off, PostgreSQL, `--workers`, bound to 127.0.0.1) twice, page
cache on and off, and `wrk` drives each page for `--duration` seconds at `--connections`
concurrent connections (by default one per gunicorn worker: every worker is kept busy, and the
latency measured is the server's own rather than time spent in gunicorn's listen queue behind
another request; `--connections 4` shows that queue): the seed story, the front page, the
largest tag, the most prolific author, a search, and the saved static copy of the story page
that whitenoise serves from the same gunicorn: the ceiling. With `--varnish`, the same pages are
driven once more through Debian's `varnishd` running `deploy/varnish.vcl` in front of the
cache-on gunicorn (the production front the README's Deployment describes): Varnish's own
hits, the static copy included. Then, in this process: the median time of recomputing one
story's related list, the seed story's miss through Django's WSGI handler with its kept parts
and without them (`time_story_miss`), and `bench/anchoring.py` (re-anchoring 1,000 notes).
Nothing but 127.0.0.1 is contacted; every wait and every run is bounded.

Needs `wrk` (Debian: `apt-get install wrk`) and gunicorn (a project dependency: `pip install -e .`);
`--varnish` also needs `varnishd` and its xkey module (`apt-get install varnish varnish-modules`).
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SEED_SLUG = "peruvian-soldier-killed-in-shootout-with-drug-smugglers"
CEILING_PATH = "/static/bench/story.html"
SEARCH_QUERY = "coca farming"
TARGETS = {
    # page: (what, limit) with the page cache off, unless said otherwise
    "story": ("p99", 30.0),
    "front": ("p99", 50.0),
    "tag": ("p99", 50.0),
    "author": ("p99", 50.0),
    "search": ("p95", 100.0),
}
STORY_SHARE_OF_CEILING = 0.5  # with the page cache on
# A hit on the seed story (issue 10): at least this share of the static file's req/s, and p99
# under this many ms, judged where a hit is served (the app's page cache; Varnish with --varnish).
HIT_SHARE_OF_STATIC = 0.6
HIT_P99_MS = 5.0
VCL = PROJECT / "deploy" / "varnish.vcl"
RELATED_MS = 100.0


@dataclass
class Result:
    page: str
    url: str
    cache: str
    rps: float
    p50: float
    p95: float
    p99: float
    non2xx: int
    socket_errors: int
    hit: str = ""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument("--database", help="database name (default newsroom_bench_<stories>)")
    parser.add_argument("--rebuild", action="store_true", help="drop and load the corpus again")
    parser.add_argument(
        "--related-lists",
        type=int,
        default=2000,
        help="related lists computed at load, newest stories first (default 2000)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument(
        "--connections",
        type=int,
        help="wrk connections (default: one per gunicorn worker)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    parser.add_argument("--related-samples", type=int, default=15, help="stories timed")
    parser.add_argument("--skip-anchoring", action="store_true", help="skip bench/anchoring.py")
    parser.add_argument(
        "--varnish",
        action="store_true",
        help="also drive the pages through varnishd (deploy/varnish.vcl) in front of the "
        "cache-on server, on --port + 1",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/13",
        help="the Redis database the app servers share as their cache, emptied first "
        "(default redis://127.0.0.1:6379/13; '' for local memory)",
    )
    args = parser.parse_args()
    if not 1 <= args.duration <= 120:
        parser.error("--duration is 1 to 120 seconds")
    args.connections = args.connections or args.workers
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections")
    args.database = args.database or f"newsroom_bench_{args.stories}"
    return args


def varnishd() -> str | None:
    """Debian puts varnishd in /usr/sbin, which a non-root PATH may leave out."""
    return shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")


def xkey_installed() -> bool:
    return any(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"))


def check_tools(*, varnish: bool = False) -> None:
    """Exit with what to install when a tool the run needs is missing."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk: apt-get install wrk")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        missing.append("gunicorn: .venv/bin/pip install -e . (it is a project dependency)")
    if varnish and not (varnishd() and xkey_installed()):
        missing.append("varnishd with vmod xkey: apt-get install varnish varnish-modules")
    if missing:
        sys.exit("Missing tools (this script installs nothing):\n  " + "\n  ".join(missing))


def ensure_database(args) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{args.postgres}/postgres", connect_timeout=10)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        exists = cursor.fetchone() is not None
        if exists and args.rebuild:
            cursor.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{args.database}"')
    connection.close()


def setup_django(args, static_root: Path) -> dict:
    """Configure this process (and the environment gunicorn inherits) for the bench database."""
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.bench",
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "ERROR",
        # The page cache is shared by the workers, as production shares it between hosts.
        "REDIS_URL": args.redis,
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def empty_redis(url: str) -> None:
    """Start from an empty shared cache (the bench's own Redis database)."""
    if url:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=5).flushdb()


def load_corpus(args) -> dict:
    """Migrate, import the seed story, and generate the corpus unless it is there already."""
    from django.core.management import call_command
    from django.db import connection

    from articles.data.corpus import generate_corpus
    from articles.models import Story
    from articles.related.compute import recompute_related

    timings = {}
    call_command("migrate", verbosity=0)
    if not Story.objects.filter(slug=SEED_SLUG).exists():
        call_command("import_stories", str(PROJECT / "seeds"), verbosity=0)
        call_command("load_notes", str(PROJECT / "seeds" / "notes"), verbosity=0)
    others = Story.objects.exclude(slug=SEED_SLUG).count()
    if others == 0:
        print(f"Loading {args.stories:,} stories into {args.database} …", flush=True)
        began = time.perf_counter()
        report = generate_corpus(
            stories=args.stories,
            seed=args.seed,
            related=args.related_lists,
            progress=lambda line: print(line, flush=True),
        )
        timings = {"total": time.perf_counter() - began, **report.timings}
        print(f"Loaded in {timings['total']:.0f} s: {report.timings}", flush=True)
    elif others != args.stories:
        sys.exit(
            f"{args.database} holds {others:,} generated stories, not {args.stories:,}: "
            "pass --rebuild (or --database) to load a fresh corpus."
        )
    # The seed was imported before the corpus existed: list its related stories now.
    recompute_related(story=Story.objects.get(slug=SEED_SLUG))
    with connection.cursor() as cursor:
        # What autovacuum would have done by the time a real archive is this big: visibility
        # maps for index-only scans, no dead index entries from the search index's updates,
        # fresh planner statistics.
        # Quick when nothing changed since the last run.
        cursor.execute("VACUUM ANALYZE")
    return timings


def pick_urls(args) -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from articles.models import Author, Story, Tag

    published = Story.objects.published()
    tag = (
        Tag.objects.filter(tagged_stories__content_object__in=published)
        .annotate(n=Count("tagged_stories"))
        .order_by("-n", "pk")
        .first()
    )
    author = (
        Author.objects.filter(bylines__story__in=published)
        .annotate(n=Count("bylines"))
        .order_by("-n", "pk")
        .first()
    )
    search = reverse("articles:search") + "?q=" + SEARCH_QUERY.replace(" ", "+")
    print(
        f"Largest tag: {tag.name!r} on {tag.n:,} stories; "
        f"most prolific author: {author.name!r} with {author.n:,}",
        flush=True,
    )
    return {
        "ceiling": CEILING_PATH,
        "story": reverse("articles:story", kwargs={"slug": SEED_SLUG}),
        "front": reverse("articles:front"),
        "tag": reverse("articles:tag", kwargs={"slug": tag.slug}),
        "author": reverse("articles:author", kwargs={"slug": author.slug}),
        "search": search,
    }


def collect_static(static_root: Path, story_url: str, port: int) -> None:
    """collectstatic, then the story page as rendered now saved as a static file (the ceiling)."""
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get(story_url, HTTP_HOST=f"127.0.0.1:{port}")
    assert response.status_code == 200, response.status_code
    target = static_root / "bench" / "story.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)


def fetch(url: str, timeout: float = 10.0) -> tuple[int, dict]:
    # Only ever http://127.0.0.1:<port>/… built by this script.
    request = urllib.request.Request(url, headers={"User-Agent": "newsroom-bench"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        response.read()
        return response.status, dict(response.headers)


def start_gunicorn(
    *, workers: int, port: int, env: dict, page_cache: bool, log: Path
) -> subprocess.Popen:
    """Gunicorn serving the site on 127.0.0.1:`port`, once `/healthz` answers 200.

    Its stderr, which carries gunicorn's error log and Django's (logging goes to the console),
    is appended to `log` to explain any 5xx. Raises RuntimeError when it does not come up.
    """
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "newsroom.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
    ]
    with log.open("ab") as stream:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=PROJECT,
            env={**os.environ, **env, "NEWSROOM_PAGE_CACHE": "1" if page_cache else "0"},
            stdout=subprocess.DEVNULL,
            stderr=stream,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run_wrk(args, url: str, *, duration: int | None = None) -> dict:
    duration = duration or args.duration
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(PROJECT / "bench" / "wrk_report.lua"),
        url,
    ]
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=duration + 30, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
    return json.loads(line.removeprefix("BENCH-JSON "))


def drive(args, base: str, urls: dict[str, str], *, cache: str, warm: int) -> list[Result]:
    """`wrk` on each page at `base`, after `warm` requests (every worker and cache warmed)."""
    results = []
    for page, path in urls.items():
        hit = ""
        for _ in range(warm):
            status, headers = fetch(base + path, timeout=30)
            # Varnish's own verdict in front of it; the app's page cache's otherwise.
            hit = headers.get("X-Cache" if cache == "varnish" else "X-Page-Cache", "")
        numbers = run_wrk(args, base + path)
        results.append(
            Result(
                page=page,
                url=path,
                cache=cache,
                rps=numbers["rps"],
                p50=numbers["p50"],
                p95=numbers["p95"],
                p99=numbers["p99"],
                non2xx=numbers["non2xx"],
                socket_errors=numbers["socket_errors"],
                hit=hit,
            )
        )
        print(
            f"  cache {cache:7} {page:8} {numbers['rps']:8.1f} req/s  "
            f"p50 {numbers['p50']:6.1f}  p95 {numbers['p95']:6.1f}  "
            f"p99 {numbers['p99']:6.1f} ms" + (f"  ({hit})" if hit else ""),
            flush=True,
        )
    return results


def measure_pages(args, env, urls, *, page_cache: bool, work: Path) -> list[Result]:
    base = f"http://127.0.0.1:{args.port}"
    try:
        process = start_gunicorn(
            workers=args.workers,
            port=args.port,
            env=env,
            page_cache=page_cache,
            log=work / "gunicorn.log",
        )
    except RuntimeError as error:
        sys.exit(str(error))
    try:
        results = drive(
            args, base, urls, cache="on" if page_cache else "off", warm=4 * args.workers
        )
        if page_cache and args.varnish:
            results += measure_through_varnish(args, urls, work=work)
    finally:
        stop(process)
    return results


def measure_through_varnish(args, urls, *, work: Path) -> list[Result]:
    """The pages through varnishd with the project's VCL, in front of the running gunicorn."""
    port = args.port + 1
    # varnishd reads its VCL as its own unprivileged user: a folder it may read.
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-varnish-", dir="/tmp"))
    folder.chmod(0o755)
    vcl = folder / "newsroom.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000"', f'.port = "{args.port}"'))
    vcl.chmod(0o644)
    with (work / "varnishd.log").open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [
                varnishd(),
                "-F",
                "-n",
                str(folder),
                "-a",
                f"127.0.0.1:{port}",
                "-f",
                str(vcl),
                "-s",
                "malloc,256m",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                sys.exit(f"varnishd exited with {process.returncode}; see {work / 'varnishd.log'}")
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit(f"varnishd did not answer within 30 s; see {work / 'varnishd.log'}")
                time.sleep(0.3)
        # Varnish's worker threads start on demand: one short run first, not measured.
        run_wrk(args, f"http://127.0.0.1:{port}{urls['ceiling']}", duration=1)
        return drive(args, f"http://127.0.0.1:{port}", urls, cache="varnish", warm=2)
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def time_related(args) -> tuple[float, float, int]:
    """Median and slowest ms of recomputing one story's related list (rolled back)."""
    from django.db import transaction

    from articles.models import Story
    from articles.related.compute import recompute_related

    ids = list(Story.objects.published().order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(args.seed).sample(ids, k=min(args.related_samples, len(ids)))
    times = []
    for pk in chosen:
        story = Story.objects.get(pk=pk)
        with transaction.atomic():
            began = time.perf_counter()
            recompute_related(story=story)
            times.append((time.perf_counter() - began) * 1000)
            transaction.set_rollback(True)
    return statistics.median(times), max(times), len(times)


def time_story_miss(urls: dict[str, str], *, batches: int = 7, calls: int = 50) -> dict:
    """The seed story's miss in this process, through Django's WSGI handler with the page cache
    off (no server, no wrk): ms per page, best of `batches` batches of `calls`.

    Two misses: with its body and related list kept (a page purged for something else it
    shows: a related story's headline, a tag, the section menu), and with both purged before
    every call, outside the timing (the page after the story's own change).
    """
    from io import BytesIO

    from django.test import override_settings

    from articles.caching import keys, store
    from articles.models import Story
    from newsroom.wsgi import application

    path = urls["story"]
    story = Story.objects.get(slug=SEED_SLUG)

    def call() -> float:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        statuses = []
        began = time.perf_counter()
        b"".join(application(environ, lambda status, headers, exc=None: statuses.append(status)))
        spent = time.perf_counter() - began
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{path}: {statuses[0]}")
        return spent

    def batch(purge: bool) -> float:
        spent = 0.0
        for _ in range(calls):
            if purge:
                store.purge([keys.story_page(story.pk)])
            spent += call()
        return spent / calls * 1000

    found = {"kept": [], "purged": []}
    with override_settings(NEWSROOM_PAGE_CACHE=False):
        call()  # the parts are kept from here on
        for _ in range(batches):  # alternated, so that both see the same machine
            found["kept"].append(batch(purge=False))
            found["purged"].append(batch(purge=True))
    return {name: min(times) for name, times in found.items()}


def run_anchoring(args) -> str:
    output = subprocess.run(  # noqa: S603
        [sys.executable, str(PROJECT / "bench" / "anchoring.py"), "--runs", "5"],
        cwd=PROJECT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
            "DATABASE_URL": f"{args.postgres}/{args.database}",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    return output.stdout + (output.stderr if output.returncode else "")


def report(args, results: list[Result], related, anchoring: str, load: dict, miss: dict) -> None:
    ceilings = {r.cache: r.rps for r in results if r.page == "ceiling"}
    print()
    print(
        f"{args.stories:,} stories on PostgreSQL; gunicorn {args.workers} workers; wrk "
        f"{args.threads} threads, {args.connections} connections, {args.duration} s per page"
    )
    row = "{:<9} {:>5} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7}"
    header = row.format(
        "page", "cache", "req/s", "/ceiling", "p50 ms", "p95 ms", "p99 ms", "errors"
    )
    print(header)
    print("-" * len(header))
    order = {"on": 0, "varnish": 1, "off": 2}
    for r in sorted(results, key=lambda r: (order[r.cache], r.page != "ceiling")):
        share = r.rps / ceilings[r.cache] if ceilings.get(r.cache) else 0.0
        errors = r.non2xx + r.socket_errors
        print(
            row.format(
                r.page,
                r.cache,
                f"{r.rps:,.0f}",
                f"{share:.0%}",
                f"{r.p50:.1f}",
                f"{r.p95:.1f}",
                f"{r.p99:.1f}",
                errors,
            )
        )
    median_ms, slowest_ms, samples = related
    print(
        f"\nRecompute one story's related list: median {median_ms:.0f} ms, slowest "
        f"{slowest_ms:.0f} ms ({samples} stories)"
    )
    print(
        f"Seed story miss in-process (page cache off, best of 7 batches of 50): "
        f"{miss['kept']:.1f} ms with its body and related list kept, {miss['purged']:.1f} ms "
        "with them purged first (the story's own change)"
    )
    if load:
        print("Corpus load: " + ", ".join(f"{k} {v:.0f} s" for k, v in load.items()))
    if anchoring:
        print("\nbench/anchoring.py:\n" + anchoring.rstrip())

    print("\nTargets:")
    by = {(r.page, r.cache): r for r in results}
    story_on = by[("story", "on")]
    share = story_on.rps / ceilings["on"]
    verdicts = [
        (
            f"story page, cache on, ≥ {STORY_SHARE_OF_CEILING:.0%} of the ceiling's req/s",
            f"{share:.0%}",
            share >= STORY_SHARE_OF_CEILING,
        ),
    ]
    for cache, where in (("on", "the page cache"), ("varnish", "Varnish")):
        if (story := by.get(("story", cache))) is None:
            continue
        share = story.rps / ceilings[cache]
        verdicts += [
            (
                f"story hit from {where} at {args.connections} connections, "
                f"≥ {HIT_SHARE_OF_STATIC:.0%} of the static file's req/s",
                f"{share:.0%}",
                share >= HIT_SHARE_OF_STATIC,
            ),
            (
                f"story hit from {where} at {args.connections} connections, "
                f"p99 ≤ {HIT_P99_MS:.0f} ms",
                f"{story.p99:.1f} ms (the static file: {by[('ceiling', cache)].p99:.1f} ms)",
                story.p99 <= HIT_P99_MS,
            ),
        ]
    for page, (what, limit) in TARGETS.items():
        value = getattr(by[(page, "off")], what)
        verdicts.append(
            (f"{page}, cache off, {what} ≤ {limit:.0f} ms", f"{value:.1f} ms", value <= limit)
        )
    verdicts.append(
        (
            f"related recompute median ≤ {RELATED_MS:.0f} ms",
            f"{median_ms:.0f} ms",
            median_ms <= RELATED_MS,
        )
    )
    for what, value, met in verdicts:
        print(f"  {'met   ' if met else 'MISSED'} {what}: {value}")


def main() -> None:
    args = parse_args()
    check_tools(varnish=args.varnish)
    work = Path(tempfile.gettempdir()) / "newsroom-bench" / args.database
    static_root = work / "static"
    work.mkdir(parents=True, exist_ok=True)
    ensure_database(args)
    empty_redis(args.redis)
    env = setup_django(args, static_root)
    load = load_corpus(args)
    urls = pick_urls(args)
    collect_static(static_root, urls["story"], args.port)

    from django.db import connections

    connections.close_all()  # gunicorn and this process must not share a connection
    results = []
    for page_cache in (True, False):
        results += measure_pages(args, env, urls, page_cache=page_cache, work=work)
    related = time_related(args)
    miss = time_story_miss(urls)
    anchoring = "" if args.skip_anchoring else run_anchoring(args)
    report(args, results, related, anchoring, load, miss)
    (work / "results.json").write_text(
        json.dumps([r.__dict__ for r in results], indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
