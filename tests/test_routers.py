"""Beyond one machine: reads on replicas, writes and what follows them on the primary, and the
settings that make app servers stateless (replica URLs, shared cache, media in object storage).

Replicas are tested the way Django tests them: an alias whose `TEST["MIRROR"]` is `default`,
so that "the replica" is the test database itself. Here the mirror alias shares the default
connection too, so that it sees the rows each test writes inside its transaction; which alias a
query went to is read from the loaded objects (`obj._state.db`) and from the router.
"""

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from articles.models import Section, Story
from newsroom import routers
from tests.factories import ParagraphFactory, StaffFactory, StoryFactory
from tests.test_admin import change_url

BASE_SETTINGS = Path(__file__).resolve().parent.parent / "newsroom" / "settings" / "base.py"
REPLICA = "replica"


@pytest.fixture(autouse=True)
def fresh_pin():
    """Each test starts unpinned, as each request does, whatever an earlier test wrote."""
    token = routers._pinned.set(False)
    yield
    routers._pinned.reset(token)


@pytest.fixture
def replica_database(transactional_db):
    """A `replica` alias that mirrors the test database (TEST MIRROR = default).

    Transactional: inside a test wrapped in a transaction every read stays on the primary, as
    it does inside any transaction (the router's `_in_transaction`)."""
    connections.settings[REPLICA] = {
        **connections["default"].settings_dict,
        "TEST": {**connections["default"].settings_dict["TEST"], "MIRROR": "default"},
    }
    connections[REPLICA] = connections["default"]
    with override_settings(NEWSROOM_DATABASE_REPLICAS=[REPLICA]):
        yield REPLICA
    del connections[REPLICA]
    del connections.settings[REPLICA]


# The router on its own


@override_settings(NEWSROOM_DATABASE_REPLICAS=[REPLICA])
def test_reads_go_to_a_replica_until_the_first_write():
    assert router.db_for_read(Story) == REPLICA
    assert Story.objects.all().db == REPLICA

    assert router.db_for_write(Story) == "default"

    assert router.db_for_read(Story) == "default"
    assert Story.objects.all().db == "default"


@override_settings(NEWSROOM_DATABASE_REPLICAS=["replica1", "replica2"])
def test_reads_are_spread_over_the_replicas():
    seen = {router.db_for_read(Story) for _ in range(200)}
    assert seen == {"replica1", "replica2"}


@override_settings(NEWSROOM_DATABASE_REPLICAS=[])
def test_without_replicas_everything_uses_the_primary():
    assert router.db_for_read(Story) == "default"
    assert router.db_for_write(Story) == "default"


@pytest.mark.django_db(transaction=True)
@override_settings(NEWSROOM_DATABASE_REPLICAS=[REPLICA])
def test_reads_inside_a_transaction_on_the_primary_stay_there():
    assert router.db_for_read(Story) == REPLICA
    with transaction.atomic():
        assert router.db_for_read(Story) == "default"


@override_settings(NEWSROOM_DATABASE_REPLICAS=[REPLICA])
def test_replicas_are_never_migrated():
    assert router.allow_migrate("default", "articles", model_name="story")
    assert not router.allow_migrate(REPLICA, "articles", model_name="story")


# Requests: the middleware scopes the pin to one request


def reads_after(request, *, write: bool) -> tuple[str, str]:
    """Through the middleware: which alias a read before and one after an optional write used."""
    seen = []

    def view(request):
        seen.append(Section.objects.get(slug="world")._state.db)
        if write:
            Section.objects.create(name="Opinion", slug="opinion")
        seen.append(Section.objects.get(slug="world")._state.db)
        return HttpResponse()

    routers.PinPrimaryMiddleware(view)(request)
    return tuple(seen)


def test_a_request_reads_its_own_writes_from_the_primary(replica_database):
    Section.objects.create(name="World", slug="world")
    routers._pinned.set(False)  # the set-up's write is not the request's
    request = RequestFactory().get("/")
    assert reads_after(request, write=True) == (REPLICA, "default")


def test_the_pin_ends_with_the_request(replica_database):
    Section.objects.create(name="World", slug="world")
    routers._pinned.set(False)
    reads_after(RequestFactory().get("/"), write=True)
    assert reads_after(RequestFactory().get("/"), write=False) == (REPLICA, REPLICA)


@pytest.mark.parametrize(
    ("method", "path", "cookies", "where"),
    [
        ("get", "/", {}, REPLICA),
        ("head", "/stories/x/", {}, REPLICA),
        ("post", "/search/", {}, "default"),
        ("get", "/admin/articles/story/", {}, "default"),
        ("get", "/", {"sessionid": "an-editor"}, "default"),
    ],
)
def test_which_requests_read_from_the_primary_from_their_start(
    replica_database, method, path, cookies, where
):
    Section.objects.create(name="World", slug="world")
    routers._pinned.set(False)
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    assert reads_after(request, write=False) == (where, where)


def test_readers_story_page_is_read_from_the_replica(replica_database):
    story = StoryFactory()
    ParagraphFactory(story=story)
    routers._pinned.set(False)

    response = Client().get(story.get_absolute_url())

    assert response.status_code == 200
    assert response.context["story"]._state.db == REPLICA


@override_settings(NEWSROOM_DATABASE_REPLICAS=["replica1", "replica2", "replica3"])
def test_one_request_reads_from_one_replica():
    """A page and the content state it is cached under come from the same replica."""
    seen = set()

    def view(request):
        for _ in range(30):
            seen.add(router.db_for_read(Story))
        return HttpResponse()

    picked = set()
    for _ in range(30):
        seen.clear()
        routers.PinPrimaryMiddleware(view)(RequestFactory().get("/"))
        assert len(seen) == 1
        picked |= seen
    assert len(picked) > 1  # spread over the replicas request by request
    assert routers._request_replica.get() is None  # and the choice ends with the request


def test_editors_read_the_primary_on_the_site_and_in_the_admin(replica_database):
    story = StoryFactory()
    ParagraphFactory(story=story)
    editor = StaffFactory(username="replica-editor", groups=["Editors"])
    client = Client()
    client.force_login(editor)
    routers._pinned.set(False)

    response = client.get(story.get_absolute_url())
    assert response.context["story"]._state.db == "default"
    response = client.get(change_url(story))
    assert response.status_code == 200
    assert response.context["original"]._state.db == "default"


# Settings: every part is chosen by the environment


def load_settings(monkeypatch, **env):
    """`newsroom.settings.base` as it comes out with these environment variables."""
    for name in (
        "DATABASE_REPLICA_URLS",
        "REDIS_URL",
        "DJANGO_MEDIA_STORAGE",
        "AWS_STORAGE_BUCKET_NAME",
        "NEWSROOM_PAGE_CACHE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("newsroom_settings_probe", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_replica_urls_become_mirrored_aliases_with_the_router(monkeypatch):
    settings = load_settings(
        monkeypatch,
        DATABASE_URL="postgres://app@primary.internal:5432/newsroom",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/newsroom, postgres://app@replica-b/newsroom",
    )
    assert settings.NEWSROOM_DATABASE_REPLICAS == ["replica1", "replica2"]
    assert settings.DATABASES["replica1"]["HOST"] == "replica-a"
    assert settings.DATABASES["replica2"]["HOST"] == "replica-b"
    assert settings.DATABASES["replica1"]["TEST"] == {"MIRROR": "default"}
    assert settings.DATABASES["default"]["HOST"] == "primary.internal"
    assert settings.DATABASE_ROUTERS == ["newsroom.routers.PrimaryReplicaRouter"]
    assert settings.MIDDLEWARE[0] == "newsroom.routers.PinPrimaryMiddleware"


def test_no_replica_urls_no_replicas(monkeypatch):
    settings = load_settings(monkeypatch)
    assert settings.NEWSROOM_DATABASE_REPLICAS == []
    assert set(settings.DATABASES) == {"default"}


def test_redis_url_shares_the_cache_the_page_cache_and_sessions(monkeypatch):
    settings = load_settings(monkeypatch, REDIS_URL="redis://cache.internal:6379/0")
    backend = "django.core.cache.backends.redis.RedisCache"
    assert settings.CACHES["default"] == {
        "BACKEND": backend,
        "LOCATION": "redis://cache.internal:6379/0",
    }
    assert settings.CACHES["pages"]["BACKEND"] == backend
    assert settings.CACHES["pages"]["KEY_PREFIX"] == "pages"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_page_cache_is_on_with_redis_and_off_in_local_memory_by_default(monkeypatch):
    """Without Redis each process's memory is its own, out of reach of the task worker's and
    commands' purges (`make run` serves with a worker beside it)."""
    settings = load_settings(monkeypatch)
    assert settings.NEWSROOM_PAGE_CACHE is False
    assert settings.CACHES["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert not hasattr(settings, "SESSION_ENGINE")  # Django's default: the database
    assert load_settings(monkeypatch, NEWSROOM_PAGE_CACHE="1").NEWSROOM_PAGE_CACHE is True
    shared = load_settings(monkeypatch, REDIS_URL="redis://cache.internal:6379/0")
    assert shared.NEWSROOM_PAGE_CACHE is True
    assert (
        load_settings(
            monkeypatch, REDIS_URL="redis://cache.internal:6379/0", NEWSROOM_PAGE_CACHE="0"
        ).NEWSROOM_PAGE_CACHE
        is False
    )


def test_media_go_to_the_file_system_by_default(monkeypatch):
    settings = load_settings(monkeypatch)
    assert settings.STORAGES["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_media_storage_s3_switches_uploads_to_the_bucket(monkeypatch):
    settings = load_settings(
        monkeypatch,
        DJANGO_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
    )
    storage = settings.STORAGES["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "newsroom-media"
    assert storage["OPTIONS"]["region_name"] == "eu-west-1"
    # Static files stay with whitenoise.
    assert settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.")

    # Django builds the storage from those settings (no request to any bucket is made).
    from django.core.files.storage import default_storage

    with override_settings(STORAGES={**settings.STORAGES}):
        field_storage = Story._meta.get_field("lead_image").storage
        assert default_storage.url("lead-images/2014/06/soldier.jpg") == (
            "https://media.example.org/media/lead-images/2014/06/soldier.jpg"
        )
        assert field_storage.url("x.jpg") == "https://media.example.org/media/x.jpg"


def test_media_storage_s3_needs_a_bucket(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        load_settings(monkeypatch, DJANGO_MEDIA_STORAGE="s3")


def test_unknown_media_storage_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="filesystem"):
        load_settings(monkeypatch, DJANGO_MEDIA_STORAGE="ftp")
