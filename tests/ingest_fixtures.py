"""The ingest fixtures (tests/fixtures/ingest/) and a local HTTP server to fetch them from."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from articles.ingest import fetching

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class Site:
    """Routes of a tiny web site: path -> (status, headers, body), or a callable for special
    behaviour. Tests change `routes` to change what the site answers."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[tuple[str, dict]] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self.server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the standard library's name
                site.requests.append((self.path, dict(self.headers)))
                route = site.routes.get(self.path)
                if route is None:
                    route = (404, {"Content-Type": "text/html"}, b"<html><body>Not found</body>")
                if callable(route):
                    route(self)
                    return
                status, headers, body = route
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def slow(seconds: float):
    def answer(handler):
        time.sleep(seconds)
        try:
            handler.send_response(200)
            handler.end_headers()
        except OSError:
            pass

    return answer


def endless(handler):
    """A body without a length that never ends (until the client gives up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        handler.wfile.write(b"<html><body>")
        for _ in range(10_000):
            handler.wfile.write(b"<p>" + b"x" * 8190 + b"</p>")
    except OSError:
        pass


def serve_as_public(site: Site, monkeypatch, host: str = "news.example") -> str:
    """Make `host` the local site, for this test only, and return the site's address under it:
    the admin's fetches (the Import page, followed sources) refuse private addresses."""
    real_resolve = fetching.resolve

    def resolve(name, port, *, allow_private):
        if name == host:
            return "127.0.0.1"
        return real_resolve(name, port, allow_private=allow_private)

    monkeypatch.setattr(fetching, "resolve", resolve)
    return f"http://{host}:{site.server.server_address[1]}"
