"""Varnish in front of gunicorn, purged by surrogate key: an editor's save evicts exactly the
pages that show the story, and the others stay cached.

Starts gunicorn serving the test database and Debian's `varnishd` with `deploy/varnish.vcl`
(vmod xkey from `varnish-modules`), each on a free port; skipped where they are missing, except
under CI (`.ci/run` installs them). PostgreSQL only: gunicorn must open the test database from
another process, which SQLite's in-memory test database cannot be.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from articles.caching import keys
from tests.factories import (
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    StoryFactory,
)
from tests.pgcluster import free_port
from tests.test_admin import change_url, form_data
from tests.tools import require

PROJECT = Path(__file__).resolve().parent.parent
VCL = PROJECT / "deploy" / "varnish.vcl"
XKEY = "libvmod_xkey.so"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="gunicorn must open the test database; the PostgreSQL run covers this",
    ),
]


def xkey_installed() -> bool:
    return any(Path("/usr/lib").glob(f"**/varnish/vmods/{XKEY}"))


def fetch(url: str, **headers) -> tuple[int, dict, str]:
    # Only ever http://127.0.0.1:<port>/… started by this test.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def superuser(db):
    """Who saves: a superuser, since an earlier transactional test's flush empties the groups
    table the Editors group lives in (committed rows are needed here, for gunicorn to read)."""
    return StaffFactory(username="chief", is_superuser=True)


@pytest.fixture
def app_server(tmp_path):
    """gunicorn serving this test database on a free port (its own page cache off, so that
    every hit counted here is Varnish's)."""
    port = free_port()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": url,
        "NEWSROOM_PAGE_CACHE": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process, "gunicorn")
        yield port
    finally:
        stop(process)
        log.close()


@pytest.fixture
def varnish(app_server, tmp_path):
    """varnishd with the project's VCL in front of `app_server`, on a free port."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    require(
        Path(varnishd).exists() and xkey_installed(),
        "varnishd or vmod xkey missing: apt-get install varnish varnish-modules",
    )
    port = free_port()
    # varnishd reads its VCL as its own unprivileged user: a folder it may read.
    workdir = Path(tempfile.mkdtemp(prefix="varnish-", dir="/tmp"))
    workdir.chmod(0o755)
    vcl = workdir / "newsroom.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000"', f'.port = "{app_server}"'))
    vcl.chmod(0o644)
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            varnishd,
            "-F",
            "-n",
            str(workdir),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
            "-p",
            "default_ttl=300",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "varnishd.log").open("wb"),
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process, "varnishd")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_save_evicts_from_varnish_exactly_the_pages_that_show_the_story(
    varnish, settings, superuser
):
    settings.NEWSROOM_PURGE_BACKENDS = [
        "articles.caching.backends.PageCachePurge",
        "articles.caching.backends.VarnishPurge",
    ]
    settings.NEWSROOM_VARNISH_URLS = [varnish + "/"]
    world, sport = SectionFactory(name="World", slug="world"), SectionFactory(name="Sport")
    edited = StoryFactory(headline="Soldier killed", section=world, authors=[AuthorFactory()])
    other = StoryFactory(headline="Chess final", section=sport, authors=[AuthorFactory()])
    ParagraphFactory(story=edited)
    ParagraphFactory(story=other)
    pages = {
        "edited": edited.get_absolute_url(),
        "other": other.get_absolute_url(),
        "front": "/",
        "world": world.get_absolute_url(),
        "sport": sport.get_absolute_url(),
    }
    for path in pages.values():
        fetch(varnish + path)
        status, headers, _ = fetch(varnish + path)
        assert (status, headers["X-Cache"]) == (200, "HIT"), path
    assert keys.story(edited.pk) in fetch(varnish + pages["edited"])[1]["Surrogate-Key"].split()

    # The editor saves through the admin; the purge follows the commit.
    admin = Client()
    admin.force_login(superuser)
    data = form_data(admin.get(change_url(edited)), "story_form")
    data["headline"] = "Second soldier killed"
    assert admin.post(change_url(edited), data).status_code == 302

    seen = {name: fetch(varnish + path) for name, path in pages.items()}
    assert {name for name, (_, headers, _) in seen.items() if headers["X-Cache"] == "MISS"} == {
        "edited",
        "front",
        "world",
    }
    assert "Second soldier killed" in seen["edited"][2]
    assert "Second soldier killed" in seen["front"][2]


def test_varnish_answers_a_purge_by_key(varnish):
    request = urllib.request.Request(  # noqa: S310
        varnish + "/", method="PURGE", headers={"xkey-purge": "front"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200  # from 127.0.0.1, which the VCL lets purge
    assert "Purged" in response.reason
