"""Shared fixtures."""

from pathlib import Path

import pytest
from django.core.cache import caches

from articles.caching import store
from tests.factories import StaffFactory

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches. The rows a test starts from are the same in
    every test (each rolls back), so a page stored by one test would otherwise match another's,
    and the page cache's index would file pages under the row ids of a test gone by."""
    for cache in caches.all():
        cache.clear()
    store.forget_local_indexes()


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
