"""Benchmark: reader throughput while the newsroom edits, on two app hosts sharing Redis.

    .venv/bin/python bench/editing.py --stories 1000
    .venv/bin/python bench/editing.py --help

Uses `run.py`'s database (`newsroom_bench_<stories>`, loaded on first use) and serves it with
two gunicorn "hosts" on two ports of 127.0.0.1 (`--workers` each, production-like settings, page
cache on), which share one Redis database as their cache (`--redis`, emptied first). `wrk`
drives each host with a Lua script that asks for 500 story pages picked at random (the same
500 for both, the edited story among them), `--duration` seconds:

1. **quiet**: nobody edits;
2. **editing**: meanwhile, once a second, this process saves the edited story with a new dek,
   saves a draft's text, and writes an internal note on the edited story: with `--editor admin`
   (the default) as an editor's browser would, through the admin's own change form (a GET and a
   POST each, in-process); with `--editor services` through the services that form calls
   (`articles.editing.stories.edit_story`), without rendering the form. A task worker runs
   beside the hosts meanwhile, as in production, for what saves queue (search, related lists).
   After each save of the edited story it polls the story's page on both hosts, as an
   anonymous reader, until the new dek shows, and records how long that took from its commit.

Reported: requests/s and latency for both phases and their ratio (target: editing ≥ 90% of
quiet), and the slowest time for the change to show on each host (target: within 1 s). The
edited rows are put back afterwards (the dek and the draft), and the notes deleted.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the database, the corpus, gunicorn)

PROJECT = run.PROJECT
# Both hosts are asked with one site name, as behind a load balancer: they share its pages.
SITE = "localhost"
RANDOM_PAGES_LUA = """
-- 500 story paths, one picked at random per request.
local paths = {%s}
math.randomseed(%d)
wrk.headers["Host"] = "%s"
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", help="database name (default newsroom_bench_<stories>)")
    parser.add_argument("--related-lists", type=int, default=2000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--duration", type=int, default=20, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per host")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections per host")
    parser.add_argument("--port", type=int, default=8771, help="first host's port (and +1)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument(
        "--editor",
        choices=["admin", "services"],
        default="admin",
        help="save through the admin's change form (GET and POST, in-process) or through the "
        "services it calls (`edit_story`), as the issue's measurement saved through the ORM",
    )
    args = parser.parse_args()
    args.database = args.database or f"newsroom_bench_{args.stories}"
    args.threads = 1
    return args


def lua_script(paths: list[str], seed: int) -> Path:
    """The random pages, and `wrk_report.lua`'s one-line JSON report."""
    script = Path(tempfile.mkstemp(prefix="newsroom-pages-", suffix=".lua")[1])
    quoted = ", ".join(json.dumps(path) for path in paths)
    report = (PROJECT / "bench" / "wrk_report.lua").read_text(encoding="utf-8")
    script.write_text(RANDOM_PAGES_LUA % (quoted, seed, SITE) + report, encoding="utf-8")
    return script


def wrk(url: str, *, script: Path, duration: int, connections: int) -> subprocess.Popen:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603


def wrk_numbers(process: subprocess.Popen, duration: int) -> dict:
    output, _ = process.communicate(timeout=duration + 60)
    line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
    return json.loads(line.removeprefix("BENCH-JSON "))


def page_text(url: str) -> str:
    headers = {"User-Agent": "newsroom-bench", "Host": SITE}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read().decode()


class Editor(threading.Thread):
    """Once a second: the edited story's dek, a draft's text, an internal note."""

    def __init__(
        self, *, story_id: int, draft_id: int, hosts: list[str], story_path: str, through: str
    ):
        super().__init__(daemon=True)
        self.through = through
        self.story_id, self.draft_id = story_id, draft_id
        self.hosts, self.story_path = hosts, story_path
        self.stop = threading.Event()
        self.delays: dict[str, list[float]] = {host: [] for host in hosts}
        self.saves = 0
        self.errors: list[str] = []
        # CPU seconds this thread spent being the editor (the admin's requests, in-process).
        self.cpu = 0.0

    def run(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connections
        from django.test import Client
        from django.urls import reverse

        from articles.editing.stories import edit_story
        from articles.models import Block, Story
        from articles.notes.editing import Selection, create_note
        from tests.test_admin import form_data

        user = get_user_model().objects.get(username="bench-editor")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        story_url = reverse("admin:articles_story_change", args=[self.story_id])
        draft_url = reverse("admin:articles_story_change", args=[self.draft_id])
        paragraph = Block.objects.filter(story_id=self.story_id, kind="paragraph").first()
        try:
            while not self.stop.is_set():
                began = time.monotonic()
                cpu_began = time.thread_time()
                self.saves += 1
                dek = f"Edited for the benchmark, save {self.saves}."
                if self.through == "admin":
                    data = form_data(client.get(story_url), "story_form")
                    data["dek"] = dek
                    response = client.post(story_url, data)
                    if response.status_code != 302:
                        self.errors.append(f"story save answered {response.status_code}")
                else:
                    story = Story.objects.get(pk=self.story_id)
                    edit_story(story=story, version=story.version, user=user, dek=dek)
                committed = time.monotonic()
                for host in self.hosts:
                    while dek not in page_text(host + self.story_path):
                        if time.monotonic() - committed > 5:
                            self.errors.append(f"{host}: change not shown after 5 s")
                            break
                        time.sleep(0.005)
                    self.delays[host].append(time.monotonic() - committed)
                headline = f"Draft in progress, save {self.saves}"
                if self.through == "admin":
                    data = form_data(client.get(draft_url), "story_form")
                    data["headline"] = headline
                    if client.post(draft_url, data).status_code != 302:
                        self.errors.append("draft save failed")
                else:
                    draft = Story.objects.get(pk=self.draft_id)
                    edit_story(story=draft, version=draft.version, user=user, headline=headline)
                words = paragraph.text.split()[0]
                create_note(
                    paragraph=paragraph,
                    selection=Selection(start=0, end=len(words), exact=words),
                    fields={"kind": "internal", "body": f"Check this, {self.saves}."},
                    user=user,
                )
                self.cpu += time.thread_time() - cpu_began
                self.stop.wait(max(0.0, 1.0 - (time.monotonic() - began)))
        finally:
            connections.close_all()


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """The task queue's worker (`manage.py db_worker`), as production runs one beside the app:
    what a save leaves to it (search index, related lists, purges) runs there, on these cores."""
    with log.open("ab") as stream:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=PROJECT,
            env={**os.environ, **env},
            stdout=stream,
            stderr=stream,
        )


def main() -> None:
    args = parse_args()
    run.check_tools()
    work = Path(tempfile.gettempdir()) / "newsroom-bench" / f"{args.database}-editing"
    work.mkdir(parents=True, exist_ok=True)
    run.ensure_database(args)
    env = run.setup_django(args, work / "static")
    env["REDIS_URL"] = args.redis
    os.environ["REDIS_URL"] = args.redis
    import redis

    redis.Redis.from_url(args.redis, socket_connect_timeout=5).flushdb()
    run.load_corpus(args)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from articles.models import Note, Story

    call_command("collectstatic", interactive=False, verbosity=0)
    published = list(Story.objects.published().order_by("pk").values_list("pk", "slug"))
    chosen = random.Random(args.seed).sample(published, k=min(args.pages, len(published)))
    story_id, story_slug = chosen[0]
    story = Story.objects.get(pk=story_id)
    old_dek = story.dek
    draft = Story.objects.filter(status=Story.Status.DRAFT).first() or Story.objects.create(
        headline="Bench draft", slug="bench-draft", section=story.section
    )
    old_draft_headline = draft.headline
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    notes_before = set(Note.objects.values_list("pk", flat=True))
    connections.close_all()

    script = lua_script([f"/stories/{slug}/" for _, slug in chosen], args.seed)
    hosts = [f"http://127.0.0.1:{args.port + n}" for n in range(2)]
    servers = []
    results = {}
    try:
        for n in range(len(hosts)):
            servers.append(
                run.start_gunicorn(
                    workers=args.workers,
                    port=args.port + n,
                    env=env,
                    page_cache=True,
                    log=work / "gunicorn.log",
                )
            )
        for n, (_, slug) in enumerate(chosen):  # warm the shared cache, half from each host
            page_text(f"{hosts[n % 2]}/stories/{slug}/")
        for n, (_, slug) in enumerate(chosen):  # and check the other host is served it
            page_text(f"{hosts[(n + 1) % 2]}/stories/{slug}/")
        for phase in ("quiet", "editing"):
            editor_thread = worker = None
            if phase == "editing":
                worker = start_worker(env, work / "worker.log")
                worker_cpu = cpu_seconds(worker.pid)
                editor_thread = Editor(
                    story_id=story_id,
                    draft_id=draft.pk,
                    hosts=hosts,
                    story_path=f"/stories/{story_slug}/",
                    through=args.editor,
                )
                editor_thread.start()
            drivers = [
                wrk(host, script=script, duration=args.duration, connections=args.connections)
                for host in hosts
            ]
            numbers = [wrk_numbers(driver, args.duration) for driver in drivers]
            if editor_thread is not None:
                editor_thread.stop.set()
                editor_thread.join(timeout=30)
                worker_cpu = cpu_seconds(worker.pid) - worker_cpu
                run.stop(worker)
            results[phase] = {
                "rps": sum(n["rps"] for n in numbers),
                "p50": max(n["p50"] for n in numbers),
                "p99": max(n["p99"] for n in numbers),
                "non2xx": sum(n["non2xx"] + n["socket_errors"] for n in numbers),
            }
            print(f"  {phase:8} {results[phase]}", flush=True)
    finally:
        for server in servers:
            run.stop(server)
        Story.objects.filter(pk=story_id).update(dek=old_dek)
        Story.objects.filter(pk=draft.pk).update(headline=old_draft_headline)
        Note.objects.exclude(pk__in=notes_before).delete()
        script.unlink()

    quiet, editing = results["quiet"], results["editing"]
    share = editing["rps"] / quiet["rps"] if quiet["rps"] else 0.0
    print()
    print(
        f"{args.stories:,} stories; 2 hosts x {args.workers} gunicorn worker(s) sharing Redis; "
        f"wrk {args.connections} connections per host, {args.duration} s per phase, "
        f"{len(chosen)} random story pages"
    )
    print(f"quiet:   {quiet['rps']:,.0f} req/s  p50 {quiet['p50']:.1f}  p99 {quiet['p99']:.1f} ms")
    print(
        f"editing: {editing['rps']:,.0f} req/s  p50 {editing['p50']:.1f}  "
        f"p99 {editing['p99']:.1f} ms  ({share:.0%} of quiet)"
    )
    if editor_thread is not None:
        for host, delays in editor_thread.delays.items():
            if delays:
                print(
                    f"change visible on {host}: median {statistics.median(delays) * 1000:.0f} ms, "
                    f"slowest {max(delays) * 1000:.0f} ms over {len(delays)} saves"
                )
        editor_share = editor_thread.cpu / args.duration / os.cpu_count()
        worker_share = worker_cpu / args.duration / os.cpu_count()
        left = 1.0 - editor_share - worker_share
        print(
            f"the editor's saves used {editor_thread.cpu / args.duration:.2f} CPU-s/s "
            f"({editor_share:.0%} of {os.cpu_count()} cores), the task worker "
            f"{worker_cpu / args.duration:.2f} CPU-s/s ({worker_share:.0%}); readers got "
            f"{share / left:.0%} of the quiet throughput that the CPU left to them would allow"
        )
        for error in editor_thread.errors:
            print("ERROR", error)
        slowest = max((max(d) for d in editor_thread.delays.values() if d), default=99.0)
        print("\nTargets:")
        print(f"  {'met   ' if share >= 0.9 else 'MISSED'} editing ≥ 90% of quiet: {share:.0%}")
        print(
            f"  {'met   ' if slowest <= 1.0 else 'MISSED'} change visible within 1 s on both "
            f"hosts: slowest {slowest * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
