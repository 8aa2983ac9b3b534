"""Cache entries filed under the surrogate keys of what they show, and purged by key.

The page cache keeps rendered pages here, and the pages' shared parts too (a list's story count,
the section menu, a story page's body and related list: `pages.parts`). Each entry is filed
under its keys in an *index*: a key's set of cache keys. `purge(keys)` deletes every entry
filed under any of them, on every app host at once, because the index and the entries live
in the same shared cache:

- with a Redis cache (`REDIS_URL`), the index is a Redis set per key (`SADD` when an entry is
  kept, `SMEMBERS` and `DEL` when it is purged), next to the entries. Redis rather than a
  pub/sub message to each host: a host that is restarting or briefly cut off misses a message,
  while a deleted entry stays deleted, and sync workers need no listening thread;
- with local memory, the index is a dictionary in the process. Local memory keeps nothing
  unless `NEWSROOM_PAGE_CACHE` is on (`in_use`), which says that this process is the only one
  that writes (the tests): `make run` serves with a task worker beside it, and a story the worker
  imports, or a management command saves, is purged in that process, out of reach of the
  server's memory.

**A purge never loses to a render in flight.** A reader whose page was rendered from rows read
before a commit may try to keep it after that commit's purge. Every purge first stamps each key
with the time (`purged` marks, kept a minute), and an entry is kept only if, *after* it is filed
in the index, none of its keys was purged since its render began. Either the purge's read of the
index sees the entry, or the entry's check sees the purge's mark; a page whose keys were purged
while it rendered is served but not kept. Times come from one clock: Redis's own (`TIME`) when
the index is in Redis, so app hosts' clocks need not agree.
"""

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import caches

PURGE_MARK_SECONDS = 60
INDEX_PREFIX = "newsroom:index:"
MARK_PREFIX = "newsroom:purged:"
# Local memory only: an index this large is dropped with the entries it files.
LOCAL_INDEX_LIMIT = 200_000


def alias() -> str:
    return getattr(settings, "NEWSROOM_PAGE_CACHE_ALIAS", "default")


def ttl() -> int:
    return getattr(settings, "NEWSROOM_PAGE_CACHE_TTL", 300)


class LocalIndex:
    """The index of a cache in this process's memory (local memory caches)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.members: dict[str, set[str]] = {}
        self.marks: dict[str, float] = {}

    def now(self) -> float:
        return time.time()

    def file(self, entries: Mapping[str, Iterable[str]]) -> bool:
        """File each entry (cache key: its keys); False when the cache must be emptied (the
        index grew too large)."""
        with self.lock:
            for cache_key, keys in entries.items():
                for key in keys:
                    self.members.setdefault(key, set()).add(cache_key)
            if sum(map(len, self.members.values())) > LOCAL_INDEX_LIMIT:
                self.members.clear()
                return False
        return True

    def purged_since(self, keys: Iterable[str], moment: float) -> set[str]:
        """Those of `keys` purged after `moment`."""
        with self.lock:
            return {key for key in keys if self.marks.get(key, 0.0) > moment}

    def take(self, keys: Iterable[str]) -> set[str]:
        """Mark the keys purged now, and hand over (and forget) the entries filed under them."""
        now = time.time()
        taken = set()
        with self.lock:
            self.marks = {k: t for k, t in self.marks.items() if t > now - PURGE_MARK_SECONDS}
            for key in keys:
                self.marks[key] = now
                taken |= self.members.pop(key, set())
        return taken


class RedisIndex:
    """The index as Redis sets beside a Redis cache's entries, shared by every app host."""

    def __init__(self, location: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(location)
        self.prefix = prefix

    def now(self) -> float:
        seconds, microseconds = self.client.time()
        return seconds + microseconds / 1_000_000

    def _set(self, key: str) -> str:
        return f"{self.prefix}{INDEX_PREFIX}{key}"

    def _mark(self, key: str) -> str:
        return f"{self.prefix}{MARK_PREFIX}{key}"

    def file(self, entries: Mapping[str, Iterable[str]]) -> bool:
        with self.client.pipeline(transaction=False) as pipe:
            for cache_key, keys in entries.items():
                for key in keys:
                    pipe.sadd(self._set(key), cache_key)
                    # A set outlives every entry it files; an entry evicted early stays a
                    # member until then, which costs a useless delete at the next purge.
                    pipe.expire(self._set(key), ttl() + PURGE_MARK_SECONDS)
            pipe.execute()
        return True

    def purged_since(self, keys: Iterable[str], moment: float) -> set[str]:
        """Those of `keys` purged after `moment` (one MGET of their marks)."""
        keys = list(keys)
        if not keys:
            return set()
        marks = self.client.mget([self._mark(key) for key in keys])
        return {key for key, mark in zip(keys, marks, strict=True) if mark and float(mark) > moment}

    def take(self, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        now = self.now()
        with self.client.pipeline(transaction=False) as pipe:
            # Marks first: an entry filed after the members are read sees them (see above).
            for key in keys:
                pipe.set(self._mark(key), repr(now), ex=PURGE_MARK_SECONDS)
            pipe.execute()
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.smembers(self._set(key))
                pipe.delete(self._set(key))
            replies = pipe.execute()
        return {member.decode() for members in replies[::2] for member in members}


_local_indexes: dict[str, LocalIndex] = {}
_redis_indexes: dict[tuple, RedisIndex] = {}


def forget_local_indexes() -> None:
    """Drop this process's local-memory indexes, as emptying its caches drops their entries
    (between tests: an index left over would file a page under keys of a test gone by)."""
    _local_indexes.clear()


def index_of(cache_alias: str):
    """The index for a cache alias: Redis sets for a Redis cache, else this process's memory."""
    config = settings.CACHES[cache_alias]
    if config["BACKEND"].endswith(".RedisCache"):
        location = config["LOCATION"]
        location = location[0] if isinstance(location, list | tuple) else location
        prefix = f"{config.get('KEY_PREFIX', '')}:"
        if (location, prefix) not in _redis_indexes:
            _redis_indexes[location, prefix] = RedisIndex(location, prefix)
        return _redis_indexes[location, prefix]
    return _local_indexes.setdefault(cache_alias, LocalIndex())


def in_use() -> bool:
    """Whether entries are kept at all: where every process's purges reach them.

    A Redis cache and its index are shared by the app servers, the task worker and management
    commands alike. A local-memory cache is its process's own, so it keeps entries only when the
    page cache is on (`NEWSROOM_PAGE_CACHE=1` without Redis: one process writes, as in the
    tests); otherwise `get` finds nothing, `keep` keeps nothing, and `remember` computes.
    """
    return bool(getattr(settings, "NEWSROOM_PAGE_CACHE", False)) or isinstance(
        index_of(alias()), RedisIndex
    )


def now() -> float:
    """The clock purges are stamped with: read it before reading what an entry shows."""
    return index_of(alias()).now()


def get(cache_key: str) -> Any:
    if not in_use():
        return None
    return caches[alias()].get(cache_key)


def get_many(cache_keys: Iterable[str]) -> dict[str, Any]:
    """The entries kept under `cache_keys` (one round trip), by cache key; missing ones left out."""
    if not in_use():
        return {}
    return caches[alias()].get_many(list(cache_keys))


def keep(cache_key: str, value: Any, *, keys: Iterable[str], started: float, timeout: int) -> bool:
    """Keep `value` under `cache_key`, filed under `keys`, unless one of them was purged since
    `started` (when its content was read), or nothing is kept here (`in_use`). Returns whether
    it was kept."""
    return cache_key in keep_many({cache_key: (value, keys)}, started=started, timeout=timeout)


def keep_many(
    entries: Mapping[str, tuple[Any, Iterable[str]]], *, started: float, timeout: int
) -> set[str]:
    """Keep each entry (cache key: its value and keys) as `keep` does, all in three round trips
    to Redis however many there are (a list page's cards); returns the cache keys kept."""
    if not in_use() or not entries:
        return set()
    filed = {cache_key: set(keys) for cache_key, (_, keys) in entries.items()}
    cache = caches[alias()]
    index = index_of(alias())
    cache.set_many({cache_key: value for cache_key, (value, _) in entries.items()}, timeout)
    if not index.file(filed):
        cache.clear()
        return set()
    purged = index.purged_since(set().union(*filed.values()), started)
    stale = [cache_key for cache_key, keys in filed.items() if keys & purged]
    if stale:
        cache.delete_many(stale)
    return set(filed) - set(stale)


def get_unfiled(cache_key: str) -> Any:
    return caches[alias()].get(cache_key)


def keep_unfiled(cache_key: str, value: Any, timeout: int) -> None:
    """Keep a value no purge removes (a page's remembered validators), wherever the cache is:
    such a value is checked against the page it describes, not trusted to be purged."""
    caches[alias()].set(cache_key, value, timeout)


def remember(
    cache_key: str, compute: Callable[[], Any], *, keys: Iterable[str], timeout: int | None = None
) -> Any:
    """The value kept under `cache_key`, or `compute()` kept under `keys` until they are
    purged (or `timeout` seconds, the page cache's TTL by default)."""
    if not in_use():
        return compute()
    value = get(cache_key)
    if value is None:
        started = now()
        value = compute()
        keep(cache_key, value, keys=keys, started=started, timeout=timeout or ttl())
    return value


def purge(keys: Iterable[str]) -> int:
    """Delete every entry filed under any of `keys`; returns how many were filed."""
    taken = index_of(alias()).take(set(keys))
    if taken:
        caches[alias()].delete_many(list(taken))
    return len(taken)
