"""What the benchmarks share: a throwaway database, the seed story's text, and notes on a block.

Imported by the bench scripts (which run with this folder on `sys.path`); importing it puts the
project on `sys.path` too, so that the scripts can import `articles` once Django is set up.
"""

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SEED = PROJECT / "seeds" / "vice-2014-06-20-peruvian-soldier-killed.txt"


def paragraph_text(copies: int) -> str:
    """The seed story's body run together into one long paragraph (`copies` times over)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines[lines.index("Image via AP/Martin Mejia") + 1 :] if line]
    body = [line for line in body[:-1] if not line.endswith("Read more here.")]
    return " ".join(body * copies)


def setup_django() -> Callable[[], None]:
    """Point Django at a throwaway database; returns the function that removes it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.test")
    temporary = None
    if not os.environ.get("DATABASE_URL", "sqlite:").startswith("postgres"):
        temporary = tempfile.TemporaryDirectory(prefix="newsroom-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary.name}/bench.sqlite3"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if temporary is not None:
        call_command("migrate", verbosity=0)
        return temporary.cleanup
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}_bench_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


def annotate_passages(*, block, anchors: Iterable) -> None:
    """Store a note (with the model's defaults) on each of `anchors` in `block`, in bulk."""
    from articles.models import Note
    from articles.notes.placement import anchor_columns

    Note.objects.bulk_create(
        [
            Note(story_id=block.story_id, paragraph=block, **anchor_columns(anchor))
            for anchor in anchors
        ],
        batch_size=500,
    )
