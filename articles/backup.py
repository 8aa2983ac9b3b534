"""Dumping the newsroom to a portable JSON file and restoring it.

Uses Django's serializers (dumpdata/loaddata) with natural keys, so a dump restores into any
database the project runs on (SQLite or PostgreSQL), migrated to the same schema. What goes in:
every story with its bylines, body blocks (paragraphs and asides), tags, old slugs, every author,
section and annotation with its anchor, replies and history, and the staff users and groups they
refer to. Restoring runs in one transaction: a bad file changes nothing.
"""

import bz2
import gzip
import json
import lzma
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.utils.dateparse import parse_datetime

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}

# Order matters for readability only; loaddata resolves references itself.
BACKUP_LABELS = [
    "auth.group",
    "auth.user",
    "articles.section",
    "articles.author",
    "articles.socialprofile",
    "articles.tag",
    "articles.article",
    "articles.relatedstory",
    "articles.byline",
    "articles.taggedarticle",
    "articles.oldslug",
    "articles.block",
    "articles.annotation",
    "articles.annotationreply",
    "articles.annotationrevision",
]


def dump_newsroom(*, path: Path) -> None:
    """Write the whole newsroom to `path` (`.json`, or compressed: `.json.gz`, `.json.xz`…)."""
    call_command(
        "dumpdata",
        *BACKUP_LABELS,
        natural_foreign=True,
        natural_primary=False,
        use_base_manager=True,
        indent=1,
        output=str(path),
        verbosity=0,
    )


@transaction.atomic
def restore_newsroom(*, path: Path) -> None:
    """Load a dump made by `dump_newsroom` into this (migrated) database, all or nothing."""
    call_command("loaddata", str(path), verbosity=0)
    _restore_automatic_timestamps(path)


def _restore_automatic_timestamps(path: Path) -> None:
    """Put back `auto_now`/`auto_now_add` times, which saving during loaddata overwrites.

    Without this every restored story would look modified at restore time, which would change
    its "last modified" for readers, feeds and sitemaps.
    """
    opener = OPENERS.get(path.suffix, open)
    with opener(path, "rt", encoding="utf-8") as stream:
        records = json.load(stream)
    for record in records:
        model = apps.get_model(record["model"])
        automatic = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
        ]
        values = {
            name: parse_datetime(record["fields"][name])
            for name in automatic
            if record["fields"].get(name)
        }
        if values:
            model.objects.filter(pk=record["pk"]).update(**values)
