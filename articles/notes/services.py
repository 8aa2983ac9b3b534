"""Operations on notes: re-anchoring after edits, orphaning, and the revision trail.

Every change to a note goes through here so that it is recorded (who, when, before and
after). Each public function runs in one transaction.

Re-anchoring after a story edit (:func:`reanchor_story_edit`) is the one code path used wherever
block texts change: the admin's body inline and the importer's re-import. It works in two passes:

1. Each block whose text changed moves its own anchored notes through the diff of its old
   and new text (:func:`~articles.notes.anchoring.reanchor`). Notes whose anchor comes
   out identical are left alone: no write, no revision.
2. Notes that this orphans, and those of blocks being deleted, get a second chance: their
   quote is looked up (:func:`~articles.notes.anchoring.locate`) in the *other* blocks whose
   text is new in the same save, created or changed, and the best match at or above
   ``MATCH_THRESHOLD`` takes the note (ties go to the nearest block). This follows a
   paragraph split in two (its second half becomes a new block), or two paragraphs merged into
   one, without ever searching untouched paragraphs, where a look-alike passage would be a
   wrong home. For the same reason a changed block whose *old* text already held the passage
   is passed over: what is there is its own look-alike, not the passage that moved.
   Before that scoring, a passage that moved whole (its quote, whole prefix and whole suffix at
   exactly one place of those blocks, and at none of their old texts) is MOVED there; found at
   two places, it is orphaned rather than guessed
   (:func:`~articles.notes.anchoring.find_moved`).
   The same rule finds a passage moved within its own block, in the first pass. A move is
   recorded in the note's history as MOVED, with the paragraph and offsets before and after.

Whatever is still without a home is orphaned: hidden from readers, kept with its last quote for
an editor to re-attach. So is whatever the operation's matching work budget
(:class:`~articles.notes.anchoring.WorkBudget`, shared by both passes) cannot pay for: a
save never hangs on a pathological edit.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.utils import timezone

from articles.caching.invalidation import content_changed, own_page_keys
from articles.editing.versions import bump_versions
from articles.models import Block, Note, NoteReply, NoteRevision, Story
from articles.notes.anchoring import (
    Anchor,
    AnchorMethod,
    WorkBudget,
    locate,
    make_anchor,
    quote_is_at,
    reanchor,
    search_moved,
)
from articles.notes.corrections import refresh_story_corrected
from articles.notes.placement import PLACEMENT_COLUMNS, anchor_of, set_anchor

SNAPSHOT_FIELDS = (
    "kind",
    "body",
    *PLACEMENT_COLUMNS,
    "paragraph_id",
    *Note.KIND_SPECIFIC_FIELDS,
    "state",
)

# What re-anchoring may change on a note; written with one bulk update per operation.
REANCHORED_FIELDS = ("paragraph", *PLACEMENT_COLUMNS, "modified_at")

BATCH_SIZE = 500


def note_snapshot(note: Note) -> dict:
    """The editable state of a note as JSON-friendly values, for the revision trail."""
    snapshot = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(note, name)
        snapshot[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return snapshot


def _revision(*, note: Note, action: str, user=None, before: dict | None = None) -> NoteRevision:
    deleted = action == NoteRevision.Action.DELETED
    return NoteRevision(
        note=None if deleted else note,
        note_ref=note.pk,
        story_id=note.story_id,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        before=before,
        after=None if deleted else note_snapshot(note),
    )


def record_revision(
    *, note: Note, action: str, user=None, before: dict | None = None
) -> NoteRevision:
    """Save one entry of the note's history (and purge the pages it changed)."""
    revision = _revision(note=note, action=action, user=user, before=before)
    revision.save()
    notes_changed([revision])
    return revision


def _as_readers_see(snapshot: dict | None) -> dict | None:
    """What readers see of a note in this state: None when it is not shown (internal, not
    published, orphaned)."""
    shown = (
        snapshot is not None
        and snapshot.get("state") == Note.State.PUBLISHED
        and snapshot.get("kind") != Note.Kind.INTERNAL
        and snapshot.get("anchor_state") == Note.AnchorState.ANCHORED
        and snapshot.get("paragraph_id") is not None
    )
    return snapshot if shown else None


def notes_changed(revisions: list[NoteRevision]) -> None:
    """Purge the pages of the public stories whose readers see a difference in these notes:
    an internal note, a reply or a resolved discussion purges nothing."""
    story_ids = {
        revision.story_id
        for revision in revisions
        if revision.action != NoteRevision.Action.REPLIED
        and _as_readers_see(revision.before) != _as_readers_see(revision.after)
    }
    content_changed(own_page_keys(story_ids))


def reply_snapshot(reply: NoteReply) -> dict:
    """A reply as its note's history keeps it: whose it is and what it said."""
    author = reply.author
    return {
        "reply_id": reply.pk,
        "reply_author": author.get_username() if author is not None else None,
        "reply_body": reply.body,
    }


def record_reply_revision(
    *, reply: NoteReply, action: str, user, before: dict, after: dict | None
) -> NoteRevision:
    """Save a change to one of the note's replies (`reply_snapshot`s) in the note's history."""
    note = reply.note
    return NoteRevision.objects.create(
        note=note,
        note_ref=note.pk,
        story_id=note.story_id,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        before=before,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class TextChange:
    """A block whose annotatable text changed; `block` is saved and holds the new text."""

    block: Block
    old_text: str


@dataclass
class StoryReanchorResult:
    """What one edit did to the story's notes (each note is in one list at most)."""

    reanchored: list[Note] = field(default_factory=list)  # new offsets, same block
    moved: list[Note] = field(default_factory=list)  # to another block of the same save
    orphaned: list[Note] = field(default_factory=list)


@dataclass(slots=True)
class _Homeless:
    """A note that lost its place, waiting for its second chance."""

    note: Note
    before: dict
    anchor: Anchor  # as it was in the text it came from
    source: Block
    old_text: str  # the text it came from

    @classmethod
    def leaving(cls, note: Note, *, source: Block, text: str) -> "_Homeless":
        """The note as it stands in `text`, the text of `source` it is losing its place in."""
        return cls(
            note=note,
            before=note_snapshot(note),
            anchor=_anchor_in(text, note),
            source=source,
            old_text=text,
        )


class _Trail:
    """The note changes of one operation, written together with their revisions."""

    def __init__(self, *, user) -> None:
        self.user = user
        self.now = timezone.now()
        self.changed: list[Note] = []
        self.revisions: list[NoteRevision] = []

    def record(self, note: Note, *, action: str, before: dict) -> None:
        note.modified_at = self.now
        self.changed.append(note)
        self.revisions.append(_revision(note=note, action=action, user=self.user, before=before))

    def save(self) -> None:
        _update_anchors(self.changed)
        # The passage changed under any editor who has these notes open: a new version makes
        # their stale save a conflict instead of writing the old anchor back.
        bump_versions(Note, pks=[note.pk for note in self.changed])
        NoteRevision.objects.bulk_create(self.revisions, batch_size=BATCH_SIZE)
        notes_changed(self.revisions)
        # An orphaned correction is hidden from readers, a re-anchored one may be shown again.
        corrected = {a.story_id for a in self.changed if a.kind == Note.Kind.CORRECTION}
        for story_id in corrected:
            refresh_story_corrected(story_id=story_id)


def _update_anchors(notes: list[Note]) -> None:
    """Write the anchor fields of `notes` in a few plain UPDATE statements.

    Not `bulk_update()`: it builds a CASE WHEN per row and field, and for the thousand notes of
    a long paragraph resolving those expressions takes seconds of Python. Identifiers in the
    SQL below come from the model's metadata; every value is a query parameter.
    """
    if not notes:
        return
    connection = connections[router.db_for_write(Note)]
    opts = Note._meta
    fields = [opts.get_field(name) for name in REANCHORED_FIELDS]
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    rows = [
        [field.get_db_prep_save(getattr(note, field.attname), connection) for field in fields]
        for note in notes
    ]
    ids = [opts.pk.get_db_prep_save(note.pk, connection) for note in notes]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite runs executemany in-process: one prepared statement, no round trips.
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
            cursor.executemany(sql, [[*row, id_] for row, id_ in zip(rows, ids, strict=True)])
            return
        # psycopg2's executemany is a round trip per row; this is one per batch. The casts type
        # the VALUES columns (a column of NULLs alone would be text).
        columns = [opts.pk, *fields]
        row_sql = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in columns) + ")"
        names = ", ".join(quote(f.column) for f in columns)
        assignments = ", ".join(f"{quote(f.column)} = batch.{quote(f.column)}" for f in fields)
        for offset in range(0, len(rows), BATCH_SIZE):
            batch = range(offset, min(offset + BATCH_SIZE, len(rows)))
            sql = (
                f"UPDATE {table} SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS batch ({names}) "
                f"WHERE {table}.{pk} = batch.{pk}"
            )
            cursor.execute(sql, [value for i in batch for value in (ids[i], *rows[i])])


def _anchor_in(text: str, note: Note) -> Anchor:
    """The note's anchor with its context as it really is in `text`, when it is there."""
    anchor = anchor_of(note)
    if quote_is_at(text=text, start=anchor.start, end=anchor.end, exact=anchor.exact):
        return make_anchor(text=text, start=anchor.start, end=anchor.end)
    return anchor


def _anchored_by_block(blocks: Iterable[Block]) -> dict[int, list[Note]]:
    """The anchored notes of `blocks`, in one query, by block id."""
    by_block: dict[int, list[Note]] = {}
    ids = [block.pk for block in blocks]
    if not ids:
        return by_block
    notes = Note.objects.filter(
        paragraph_id__in=ids, anchor_state=Note.AnchorState.ANCHORED
    ).order_by("paragraph_id", "id")
    for note in notes:
        by_block.setdefault(note.paragraph_id, []).append(note)
    return by_block


def _reanchor_block(
    *,
    block: Block,
    notes: list[Note],
    old_text: str,
    new_text: str,
    trail: _Trail,
    result: StoryReanchorResult,
    budget: WorkBudget,
) -> list[_Homeless]:
    """Move `notes` through the block's own edit; returns those left without a place."""
    if not notes or old_text == new_text:
        return []
    anchors = [anchor_of(note) for note in notes]
    outcomes = reanchor(old_text=old_text, new_text=new_text, anchors=anchors, budget=budget)
    homeless = []
    for note, anchor, outcome in zip(notes, anchors, outcomes, strict=True):
        if outcome.anchor is None:
            homeless.append(_Homeless.leaving(note, source=block, text=old_text))
        elif outcome.anchor != anchor:
            before = note_snapshot(note)
            set_anchor(note, outcome.anchor)
            action = (
                NoteRevision.Action.MOVED
                if outcome.method == AnchorMethod.MOVED
                else NoteRevision.Action.REANCHORED
            )
            trail.record(note, action=action, before=before)
            result.reanchored.append(note)
    return homeless


def _rehome(
    homeless: list[_Homeless],
    *,
    targets: Sequence[TextChange],
    trail: _Trail,
    result: StoryReanchorResult,
    budget: WorkBudget,
) -> None:
    """Give each homeless note its second chance in `targets`, else orphan it.

    Targets are the blocks whose text this save changed, created ones with an empty old text.
    A passage that was in a target's old text already is that block's own look-alike, not the
    one that moved there.
    """
    for item in homeless:
        note = item.note
        others = [target for target in targets if target.block.pk != item.source.pk]
        new_texts = [target.block.annotatable_text for target in others]
        # A passage moved whole: its quote and both sides of its context at one place of the
        # edited blocks, where none of them had it before. Two such places: nobody can tell
        # which is the passage, and neither may take the note.
        search = search_moved(
            old_texts=[item.old_text, *(target.old_text for target in others)],
            new_texts=new_texts,
            anchor=item.anchor,
            budget=budget,
        )
        if search.place is not None:
            index, span = search.place
            note.paragraph = others[index].block
            set_anchor(note, make_anchor(text=new_texts[index], **span))
            trail.record(note, action=NoteRevision.Action.MOVED, before=item.before)
            result.moved.append(note)
            continue
        if search.ambiguous:
            _orphan(note, before=item.before, trail=trail, result=result)
            continue
        best = None
        for target in targets:
            block, old_text = target.block, target.old_text
            if block.pk == item.source.pk:
                continue  # Its own block already had its say, through the diff.
            found = locate(text=block.annotatable_text, anchor=item.anchor, budget=budget)
            if found.anchor is None or _one_side_only(block.annotatable_text, found.anchor, item):
                continue
            if old_text and locate(text=old_text, anchor=item.anchor, budget=budget).anchor:
                continue
            key = (found.score, -abs(block.position - item.source.position))
            if best is None or key > best[0]:
                best = (key, block, found.anchor)
        if best is None:
            _orphan(note, before=item.before, trail=trail, result=result)
        else:
            _, block, anchor = best
            note.paragraph = block
            set_anchor(note, anchor)
            trail.record(note, action=NoteRevision.Action.REANCHORED, before=item.before)
            result.moved.append(note)


def _one_side_only(text: str, found: Anchor, item: _Homeless) -> bool:
    """Whether `found` is a look-alike: one side reads as stored, the other is other text.

    A side within reach of a paragraph boundary gives no evidence (a split or merged paragraph
    cuts it); with both sides in full view, one matching side is not enough for a move.
    """
    stored = item.anchor
    prefix_cut = found.start < len(stored.prefix)
    suffix_cut = found.end + len(stored.suffix) > len(text)
    if prefix_cut or suffix_cut:
        return False
    prefix_same = found.prefix.endswith(stored.prefix)
    suffix_same = found.suffix.startswith(stored.suffix)
    return prefix_same != suffix_same


def _orphan(note: Note, *, before: dict, trail: _Trail, result: StoryReanchorResult) -> None:
    note.anchor_state = Note.AnchorState.ORPHANED
    trail.record(note, action=NoteRevision.Action.ORPHANED, before=before)
    result.orphaned.append(note)


@transaction.atomic
def reanchor_story_edit(
    *,
    story: Story,
    changes: Sequence[TextChange],
    created_blocks: Sequence[Block] = (),
    deleted_blocks: Sequence[Block] = (),
    user=None,
) -> StoryReanchorResult:
    """Re-anchor a story's notes after one save of its body blocks (see the module doc).

    Call it once the changed and created blocks are saved with their new text, and *before*
    the deleted blocks' rows are deleted (their notes are found through them; deleting
    a block detaches its notes). `changes` whose text did not really change are ignored.
    Records a REANCHORED or ORPHANED revision, with `user`, for each note it changes.
    """
    changes = [c for c in changes if c.old_text != c.block.annotatable_text]
    blocks = [c.block for c in changes] + [*created_blocks] + [*deleted_blocks]
    for block in blocks:
        if block.pk is None:
            raise ValueError(f"{block!r} has no id: save it first, and delete it only afterwards")
        if block.story_id != story.pk:
            raise ValueError(f"{block!r} is not a block of {story!r}")

    result = StoryReanchorResult()
    trail = _Trail(user=user)
    budget = WorkBudget()
    by_block = _anchored_by_block([c.block for c in changes] + [*deleted_blocks])
    homeless = []
    for change in changes:
        homeless += _reanchor_block(
            block=change.block,
            notes=by_block.get(change.block.pk, []),
            old_text=change.old_text,
            new_text=change.block.annotatable_text,
            trail=trail,
            result=result,
            budget=budget,
        )
    if deleted_blocks:
        # The rows, not the instances: a form may have put unsaved edits on a deleted block.
        stored = Block.objects.only("kind", "text", "teaser", "position").in_bulk(
            [block.pk for block in deleted_blocks]
        )
        for block in deleted_blocks:
            old = stored.get(block.pk, block)
            text = old.annotatable_text
            homeless += [
                _Homeless.leaving(note, source=old, text=text)
                for note in by_block.get(block.pk, [])
            ]
    created = [TextChange(block=block, old_text="") for block in created_blocks]
    _rehome(homeless, targets=[*changes, *created], trail=trail, result=result, budget=budget)
    trail.save()
    return result


@transaction.atomic
def reanchor_paragraph(
    *, paragraph: Block, old_text: str, new_text: str | None = None, user=None
) -> tuple[list[Note], list[Note]]:
    """Move one block's anchored notes from `old_text` onto `new_text`.

    `paragraph` is any annotatable block (an aside's teaser too); `new_text` defaults to its
    current `annotatable_text`. Returns (updated, orphaned). Notes whose anchor does not
    change get no revision. Orphaned notes keep their last quote so an editor can
    re-attach them; they are hidden from readers until then. When several blocks change in one
    save, use `reanchor_story_edit`, which also follows passages into the other edited blocks.
    """
    if new_text is None:
        new_text = paragraph.annotatable_text
    if old_text == new_text:
        return [], []
    result = StoryReanchorResult()
    trail = _Trail(user=user)
    budget = WorkBudget()
    notes = _anchored_by_block([paragraph]).get(paragraph.pk, [])
    homeless = _reanchor_block(
        block=paragraph,
        notes=notes,
        old_text=old_text,
        new_text=new_text,
        trail=trail,
        result=result,
        budget=budget,
    )
    _rehome(homeless, targets=[], trail=trail, result=result, budget=budget)
    trail.save()
    return result.reanchored, result.orphaned


@transaction.atomic
def orphan_paragraph_notes(*, paragraph: Block, user=None) -> int:
    """Mark every anchored note of a block that is going away, alone, as orphaned.

    Call it before deleting the block: the deletion detaches its notes. When the block
    goes in a save that also edits or adds blocks, `reanchor_story_edit` gives its notes
    a chance in those first.
    """
    trail = _Trail(user=user)
    notes = _anchored_by_block([paragraph]).get(paragraph.pk, [])
    for note in notes:
        before = note_snapshot(note)
        note.anchor_state = Note.AnchorState.ORPHANED
        trail.record(note, action=NoteRevision.Action.ORPHANED, before=before)
    trail.save()
    return len(notes)
