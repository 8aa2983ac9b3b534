"""Loading notes from JSON files (the sample notes in `seeds/notes/`).

A file names its story by import key and lists notes by the passage they quote, each with
its review `state` (draft unless given; files written before review existed say "visibility",
and their public notes load as published); a longer
`context` passage that contains the quote picks the block and the occurrence when the quote
appears more than once. Loading is idempotent, and one file is one transaction: a passage that
cannot be found fails the whole file with a message naming it.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.data.renames import OLD_NOTE_FILE_KEY
from articles.models import Block, Note, NoteReply, NoteRevision, Story
from articles.notes.anchoring import make_anchor
from articles.notes.corrections import correction_time_error, refresh_story_corrected
from articles.notes.services import record_revision

# The kind-specific fields read from a file as they are; corrected_at is parsed on its own
# below: it is a time.
KIND_TEXT_FIELDS = tuple(name for name in Note.KIND_SPECIFIC_FIELDS if name != "corrected_at")


class NoteFileError(Exception):
    """A problem with a note file, naming the file and the note."""


@dataclass
class LoadResult:
    story: Story
    created: int
    existing: int


def _locate(blocks: list[Block], quote: str, context: str) -> tuple[Block, int] | None:
    needle = context or quote
    for block in blocks:
        text = block.annotatable_text
        at = text.find(needle)
        if at >= 0:
            offset = needle.find(quote)
            return block, at + offset
    return None


def _state(item: dict) -> str:
    """The note's review state: "state", or in older files "visibility" ("public" was shown to
    readers, as published notes are now; anything else was not). A draft when neither is given."""
    if "state" in item:
        return item["state"]
    if item.get("visibility") == "public" and item.get("kind") != Note.Kind.INTERNAL:
        return Note.State.PUBLISHED
    return Note.State.DRAFT


def _check(instance, *, where: str, exclude: list[str]) -> None:
    """The model's own checks (choices, lengths), as one line naming the note."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
        raise NoteFileError(f"{where}: {problems}") from None


@transaction.atomic
def load_note_file(path: Path) -> LoadResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NoteFileError(f"{path}: cannot read JSON: {error}") from None
    if isinstance(data, dict) and "notes" not in data and OLD_NOTE_FILE_KEY in data:
        data["notes"] = data.pop(OLD_NOTE_FILE_KEY)  # a file written before the rename
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise NoteFileError(f'{path}: expected an object with "story" and "notes"')
    story = Story.objects.filter(import_key=data.get("story")).first()
    if story is None:
        raise NoteFileError(f"{path}: no imported story with key {data.get('story')!r}")

    editor_data = data.get("editor") or {"username": "standards-desk"}
    editor, _ = get_user_model().objects.get_or_create(
        username=editor_data["username"],
        defaults={
            "first_name": editor_data.get("first_name", ""),
            "last_name": editor_data.get("last_name", ""),
        },
    )
    if not editor.password:
        # A byline for sample notes, not a login.
        editor.set_unusable_password()
        editor.save(update_fields=["password"])

    blocks = list(story.blocks.order_by("position"))
    created = existing = 0
    for number, item in enumerate(data["notes"], start=1):
        where = f"{path}: note {number}"
        if not isinstance(item, dict) or not all(
            isinstance(value, str) for key, value in item.items() if key != "replies"
        ):
            raise NoteFileError(f"{where}: expected an object of texts")
        quote = item.get("quote", "")
        if not quote or item.get("kind") not in Note.Kind.values:
            raise NoteFileError(f"{where}: needs a quote and a known kind")
        found = _locate(blocks, quote, item.get("context", ""))
        if found is None:
            raise NoteFileError(f"{where}: passage {quote!r} is not in the story")
        block, start = found
        if Note.objects.filter(
            story=story, paragraph=block, kind=item["kind"], start=start, end=start + len(quote)
        ).exists():
            existing += 1
            continue
        anchor = make_anchor(text=block.annotatable_text, start=start, end=start + len(quote))
        note = Note(
            story=story,
            paragraph=block,
            kind=item["kind"],
            body=item.get("body", ""),
            quote_exact=anchor.exact,
            quote_prefix=anchor.prefix,
            quote_suffix=anchor.suffix,
            start=anchor.start,
            end=anchor.end,
            state=_state(item),
            author=editor,
            **{name: item[name] for name in KIND_TEXT_FIELDS if name in item},
        )
        if item.get("corrected_at"):
            try:
                note.corrected_at = datetime.fromisoformat(item["corrected_at"])
            except (TypeError, ValueError):
                raise NoteFileError(f"{where}: corrected_at is not a time") from None
            error = correction_time_error(corrected_at=note.corrected_at, story=story)
            if error:
                raise NoteFileError(f"{where}: {error}")
        _check(note, where=where, exclude=["author"])
        replies = item.get("replies", [])
        if not isinstance(replies, list) or not all(
            isinstance(reply, dict) and isinstance(reply.get("body"), str) for reply in replies
        ):
            raise NoteFileError(f"{where}: replies must be objects with a text body")
        note.save()
        record_revision(note=note, action=NoteRevision.Action.CREATED, user=editor)
        refresh_story_corrected(story_id=story.pk)
        for reply in replies:
            reply = NoteReply(note=note, author=editor, body=reply["body"])
            _check(reply, where=f"{where}: reply", exclude=["note", "author"])
            reply.save()
        created += 1
    return LoadResult(story=story, created=created, existing=existing)
