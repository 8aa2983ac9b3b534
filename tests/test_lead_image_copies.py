"""Lead images given by address are kept as the newsroom's own copies by the task worker: pages
show the copy and its renditions, never a wrong image, and say nothing of a file that is not an
image; an upload always comes first."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles.editing.stories import edit_story
from articles.ingest import images
from articles.ingest.fetching import Fetcher, FetchPolicy
from articles.ingest.importing import import_url
from articles.models import LeadImageRendition, Story
from tests.factories import ParagraphFactory, StoryFactory
from tests.ingest_fixtures import Site, fixture
from tests.tasks import queued, run_worker

pytestmark = pytest.mark.django_db

PAGE = "/2016/05/12/on-patrol-with-the-river-police-of-the-ene/"
PUBLISHERS_IMAGE = "https://valleydispatch.example/wp-content/uploads/2016/05/river-patrol.jpg"
IMAGE_PATH = "/wp-content/uploads/2016/05/river-patrol.jpg"


def jpeg(width: int = 1000, height: int = 600, color: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def image_route(data: bytes, content_type: str = "image/jpeg"):
    return (200, {"Content-Type": content_type}, data)


@pytest.fixture
def site(settings, tmp_path):
    """The publisher's site, on a local address the image copies may fetch from."""
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSROOM_IMAGE_COPY_ALLOW_PRIVATE = True
    site = Site()
    page = fixture("wordpress-river-patrol.html").replace(
        PUBLISHERS_IMAGE.encode(), site.url(IMAGE_PATH).encode()
    )
    site.routes[PAGE] = (200, {"Content-Type": "text/html; charset=utf-8"}, page)
    site.routes[IMAGE_PATH] = image_route(jpeg())
    yield site
    site.close()


def imported(site, capture) -> Story:
    with capture(execute=True):
        (outcome,) = import_url(site.url(PAGE), fetcher=Fetcher(FetchPolicy(allow_private=True)))
    assert outcome.status == "created", str(outcome)
    return Story.objects.get(pk=outcome.story.pk)


def page(story: Story) -> str:
    return Client().get(story.get_absolute_url()).content.decode()


def image_requests(site) -> list[str]:
    return [path for path, _ in site.requests if path == IMAGE_PATH]


def test_an_imported_image_is_copied_by_the_worker_and_the_pages_show_the_copy(
    site, django_capture_on_commit_callbacks
):
    story = imported(site, django_capture_on_commit_callbacks)
    assert ("copy_lead_image", {"story_id": story.pk, "attempt": 1}) in queued()
    assert image_requests(site) == []  # not fetched while the import ran
    before = page(story)  # cached: the worker's purge must reach it
    assert site.url(IMAGE_PATH) in before  # the publisher's file, until the copy is kept

    run_worker(django_capture_on_commit_callbacks)

    story.refresh_from_db()
    assert story.lead_image_copied_from == site.url(IMAGE_PATH)
    assert story.lead_image_copy.name.startswith("lead-images/copies/")
    assert story.lead_image_copy.read() == jpeg()
    assert story.lead_image_copy_error == ""
    renditions = list(LeadImageRendition.objects.filter(story=story).order_by("width"))
    assert [(r.width, r.height) for r in renditions] == [(480, 288), (800, 480), (1000, 600)]
    after = page(story)
    assert site.url(IMAGE_PATH) not in after
    assert f"{renditions[0].image.url} 480w" in after
    front = Client().get("/").content.decode()
    assert site.url(IMAGE_PATH) not in front and f"{renditions[0].image.url} 480w" in front
    assert len(image_requests(site)) == 1


def test_cards_with_a_copy_ask_no_more_queries_than_cards_with_an_upload(
    site, django_capture_on_commit_callbacks, settings
):
    """The copy's columns come with the cards' own query (no deferred field loaded per card)."""
    settings.NEWSROOM_PAGE_CACHE = False
    imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as with_copy:
        Client().get("/")
    StoryFactory(headline="Another story")
    with CaptureQueriesContext(connection) as with_two:
        Client().get("/")
    assert len(with_copy) == len(with_two)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<html><body>Page not found</body></html>", "text/html", "not an image that can be read"),
        (jpeg()[:4000], "image/jpeg", "not an image that can be read"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "image/svg+xml",
            "not an image that can be read",
        ),
    ],
    ids=["html", "truncated-jpeg", "svg"],
)
def test_a_file_that_is_not_a_whole_image_is_not_copied_and_the_admin_says_why(
    site, django_capture_on_commit_callbacks, editor_client, body, content_type, reason
):
    site.routes[IMAGE_PATH] = image_route(body, content_type)
    story = imported(site, django_capture_on_commit_callbacks)

    run_worker(django_capture_on_commit_callbacks)

    story.refresh_from_db()
    assert not story.lead_image_copy
    assert story.lead_image_copy_error.startswith(reason)
    assert site.url(IMAGE_PATH) in page(story)  # as before: the address, in a fixed box
    form = editor_client.get(f"/admin/articles/story/{story.pk}/change/").content.decode()
    assert f"Not copied: {reason}" in form


def test_other_image_formats_and_oversized_images_are_refused(monkeypatch):
    bitmap = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(bitmap, "BMP")
    with pytest.raises(images.ImageRefused, match=r"not a JPEG, PNG, GIF or WebP image \(BMP\)"):
        images.checked_image(bitmap.getvalue())
    assert images.checked_image(jpeg(100, 100)) == "jpg"
    monkeypatch.setattr(images, "IMAGE_MAX_PIXELS", 100 * 99)
    with pytest.raises(images.ImageRefused, match="too large to show"):
        images.checked_image(jpeg(100, 100))


def test_a_file_larger_than_the_limit_is_not_read_to_the_end(
    site, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(images, "IMAGE_MAX_BYTES", 10_000)
    site.routes[IMAGE_PATH] = image_route(jpeg(2000, 2000, "blue") + b"\0" * 20_000)
    story = imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    assert not story.lead_image_copy
    assert story.lead_image_copy_error == "larger than 10,000 bytes"


def test_an_image_on_a_private_address_is_refused_unless_allowed(
    site, django_capture_on_commit_callbacks, settings
):
    settings.NEWSROOM_IMAGE_COPY_ALLOW_PRIVATE = False
    story = imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    assert "private or local network" in story.lead_image_copy_error
    assert image_requests(site) == []

    # `copy_lead_images --allow-private` tries again, from an operator's shell.
    out = io.StringIO()
    call_command("copy_lead_images", "--allow-private", stdout=out)
    story.refresh_from_db()
    assert story.lead_image_copied_from == site.url(IMAGE_PATH)
    assert story.lead_image_copy_error == ""
    assert out.getvalue().endswith("Lead images: 1 copied.\n")
    out = io.StringIO()
    call_command("copy_lead_images", stdout=out)
    assert out.getvalue() == "Lead images: none to copy.\n"


def test_an_upload_comes_first_and_no_copy_is_fetched(site, django_capture_on_commit_callbacks):
    story = StoryFactory(lead_image="lead-images/2016/05/own.jpg", lead_image_url="")
    with django_capture_on_commit_callbacks(execute=True):
        edit_story(
            story=story, version=story.version, user=None, lead_image_url=site.url(IMAGE_PATH)
        )
    assert [name for name, _ in queued()] == ["refresh_stories"]
    assert images.keep_lead_image_copy(story_id=story.pk).status == "nothing to copy"
    assert image_requests(site) == []
    assert "/media/lead-images/2016/05/own.jpg" in page(story)


def test_a_new_address_shows_at_once_and_its_copy_replaces_the_old_one(
    site, django_capture_on_commit_callbacks
):
    """An editor (or the publisher, followed) gives another image: readers never see the old
    copy for the new address; the new one is copied and the old file removed."""
    story = imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    old_copy = story.lead_image_copy.name
    storage = story.lead_image_copy.storage
    site.routes["/new.png"] = image_route(b"", "image/png")
    png = io.BytesIO()
    Image.new("RGB", (900, 500), "navy").save(png, "PNG")
    site.routes["/new.png"] = image_route(png.getvalue(), "image/png")

    with django_capture_on_commit_callbacks(execute=True):
        edit_story(
            story=story, version=story.version, user=None, lead_image_url=site.url("/new.png")
        )

    assert ("copy_lead_image", {"story_id": story.pk, "attempt": 1}) in queued()
    shown = page(story)
    assert site.url("/new.png") in shown and "copies" not in shown

    run_worker(django_capture_on_commit_callbacks)

    story.refresh_from_db()
    assert story.lead_image_copy.name.endswith(".png") and story.lead_image_copied_from.endswith(
        "/new.png"
    )
    assert not storage.exists(old_copy)
    assert "copies" in page(story) and site.url("/new.png") not in page(story)


def test_an_address_changed_during_the_fetch_keeps_no_copy(site):
    story = StoryFactory(lead_image_url=site.url(IMAGE_PATH))
    ParagraphFactory(story=story)

    class EditedMeanwhile(Fetcher):
        def fetch(self, url):
            fetched = super().fetch(url)
            Story.objects.filter(pk=story.pk).update(
                lead_image_url="https://elsewhere.example/b.jpg"
            )
            return fetched

    outcome = images.keep_lead_image_copy(
        story_id=story.pk, fetcher=EditedMeanwhile(FetchPolicy(allow_private=True))
    )
    assert outcome.status == "address changed"
    story.refresh_from_db()
    assert not story.lead_image_copy and story.lead_image_copied_from == ""


def test_a_removed_address_removes_the_image_from_the_page(
    site, django_capture_on_commit_callbacks
):
    story = imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        edit_story(story=story, version=story.version, user=None, lead_image_url="")
    assert "<figure" not in page(story)


def copy_tasks() -> list[tuple[int, float]]:
    """The copy attempts waiting: their attempt numbers and minutes until they are due."""
    now = timezone.now()
    return [
        (task.args_kwargs["kwargs"]["attempt"], round((task.run_after - now).total_seconds() / 60))
        for task in DBTaskResult.objects.filter(
            status="READY", task_path__endswith="copy_lead_image"
        )
    ]


def test_a_busy_server_is_tried_again_later_and_the_copy_made_once_it_answers(
    site, django_capture_on_commit_callbacks
):
    site.routes[IMAGE_PATH] = (503, {"Content-Type": "text/html"}, b"Try later")
    story = imported(site, django_capture_on_commit_callbacks)

    run_worker(django_capture_on_commit_callbacks)

    story.refresh_from_db()
    assert story.lead_image_copy_error == (
        "the server answered 503 Service Unavailable (the worker tries again in 10 minutes)"
    )
    assert copy_tasks() == [(2, 10)]  # not due yet: the worker leaves it
    site.routes[IMAGE_PATH] = image_route(jpeg())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    assert story.lead_image_copied_from == site.url(IMAGE_PATH)
    assert story.lead_image_copy_error == "" and copy_tasks() == []


@pytest.mark.parametrize(
    ("attempt", "waiting"), [(2, [(3, 60)]), (3, [(4, 360)]), (4, [])], ids=["2", "3", "last"]
)
def test_each_attempt_waits_longer_and_the_fourth_is_the_last(site, attempt, waiting):
    site.routes[IMAGE_PATH] = (502, {"Content-Type": "text/html"}, b"Bad gateway")
    story = StoryFactory(lead_image_url=site.url(IMAGE_PATH))
    outcome = images.keep_lead_image_copy(story_id=story.pk, attempt=attempt)
    assert outcome.status == "failed"
    assert copy_tasks() == waiting


def test_a_missing_file_is_not_tried_again(site, django_capture_on_commit_callbacks):
    site.routes[IMAGE_PATH] = (404, {"Content-Type": "text/html"}, b"Not found")
    story = imported(site, django_capture_on_commit_callbacks)
    run_worker(django_capture_on_commit_callbacks)
    story.refresh_from_db()
    assert story.lead_image_copy_error == "the server answered 404 Not Found"
    assert copy_tasks() == []


def test_a_robots_txt_that_does_not_answer_now_is_asked_again_later(site):
    """A broken robots.txt neither allows nor refuses: nothing is fetched, and not for good."""
    site.routes["/robots.txt"] = (503, {"Content-Type": "text/plain"}, b"")
    story = StoryFactory(lead_image_url=site.url(IMAGE_PATH))
    images.keep_lead_image_copy(story_id=story.pk, attempt=1)
    story.refresh_from_db()
    assert story.lead_image_copy_error.startswith("the site's robots.txt answered 503")
    assert image_requests(site) == [] and copy_tasks() == [(2, 10)]


def test_a_site_that_drops_the_connection_is_tried_again_not_taken_as_refusing(site):
    site.routes["/robots.txt"] = lambda handler: None  # no answer: the connection is closed
    story = StoryFactory(lead_image_url=site.url(IMAGE_PATH))
    images.keep_lead_image_copy(story_id=story.pk, attempt=1)
    story.refresh_from_db()
    assert story.lead_image_copy_error.startswith("the connection failed")
    assert copy_tasks() == [(2, 10)]


def test_no_retry_for_an_address_the_story_no_longer_names(site):
    site.routes[IMAGE_PATH] = (503, {"Content-Type": "text/html"}, b"Try later")
    story = StoryFactory(lead_image_url=site.url(IMAGE_PATH))

    class EditedMeanwhile(Fetcher):
        def fetch(self, url):
            Story.objects.filter(pk=story.pk).update(
                lead_image_url="https://elsewhere.example/b.jpg"
            )
            return super().fetch(url)

    outcome = images.keep_lead_image_copy(
        story_id=story.pk, fetcher=EditedMeanwhile(images.image_policy()), attempt=1
    )
    assert outcome.status == "failed"
    assert copy_tasks() == []
    story.refresh_from_db()
    assert story.lead_image_copy_error == ""
