"""Running the task queue's worker inside a test, and a real HTTP receiver for webhooks."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def worker() -> Worker:
    """The database queue's own worker, as `manage.py db_worker --batch` runs it."""
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )


def run_ready_tasks() -> int:
    """Run every task that is due now, in this test's transaction; returns how many ran.

    `Worker.run()` closes connections between tasks, which a test's transaction cannot survive;
    this takes the same steps (pick the next ready task, claim it, run it) without that.
    """
    ran = 0
    runner = worker()
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim(runner.worker_id)
        runner.run_task(result)
        ran += 1
    return ran


def queued() -> list[tuple[str, dict]]:
    """The tasks waiting for the worker: their names and arguments, sorted by them (tasks
    queued in the same second have no order of their own)."""
    waiting = DBTaskResult.objects.filter(status="READY").values_list("task_path", "args_kwargs")
    return sorted(
        ((path.rsplit(".", 1)[-1], args_kwargs["kwargs"]) for path, args_kwargs in waiting),
        key=lambda task: (task[0], list(task[1].values())),
    )


def run_worker(capture) -> int:
    """Run the queued tasks as the worker would, with their own commits' callbacks (purges)."""
    with capture(execute=True):
        return run_ready_tasks()


def run_worker_until_idle(*, timeout: float = 20.0) -> None:
    """Run the real worker loop (transactional tests only) until no task is left, waiting for
    the ones scheduled later (retries) to fall due."""
    deadline = time.monotonic() + timeout
    while True:
        worker().run()
        waiting = DBTaskResult.objects.filter(status="READY").order_by("run_after").first()
        if waiting is None:
            return
        if time.monotonic() > deadline:
            raise AssertionError("tasks still waiting after the timeout")
        pause = (waiting.run_after - timezone.now()).total_seconds()
        time.sleep(min(max(pause, 0.01), 1.0))


class Receiver:
    """An HTTP server in a thread that records each POST and answers with the next status."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "at": time.monotonic()}
                )
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
