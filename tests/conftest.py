"""Shared fixtures."""

import time
from pathlib import Path

import pytest
from django.core.cache import caches

from articles.caching import store
from tests.factories import MIGRATED_GROUPS, StaffFactory
from tests.tools import LOCAL_REDIS, require_redis

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases, migrated; then remember the staff groups the migrations made, for
    `tests.factories.staff_group`."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        for group in Group.objects.prefetch_related("permissions__content_type"):
            MIGRATED_GROUPS[group.name] = [
                (permission.content_type.app_label, permission.codename)
                for permission in group.permissions.all()
            ]


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches. The rows a test starts from are the same in
    every test (each rolls back), so a page stored by one test would otherwise match another's,
    and the page cache's index would file pages under the row ids of a test gone by."""
    for cache in caches.all():
        cache.clear()
    store.forget_local_indexes()


@pytest.fixture
def shared_store(settings):
    """The page cache's store in Redis, as production shares it between every process (app
    servers, the task worker, commands), where what is kept beside pages (list counts, the
    section menu, the next scheduled story) is kept whether pages are cached or not. Skipped
    where no Redis runs, except under CI, which starts one."""
    require_redis()
    settings.CACHES = {
        **settings.CACHES,
        "shared-store": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LOCAL_REDIS,
            "KEY_PREFIX": f"test-store-{time.monotonic_ns()}",
        },
    }
    settings.NEWSROOM_PAGE_CACHE_ALIAS = "shared-store"
    try:
        yield caches["shared-store"]
    finally:
        caches["shared-store"].clear()


@pytest.fixture
def seed_dir() -> Path:
    return SEEDS


@pytest.fixture
def editor(db):
    """A staff login in the Editors group (the group comes from migration 0002)."""
    return StaffFactory(username="editor", groups=["Editors"])


@pytest.fixture
def annotator(db):
    """A staff login in the Annotators group."""
    return StaffFactory(username="annotator", groups=["Annotators"])


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client
