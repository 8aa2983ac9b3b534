"""Version numbers for optimistic concurrency: the primitives every editing path shares.

Stories and notes carry a `version`. An editor's save claims the version it started from
(`claim_version`); any other change to the row (re-anchoring, bulk actions, re-imports,
corrections) moves it on (`bump_versions`), so that a form opened before cannot silently write
the old state back. The forms and admin built on this live in `articles.editing.conflicts`.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import F


class VersionConflict(Exception):
    """The row's version moved since the editor loaded it; `current` is the row as it is now."""

    def __init__(self, current: models.Model):
        super().__init__(
            f"{current._meta.verbose_name} {current.pk} is now at version {current.version}"
        )
        self.current = current


def claim_version(instance: models.Model, *, expected: int) -> None:
    """Compare-and-set the row's version from `expected` to the next one, or raise.

    One conditional UPDATE: of two claims of the same version exactly one finds its row
    (PostgreSQL makes the second wait for the first to commit, then looks again; SQLite lets
    one writer in at a time). The row stays locked until the transaction ends, so what the
    caller writes next goes in under the version it claimed. Raises VersionConflict, or the
    model's DoesNotExist when the row has been deleted.
    """
    model = type(instance)
    rows = model._default_manager.filter(pk=instance.pk)
    if rows.filter(version=expected).update(version=F("version") + 1):
        instance.version = expected + 1
        return
    current = rows.first()
    if current is None:
        raise model.DoesNotExist(f"{model._meta.verbose_name} {instance.pk} has been deleted")
    raise VersionConflict(current)


def bump_versions(model: type[models.Model], *, pks: Iterable[int]) -> None:
    """Give the rows a new version: they changed other than through their own change form."""
    pks = {pk for pk in pks if pk is not None}
    if pks:
        model._default_manager.filter(pk__in=pks).update(version=F("version") + 1)
