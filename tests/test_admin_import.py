"""The admin's Import page: the form records a job, the task worker reads it, the editor sees the
preview and imports, the worker saves; who may do it, and what bad input gives."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.ingest import fetching
from articles.ingest.blocks import ParsedBlock
from articles.ingest.documents import MAX_DOCUMENT_BYTES
from articles.ingest.jobs import story_as_json
from articles.ingest.models import ImportJob, ImportUpload
from articles.ingest.story import IngestedStory
from articles.models import Block, Story
from tests.factories import StaffFactory, StoryFactory
from tests.ingest_fixtures import Site, fixture, serve_as_public
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_story_import")
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "/2016/05/12/on-patrol-with-the-river-police-of-the-ene/"
SEED = "vice-2014-06-20-peruvian-soldier-killed.txt"


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else fixture(name))


def job_url(job: ImportJob, name: str = "import_job") -> str:
    return reverse(f"admin:articles_story_{name}", args=[job.pk])


@pytest.fixture
def site(monkeypatch):
    """A local web site under a public-looking name: the admin's fetches refuse private
    addresses, so `news.example` is resolved to the local server here, and only here."""
    site = Site()
    site.routes[PAGE] = (200, HTML, fixture("wordpress-river-patrol.html"))
    site.public = serve_as_public(site, monkeypatch)
    yield site
    site.close()


@pytest.fixture
def submit(editor_client, django_capture_on_commit_callbacks):
    """POST the form as the editor, with on-commit callbacks run (the task is enqueued)."""

    def submit(data: dict, *, client=editor_client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, data)

    return submit


def read(editor_client, submit, data: dict) -> ImportJob:
    """Submit, let the worker read, and return the job."""
    response = submit(data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert run_ready_tasks() == 1
    return ImportJob.objects.get()


def import_job(client, job: ImportJob, capture, *, replace: bool = False):
    data = {"import": "1", **({"replace": "1"} if replace else {})}
    with capture(execute=True):
        return client.post(job_url(job), data)


# Who may import.


def test_annotators_may_not_import(annotator_client, editor):
    job = ImportJob.objects.create(requested_by=editor)
    assert annotator_client.get(URL).status_code == 403
    assert annotator_client.post(URL, {"addresses": "https://x.example/"}).status_code == 403
    assert annotator_client.get(reverse("admin:articles_story_import_jobs")).status_code == 403
    assert annotator_client.get(job_url(job)).status_code == 403
    assert annotator_client.get(job_url(job, "import_job_status")).status_code == 403
    assert annotator_client.post(job_url(job), {"import": "1"}).status_code == 403


def test_readers_are_sent_to_the_login(client, editor):
    job = ImportJob.objects.create(requested_by=editor)
    for address in (URL, job_url(job), job_url(job, "import_job_status")):
        response = client.get(address)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_the_story_list_links_to_the_import_page(editor_client):
    response = editor_client.get(reverse("admin:articles_story_changelist"))
    assert f'href="{URL}"' in response.content.decode()


def test_posting_without_the_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(URL, {"addresses": "https://news.example/a"})
    assert response.status_code == 403
    job = ImportJob.objects.create(requested_by=editor, status=ImportJob.Status.READY)
    assert client.post(job_url(job), {"import": "1"}).status_code == 403
    assert not ImportJob.objects.exclude(pk=job.pk).exists()
    assert ImportJob.objects.get().status == ImportJob.Status.READY


def test_a_job_is_its_editor_s_own(editor_client, submit, client):
    job = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    client.force_login(StaffFactory(username="other", groups=["Editors"]))
    assert client.get(job_url(job)).status_code == 404
    assert client.get(job_url(job, "import_job_status")).status_code == 404
    assert client.post(job_url(job), {"import": "1"}).status_code == 404
    assert (
        f"Import {job.pk}"
        not in client.get(reverse("admin:articles_story_import_jobs")).content.decode()
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert not Story.objects.exists()


def test_a_job_that_does_not_exist_is_not_found(editor_client):
    for pk in (1, 10**30):
        assert (
            editor_client.get(reverse("admin:articles_story_import_job", args=[pk])).status_code
            == 404
        )
        status = editor_client.get(reverse("admin:articles_story_import_job_status", args=[pk]))
        assert status.status_code == 404
        assert status.json() == {"error": "No such import."}


# The form records a job; nothing is fetched or read in the request.


def test_submitting_records_a_job_and_fetches_nothing(editor, editor_client, submit, site):
    response = submit(
        {
            "files": [upload("ninjs-wire.json")],
            "addresses": f"{site.public}{PAGE}\n\n  ",
            "fetch_pages": "on",
        }
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert site.requests == []
    assert job.requested_by == editor
    assert job.status == ImportJob.Status.QUEUED
    assert job.fetch_pages is True
    assert job.sources == [
        {"kind": "file", "name": "ninjs-wire.json"},
        {"kind": "address", "name": f"{site.public}{PAGE}"},
    ]
    assert job.previews == []
    stored = ImportUpload.objects.get()
    assert (stored.name, bytes(stored.data)) == ("ninjs-wire.json", fixture("ninjs-wire.json"))
    (task,) = DBTaskResult.objects.all()
    assert task.status == "READY"
    assert task.task_path == "articles.ingest.tasks.read_import_sources"
    assert task.args_kwargs == {"args": [], "kwargs": {"job_id": job.pk}}
    assert not Story.objects.exists()

    page = editor_client.get(job_url(job)).content.decode()
    assert "Queued." in page
    assert "Waiting for the task worker" in page
    assert site.requests == []


def test_the_worker_fetches_reads_and_previews(editor_client, submit, site):
    job = read(
        editor_client,
        submit,
        {"files": [upload("ninjs-wire.json")], "addresses": f"{site.public}{PAGE}"},
    )
    assert [path for path, _ in site.requests] == ["/robots.txt", PAGE]
    assert job.status == ImportJob.Status.READY
    assert not ImportUpload.objects.exists()  # read, then let go
    assert [preview["source"] for preview in job.previews] == [
        "ninjs-wire.json",
        f"{site.public}{PAGE}",
    ]
    story = job.previews[1]["entries"][0]["story"]
    assert story["headline"] == "On patrol with the river police of the Ene"
    # Text and links only, never the page's markup.
    assert "<p" not in json.dumps(job.previews)
    page = editor_client.get(job_url(job)).content.decode()
    assert "Ready to import." in page
    assert "2 of 2 stories can be imported" in page
    assert "On patrol with the river police of the Ene" in page
    assert 'value="Import 2 stories"' in page
    assert "job-status.js" not in page  # nothing left to wait for
    assert not Story.objects.exists()


def test_the_preview_shows_what_was_read_and_writes_nothing(editor_client, submit):
    job = read(
        editor_client,
        submit,
        {
            "files": [
                upload("guardian-coca-eradication.html"),
                upload("wordpress-export.xml"),
                upload("notes.bin", b"\x00\x01\x02binary"),
            ]
        },
    )
    page = editor_client.get(job_url(job)).content.decode()
    assert "3 of 4 stories can be imported" in page
    assert "Peru’s coca growers brace for a record eradication drive" in page
    assert "Dan Collyns" in page
    assert "Drugs trade" in page
    assert "A farmer dries coca leaves near Pichari" in page
    assert "Ernesto Benavides/AFP/Getty Images" in page
    assert "Peruvian soldier killed in shootout with drug traffickers" in page  # an aside
    assert "→ https://www.theguardian.example/world/2014/jun/20/peru-soldier-killed" in page
    assert "kept as a draft" in page
    assert "Not imported: binary data, not a story" in page
    assert 'value="Import 3 stories"' in page
    assert not Story.objects.exists()


def test_refused_sources_give_their_one_line_reason(editor_client, submit, site):
    site.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /private/\n",
    )
    huge = b"<html><body>" + b"x" * MAX_DOCUMENT_BYTES + b"</body></html>"
    job = read(
        editor_client,
        submit,
        {
            "files": [upload("huge.html", huge), upload("notes.bin", b"\x00\x01binary")],
            "addresses": "\n".join(
                [
                    "http://127.0.0.1:9/story",
                    f"{site.public}/gone",
                    f"{site.public}/private/story",
                ]
            ),
        },
    )
    assert ImportUpload.objects.count() == 0
    page = editor_client.get(job_url(job)).content.decode()
    assert "0 of 5 stories can be imported" in page
    for reason in (
        "Not imported: larger than 5,000,000 bytes",
        "Not imported: binary data, not a story",
        "Not imported: refused: 127.0.0.1 is on a private or local network",
        "Not imported: the server answered 404 Not Found",
        "Not imported: refused by the site&#x27;s robots.txt",
    ):
        assert page.count(reason) == 1, reason
    assert "--allow-private" not in page  # the command's remedy, not the Import page's
    assert "/private/story" not in [path for path, _ in site.requests]
    assert 'name="import"' not in page


def test_a_huge_upload_is_never_stored(editor_client, submit):
    huge = b"<html><body>" + b"x" * MAX_DOCUMENT_BYTES + b"</body></html>"
    response = submit({"files": [upload("huge.html", huge)]})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert not ImportUpload.objects.exists()
    assert job.sources == [
        {"kind": "file", "name": "huge.html", "refused": "larger than 5,000,000 bytes"}
    ]
    assert (
        "(not read: larger than 5,000,000 bytes)"
        in editor_client.get(job_url(job)).content.decode()
    )


def test_addresses_must_be_http(editor_client, submit):
    response = submit({"addresses": "file:///etc/passwd"})
    assert response.status_code == 200
    assert "Line 1 is not an http(s) address." in response.content.decode()
    response = submit({"addresses": "\n".join(["https://news.example/"] * 21)})
    assert "At most 20 addresses at a time." in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_empty_form_says_what_to_do(submit):
    response = submit({})
    assert response.status_code == 200
    assert "Choose files or paste addresses to import." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_preview_never_shows_the_page_s_markup(editor_client, submit):
    page = (
        fixture("guardian-coca-eradication.html")
        .replace(
            b"<h1>Peru\xe2\x80\x99s coca growers",
            b"<h1><script>alert(1)</script>Peru\xe2\x80\x99s coca growers",
        )
        .replace(
            b'"headline":"Peru\xe2\x80\x99s coca growers brace',
            b'"headline":"<img src=x onerror=alert(1)>Peru\xe2\x80\x99s coca growers brace',
        )
    )
    job = read(editor_client, submit, {"files": [upload("g.html", page)]})
    html = editor_client.get(job_url(job)).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# Importing.


def test_import_creates_the_previewed_stories_and_links_them(
    editor_client, submit, django_capture_on_commit_callbacks, seed_dir
):
    job = read(
        editor_client,
        submit,
        {"files": [upload("ninjs-wire.json"), upload(SEED, (seed_dir / SEED).read_bytes())]},
    )
    response = import_job(editor_client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert not Story.objects.exists()  # the worker saves, not the request
    assert (
        "The task worker is saving the stories." in editor_client.get(job_url(job)).content.decode()
    )

    assert run_ready_tasks() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    wire = Story.objects.get(headline="UN coca census: Peru's crop shrinks for a third year")
    seed = Story.objects.get(import_key=SEED.removesuffix(".txt"))
    assert wire.text_versions.get().user.username == "editor"
    assert [outcome["status"] for outcome in job.outcomes] == ["created", "created"]
    page = editor_client.get(job_url(job)).content.decode()
    for story in (wire, seed):
        assert reverse("admin:articles_story_change", args=[story.pk]) in page
        assert f'href="{story.get_absolute_url()}"' in page
    assert page.count("<strong>Created</strong>") == 2


def test_the_import_button_works_once(editor_client, submit, django_capture_on_commit_callbacks):
    job = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    import_job(editor_client, job, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(job_url(job), {"import": "1"}, follow=True)
    assert "This import has already been started." in response.content.decode()
    assert run_ready_tasks() == 1
    assert Story.objects.count() == 1


def test_a_job_not_yet_read_cannot_be_imported(editor_client, submit):
    submit({"files": [upload("ninjs-wire.json")]})
    job = ImportJob.objects.get()
    response = editor_client.post(job_url(job), {"import": "1"}, follow=True)
    assert "There is nothing to import until the worker has read the sources." in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert DBTaskResult.objects.count() == 1  # the reading only


def test_a_draft_links_no_public_page(editor_client, submit, django_capture_on_commit_callbacks):
    job = read(editor_client, submit, {"files": [upload("wordpress-export.xml")]})
    import_job(editor_client, job, django_capture_on_commit_callbacks)
    run_ready_tasks()
    draft = Story.objects.get(status=Story.Status.DRAFT)
    page = editor_client.get(job_url(job)).content.decode()
    assert reverse("admin:articles_story_change", args=[draft.pk]) in page
    assert f'href="{draft.get_absolute_url()}"' not in page
    assert "(not public yet)" in page


def test_a_conflict_is_reported_and_replace_updates(
    editor_client, submit, django_capture_on_commit_callbacks
):
    first = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    import_job(editor_client, first, django_capture_on_commit_callbacks)
    run_ready_tasks()
    story = Story.objects.get()
    story.canonical_url = "https://elsewhere.example/moved"
    story.save()
    ImportJob.objects.all().delete()
    second = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    import_job(editor_client, second, django_capture_on_commit_callbacks)
    run_ready_tasks()
    page = editor_client.get(job_url(second)).content.decode()
    assert "this story is already in the archive" in page
    assert "<strong>Failed</strong>" in page
    ImportJob.objects.all().delete()
    third = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    import_job(editor_client, third, django_capture_on_commit_callbacks, replace=True)
    run_ready_tasks()
    third.refresh_from_db()
    assert [outcome["status"] for outcome in third.outcomes] == ["updated"]
    assert Story.objects.get().pk == story.pk


# Failures in a task.


def test_a_failure_while_reading_marks_the_job_failed(editor_client, submit, site, monkeypatch):
    def broken(self, url):
        raise RuntimeError("the resolver library crashed")

    monkeypatch.setattr(fetching.Fetcher, "fetch", broken)
    job = read(
        editor_client,
        submit,
        {"files": [upload("ninjs-wire.json")], "addresses": f"{site.public}{PAGE}"},
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "The worker stopped while reading (RuntimeError)."
    assert not ImportUpload.objects.exists()
    assert DBTaskResult.objects.get().status == "FAILED"
    page = editor_client.get(job_url(job)).content.decode()
    assert "Failed." in page
    assert "The worker stopped while reading (RuntimeError)." in page
    assert "job-status.js" not in page
    assert editor_client.get(job_url(job, "import_job_status")).json()["waiting"] is False


def test_a_failure_while_storing_what_was_read_marks_the_job_failed(
    editor_client, submit, monkeypatch
):
    class Broken:
        class objects:  # noqa: N801 - stands in for a manager
            @staticmethod
            def filter(**kwargs):
                raise RuntimeError("the database went away")

    submit({"addresses": "http://127.0.0.1:9/story"})
    monkeypatch.setattr("articles.ingest.jobs.ImportUpload", Broken)
    run_ready_tasks()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "The worker stopped while reading (RuntimeError)."


def test_a_failure_while_importing_marks_the_job_failed(
    editor_client, submit, monkeypatch, django_capture_on_commit_callbacks
):
    job = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})

    def broken(*args, **kwargs):
        raise RuntimeError("out of disk")

    monkeypatch.setattr("articles.ingest.jobs.import_entries", broken)
    import_job(editor_client, job, django_capture_on_commit_callbacks)
    run_ready_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "The worker stopped while importing (RuntimeError)."
    assert "The worker stopped while importing (RuntimeError)." in (
        editor_client.get(job_url(job)).content.decode()
    )


def test_a_task_for_a_job_already_read_does_nothing(editor_client, submit):
    job = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    from articles.ingest.tasks import read_import_sources

    assert read_import_sources.call(job_id=job.pk) is False
    assert read_import_sources.call(job_id=10**6) is False


# Waiting for the worker.


def test_the_status_url_says_what_the_worker_is_doing(editor_client, submit):
    submit({"files": [upload("ninjs-wire.json")]})
    job = ImportJob.objects.get()
    status_url = job_url(job, "import_job_status")
    response = editor_client.get(status_url)
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "status": "queued",
        "label": "Queued",
        "waiting": True,
        "stalled": False,
    }
    page = editor_client.get(job_url(job)).content.decode()
    assert f'data-status-url="{status_url}"' in page
    assert "job-status.js" in page
    assert '<p class="import-stalled" hidden>' in page
    assert '<span class="import-going-on">You can leave this page' in page

    # Nothing has picked it up for a while: the worker may not be running (and the page no
    # longer says the work goes on).
    ImportJob.objects.update(status_changed_at=timezone.now() - timedelta(minutes=1))
    assert editor_client.get(status_url).json()["stalled"] is True
    page = editor_client.get(job_url(job)).content.decode()
    assert '<p class="import-stalled">' in page
    assert '<span class="import-going-on" hidden>' in page
    assert "<code>make worker</code>" in page

    run_ready_tasks()
    assert editor_client.get(status_url).json() == {
        "status": "ready",
        "label": "Ready to import",
        "waiting": False,
        "stalled": False,
    }


def test_recent_jobs_are_listed_from_the_import_page(editor, editor_client, submit):
    for _ in range(3):
        submit({"addresses": "https://news.example/a\nhttps://news.example/b"})
    other = StaffFactory(username="other", groups=["Editors"])
    theirs = ImportJob.objects.create(requested_by=other, sources=[{"kind": "file", "name": "x"}])
    page = editor_client.get(URL).content.decode()
    jobs_url = reverse("admin:articles_story_import_jobs")
    assert f'href="{jobs_url}"' in page
    for job in ImportJob.objects.filter(requested_by=editor):
        assert f'href="{job_url(job)}"' in page
    assert "https://news.example/a and 1 more" in page
    listing = editor_client.get(jobs_url).content.decode()
    assert listing.count("<td>Queued</td>") == 3
    assert job_url(theirs) not in listing


# Queries, counted.


def preview_story(number: int) -> IngestedStory:
    return IngestedStory(
        identity=f"https://news.example/{number}",
        headline=f"Story {number}",
        format="page",
        authors=["A. Writer"],
        published_at=timezone.now().replace(microsecond=0),
        tags=["Peru"],
        blocks=[
            ParsedBlock(kind=Block.Kind.PARAGRAPH, text=f"Paragraph {number}."),
            ParsedBlock(kind=Block.Kind.ASIDE, teaser="More", target_url="https://news.example/"),
        ],
    )


def test_the_job_page_s_queries_do_not_grow_with_its_stories(
    editor, editor_client, django_assert_num_queries
):
    def job_with(count: int) -> ImportJob:
        stories = StoryFactory.create_batch(count)
        return ImportJob.objects.create(
            requested_by=editor,
            status=ImportJob.Status.DONE,
            previews=[
                {
                    "source": f"https://news.example/{n}",
                    "kind": "address",
                    "entries": [
                        {"label": str(n), "error": "", "story": story_as_json(preview_story(n))}
                    ],
                }
                for n in range(count)
            ],
            outcomes=[
                {
                    "label": story.headline,
                    "status": "created",
                    "message": "",
                    "story_id": story.pk,
                    "unresolved_asides": 1,
                }
                for story in stories
            ],
        )

    small, big = job_with(2), job_with(40)
    # Session, user, the user's and group's permissions, the job, its stories, the inbox count.
    with django_assert_num_queries(7):
        assert editor_client.get(job_url(small)).status_code == 200
    with django_assert_num_queries(7):
        page = editor_client.get(job_url(big)).content.decode()
    assert page.count("<strong>Created</strong>") == 40

    ImportJob.objects.update(status=ImportJob.Status.READY, outcomes=[])
    with django_assert_num_queries(6):  # no stories to look up
        page = editor_client.get(job_url(big)).content.decode()
    assert "40 of 40 stories can be imported" in page
    assert page.count('class="import-aside"') == 40


# A worker that stopped in the middle of a job.


def stop_the_worker_in(job: ImportJob, status: str, *, minutes: int) -> None:
    """As if a worker had claimed the job's task and died `minutes` ago: the task is no longer
    ready to run, and the job has not moved on since."""
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING")
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, status_changed_at=timezone.now() - timedelta(minutes=minutes)
    )


def resume(client, job: ImportJob, capture):
    with capture(execute=True):
        return client.post(job_url(job), {"resume": "1"}, follow=True)


def test_a_job_a_stopped_worker_was_reading_is_read_again(
    editor_client, submit, django_capture_on_commit_callbacks
):
    submit({"files": [upload("ninjs-wire.json")]})
    job = ImportJob.objects.get()
    status_url = job_url(job, "import_job_status")

    # Still within the time a reading may take: nothing to offer, nothing to resume.
    stop_the_worker_in(job, ImportJob.Status.READING, minutes=9)
    assert editor_client.get(status_url).json()["stalled"] is False
    assert '<div class="import-stalled" hidden>' in editor_client.get(job_url(job)).content.decode()
    response = resume(editor_client, job, django_capture_on_commit_callbacks)
    assert "This import is not waiting for a stopped worker." in response.content.decode()
    assert run_ready_tasks() == 0

    stop_the_worker_in(job, ImportJob.Status.READING, minutes=11)
    assert editor_client.get(status_url).json()["stalled"] is True
    page = editor_client.get(job_url(job)).content.decode()
    assert '<div class="import-stalled">' in page
    assert "it stopped while reading the sources" in page
    assert '<span class="import-going-on" hidden>' in page
    assert 'name="resume" value="Try again"' in page

    response = resume(editor_client, job, django_capture_on_commit_callbacks)
    assert "Queued." in response.content.decode()
    assert run_ready_tasks() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert [entry["label"] for preview in job.previews for entry in preview["entries"]] == [
        "UN coca census: Peru's crop shrinks for a third year"
    ]
    assert not ImportUpload.objects.exists()  # read at last, the upload is deleted


def test_a_job_a_stopped_worker_was_importing_is_imported_again_without_duplicates(
    editor_client, submit, django_capture_on_commit_callbacks, seed_dir
):
    job = read(
        editor_client,
        submit,
        {"files": [upload("ninjs-wire.json"), upload(SEED, (seed_dir / SEED).read_bytes())]},
    )
    import_job(editor_client, job, django_capture_on_commit_callbacks)
    run_ready_tasks()
    assert Story.objects.count() == 2
    # The worker saved the stories and died before recording what it did.
    ImportJob.objects.filter(pk=job.pk).update(outcomes=[])
    stop_the_worker_in(job, ImportJob.Status.IMPORTING, minutes=11)
    page = editor_client.get(job_url(job)).content.decode()
    assert "it stopped while saving the stories" in page
    assert "stories it already saved are found again, not saved twice" in page

    resume(editor_client, job, django_capture_on_commit_callbacks)
    assert run_ready_tasks() == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert [outcome["status"] for outcome in job.outcomes] == ["unchanged", "unchanged"]
    assert Story.objects.count() == 2


def test_a_job_that_is_not_abandoned_is_never_queued_twice(editor_client, submit):
    from articles.ingest.jobs import resume_import_job

    job = read(editor_client, submit, {"files": [upload("ninjs-wire.json")]})
    for status in ImportJob.Status:
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, status_changed_at=timezone.now() - timedelta(minutes=5)
        )
        assert resume_import_job(job_id=job.pk) is False, status
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_reading_notes_each_fetch_so_a_slow_job_is_not_abandoned(editor_client, submit, site):
    submit({"addresses": f"{site.public}{PAGE}"})
    job = ImportJob.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(status_changed_at=long_ago)

    from articles.ingest.jobs import JobFetcher, Status, _read_previews

    ImportJob.objects.filter(pk=job.pk).update(status=Status.READING)
    fetched = []
    real_fetch = JobFetcher.fetch

    def fetch(self, url):
        result = real_fetch(self, url)
        fetched.append(ImportJob.objects.get(pk=job.pk).status_changed_at)
        return result

    JobFetcher.fetch = fetch
    try:
        _read_previews(ImportJob.objects.get(pk=job.pk))
    finally:
        JobFetcher.fetch = real_fetch
    assert len(fetched) == 1
    assert fetched[0] > long_ago + timedelta(minutes=59)


# Old jobs are deleted.


def test_prune_import_jobs_deletes_jobs_that_have_not_moved_on_for_the_days_given(editor):
    from django.core.management import CommandError, call_command

    def job(status, days):
        job = ImportJob.objects.create(requested_by=editor, status=status)
        ImportJob.objects.filter(pk=job.pk).update(
            status_changed_at=timezone.now() - timedelta(days=days)
        )
        ImportUpload.objects.create(job=job, position=0, name="a.json", data=b"{}")
        return job

    old_done, old_ready = job("done", 31), job("ready", 40)
    recent = job("done", 29)
    out = io.StringIO()
    call_command("prune_import_jobs", stdout=out)
    assert out.getvalue() == "Deleted 2 import jobs.\n"
    assert list(ImportJob.objects.all()) == [recent]
    assert list(ImportUpload.objects.values_list("job", flat=True)) == [recent.pk]
    assert not ImportJob.objects.filter(pk__in=[old_done.pk, old_ready.pk]).exists()

    call_command("prune_import_jobs", "--days", "1", stdout=out)
    assert not ImportJob.objects.exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_import_jobs", "--days", "0")
