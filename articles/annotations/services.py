"""Operations on annotations: re-anchoring after edits, orphaning, and the revision trail.

Every change to an annotation goes through here so that it is recorded (who, when, before and
after). Each public function runs in one transaction.

Re-anchoring after a story edit (:func:`reanchor_story_edit`) is the one code path used wherever
block texts change: the admin's body inline and the importer's re-import. It works in two passes:

1. Each block whose text changed moves its own anchored annotations through the diff of its old
   and new text (:func:`~articles.annotations.anchoring.reanchor`). Annotations whose anchor comes
   out identical are left alone: no write, no revision.
2. Annotations that this orphans, and those of blocks being deleted, get a second chance: their
   quote is looked up (:func:`~articles.annotations.anchoring.locate`) in the *other* blocks whose
   text is new in the same save, created or changed, and the best match at or above
   ``MATCH_THRESHOLD`` takes the annotation (ties go to the nearest block). This follows a
   paragraph split in two (its second half becomes a new block), or two paragraphs merged into
   one, without ever searching untouched paragraphs, where a look-alike passage would be a
   wrong home. For the same reason a changed block whose *old* text already held the passage
   is passed over: what is there is its own look-alike, not the passage that moved.
   Before that scoring, a passage that moved whole (its quote, whole prefix and whole suffix at
   exactly one place of those blocks, and at none of their old texts) is MOVED there; found at
   two places, it is orphaned rather than guessed
   (:func:`~articles.annotations.anchoring.find_moved`).
   The same rule finds a passage moved within its own block, in the first pass. A move is
   recorded in the note's history as MOVED, with the paragraph and offsets before and after.

Whatever is still without a home is orphaned: hidden from readers, kept with its last quote for
an editor to re-attach. So is whatever the operation's matching work budget
(:class:`~articles.annotations.anchoring.WorkBudget`, shared by both passes) cannot pay for: a
save never hangs on a pathological edit.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.utils import timezone

from articles.annotations.anchoring import (
    Anchor,
    AnchorMethod,
    WorkBudget,
    locate,
    make_anchor,
    quote_is_at,
    reanchor,
    search_moved,
)
from articles.annotations.corrections import refresh_story_corrected
from articles.annotations.placement import PLACEMENT_COLUMNS, anchor_of, set_anchor
from articles.caching.invalidation import content_changed, own_page_keys
from articles.editing.versions import bump_versions
from articles.models import Annotation, AnnotationReply, AnnotationRevision, Article, Block

SNAPSHOT_FIELDS = (
    "kind",
    "body",
    *PLACEMENT_COLUMNS,
    "paragraph_id",
    *Annotation.KIND_SPECIFIC_FIELDS,
    "state",
)

# What re-anchoring may change on an annotation; written with one bulk update per operation.
REANCHORED_FIELDS = ("paragraph", *PLACEMENT_COLUMNS, "modified_at")

BATCH_SIZE = 500


def annotation_snapshot(annotation: Annotation) -> dict:
    """The editable state of an annotation as JSON-friendly values, for the revision trail."""
    snapshot = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(annotation, name)
        snapshot[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return snapshot


def _revision(
    *, annotation: Annotation, action: str, user=None, before: dict | None = None
) -> AnnotationRevision:
    deleted = action == AnnotationRevision.Action.DELETED
    return AnnotationRevision(
        annotation=None if deleted else annotation,
        annotation_ref=annotation.pk,
        article_id=annotation.article_id,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        before=before,
        after=None if deleted else annotation_snapshot(annotation),
    )


def record_revision(
    *, annotation: Annotation, action: str, user=None, before: dict | None = None
) -> AnnotationRevision:
    """Save one entry of the annotation's history (and purge the pages it changed)."""
    revision = _revision(annotation=annotation, action=action, user=user, before=before)
    revision.save()
    notes_changed([revision])
    return revision


def _as_readers_see(snapshot: dict | None) -> dict | None:
    """What readers see of a note in this state: None when it is not shown (internal, not
    published, orphaned)."""
    shown = (
        snapshot is not None
        and snapshot.get("state") == Annotation.State.PUBLISHED
        and snapshot.get("kind") != Annotation.Kind.INTERNAL
        and snapshot.get("anchor_state") == Annotation.AnchorState.ANCHORED
        and snapshot.get("paragraph_id") is not None
    )
    return snapshot if shown else None


def notes_changed(revisions: list[AnnotationRevision]) -> None:
    """Purge the pages of the public stories whose readers see a difference in these notes:
    an internal note, a reply or a resolved discussion purges nothing."""
    article_ids = {
        revision.article_id
        for revision in revisions
        if revision.action != AnnotationRevision.Action.REPLIED
        and _as_readers_see(revision.before) != _as_readers_see(revision.after)
    }
    content_changed(own_page_keys(article_ids))


def reply_snapshot(reply: AnnotationReply) -> dict:
    """A reply as its note's history keeps it: whose it is and what it said."""
    author = reply.author
    return {
        "reply_id": reply.pk,
        "reply_author": author.get_username() if author is not None else None,
        "reply_body": reply.body,
    }


def record_reply_revision(
    *, reply: AnnotationReply, action: str, user, before: dict, after: dict | None
) -> AnnotationRevision:
    """Save a change to one of the note's replies (`reply_snapshot`s) in the note's history."""
    annotation = reply.annotation
    return AnnotationRevision.objects.create(
        annotation=annotation,
        annotation_ref=annotation.pk,
        article_id=annotation.article_id,
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
    """What one edit did to the story's annotations (each annotation is in one list at most)."""

    reanchored: list[Annotation] = field(default_factory=list)  # new offsets, same block
    moved: list[Annotation] = field(default_factory=list)  # to another block of the same save
    orphaned: list[Annotation] = field(default_factory=list)


@dataclass(slots=True)
class _Homeless:
    """An annotation that lost its place, waiting for its second chance."""

    annotation: Annotation
    before: dict
    anchor: Anchor  # as it was in the text it came from
    source: Block
    old_text: str  # the text it came from


class _Trail:
    """The annotation changes of one operation, written together with their revisions."""

    def __init__(self, *, user) -> None:
        self.user = user
        self.now = timezone.now()
        self.changed: list[Annotation] = []
        self.revisions: list[AnnotationRevision] = []

    def record(self, annotation: Annotation, *, action: str, before: dict) -> None:
        annotation.modified_at = self.now
        self.changed.append(annotation)
        self.revisions.append(
            _revision(annotation=annotation, action=action, user=self.user, before=before)
        )

    def save(self) -> None:
        _update_anchors(self.changed)
        # The passage changed under any editor who has these notes open: a new version makes
        # their stale save a conflict instead of writing the old anchor back.
        bump_versions(Annotation, pks=[annotation.pk for annotation in self.changed])
        AnnotationRevision.objects.bulk_create(self.revisions, batch_size=BATCH_SIZE)
        notes_changed(self.revisions)
        # An orphaned correction is hidden from readers, a re-anchored one may be shown again.
        corrected = {a.article_id for a in self.changed if a.kind == Annotation.Kind.CORRECTION}
        for article_id in corrected:
            refresh_story_corrected(article_id=article_id)


def _update_anchors(annotations: list[Annotation]) -> None:
    """Write the anchor fields of `annotations` in a few plain UPDATE statements.

    Not `bulk_update()`: it builds a CASE WHEN per row and field, and for the thousand notes of
    a long paragraph resolving those expressions takes seconds of Python. Identifiers in the
    SQL below come from the model's metadata; every value is a query parameter.
    """
    if not annotations:
        return
    connection = connections[router.db_for_write(Annotation)]
    opts = Annotation._meta
    fields = [opts.get_field(name) for name in REANCHORED_FIELDS]
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    rows = [
        [field.get_db_prep_save(getattr(annotation, field.attname), connection) for field in fields]
        for annotation in annotations
    ]
    ids = [opts.pk.get_db_prep_save(annotation.pk, connection) for annotation in annotations]
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


def _anchor_in(text: str, annotation: Annotation) -> Anchor:
    """The annotation's anchor with its context as it really is in `text`, when it is there."""
    anchor = anchor_of(annotation)
    if quote_is_at(text=text, start=anchor.start, end=anchor.end, exact=anchor.exact):
        return make_anchor(text=text, start=anchor.start, end=anchor.end)
    return anchor


def _anchored_by_block(blocks: Iterable[Block]) -> dict[int, list[Annotation]]:
    """The anchored annotations of `blocks`, in one query, by block id."""
    by_block: dict[int, list[Annotation]] = {}
    ids = [block.pk for block in blocks]
    if not ids:
        return by_block
    annotations = Annotation.objects.filter(
        paragraph_id__in=ids, anchor_state=Annotation.AnchorState.ANCHORED
    ).order_by("paragraph_id", "id")
    for annotation in annotations:
        by_block.setdefault(annotation.paragraph_id, []).append(annotation)
    return by_block


def _reanchor_block(
    *,
    block: Block,
    annotations: list[Annotation],
    old_text: str,
    new_text: str,
    trail: _Trail,
    result: StoryReanchorResult,
    budget: WorkBudget,
) -> list[_Homeless]:
    """Move `annotations` through the block's own edit; returns those left without a place."""
    if not annotations or old_text == new_text:
        return []
    anchors = [anchor_of(annotation) for annotation in annotations]
    outcomes = reanchor(old_text=old_text, new_text=new_text, anchors=anchors, budget=budget)
    homeless = []
    for annotation, anchor, outcome in zip(annotations, anchors, outcomes, strict=True):
        if outcome.anchor is None:
            homeless.append(
                _Homeless(
                    annotation=annotation,
                    before=annotation_snapshot(annotation),
                    anchor=_anchor_in(old_text, annotation),
                    source=block,
                    old_text=old_text,
                )
            )
        elif outcome.anchor != anchor:
            before = annotation_snapshot(annotation)
            set_anchor(annotation, outcome.anchor)
            action = (
                AnnotationRevision.Action.MOVED
                if outcome.method == AnchorMethod.MOVED
                else AnnotationRevision.Action.REANCHORED
            )
            trail.record(annotation, action=action, before=before)
            result.reanchored.append(annotation)
    return homeless


def _rehome(
    homeless: list[_Homeless],
    *,
    targets: Sequence[TextChange],
    trail: _Trail,
    result: StoryReanchorResult,
    budget: WorkBudget,
) -> None:
    """Give each homeless annotation its second chance in `targets`, else orphan it.

    Targets are the blocks whose text this save changed, created ones with an empty old text.
    A passage that was in a target's old text already is that block's own look-alike, not the
    one that moved there.
    """
    for item in homeless:
        annotation = item.annotation
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
            annotation.paragraph = others[index].block
            set_anchor(annotation, make_anchor(text=new_texts[index], **span))
            trail.record(annotation, action=AnnotationRevision.Action.MOVED, before=item.before)
            result.moved.append(annotation)
            continue
        if search.ambiguous:
            _orphan(annotation, before=item.before, trail=trail, result=result)
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
            _orphan(annotation, before=item.before, trail=trail, result=result)
        else:
            _, block, anchor = best
            annotation.paragraph = block
            set_anchor(annotation, anchor)
            trail.record(
                annotation, action=AnnotationRevision.Action.REANCHORED, before=item.before
            )
            result.moved.append(annotation)


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


def _orphan(
    annotation: Annotation, *, before: dict, trail: _Trail, result: StoryReanchorResult
) -> None:
    annotation.anchor_state = Annotation.AnchorState.ORPHANED
    trail.record(annotation, action=AnnotationRevision.Action.ORPHANED, before=before)
    result.orphaned.append(annotation)


@transaction.atomic
def reanchor_story_edit(
    *,
    article: Article,
    changes: Sequence[TextChange],
    created_blocks: Sequence[Block] = (),
    deleted_blocks: Sequence[Block] = (),
    user=None,
) -> StoryReanchorResult:
    """Re-anchor a story's annotations after one save of its body blocks (see the module doc).

    Call it once the changed and created blocks are saved with their new text, and *before*
    the deleted blocks' rows are deleted (their annotations are found through them; deleting
    a block detaches its annotations). `changes` whose text did not really change are ignored.
    Records a REANCHORED or ORPHANED revision, with `user`, for each annotation it changes.
    """
    changes = [c for c in changes if c.old_text != c.block.annotatable_text]
    blocks = [c.block for c in changes] + [*created_blocks] + [*deleted_blocks]
    for block in blocks:
        if block.pk is None:
            raise ValueError(f"{block!r} has no id: save it first, and delete it only afterwards")
        if block.article_id != article.pk:
            raise ValueError(f"{block!r} is not a block of {article!r}")

    result = StoryReanchorResult()
    trail = _Trail(user=user)
    budget = WorkBudget()
    by_block = _anchored_by_block([c.block for c in changes] + [*deleted_blocks])
    homeless = []
    for change in changes:
        homeless += _reanchor_block(
            block=change.block,
            annotations=by_block.get(change.block.pk, []),
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
                _Homeless(
                    annotation=annotation,
                    before=annotation_snapshot(annotation),
                    anchor=_anchor_in(text, annotation),
                    source=old,
                    old_text=text,
                )
                for annotation in by_block.get(block.pk, [])
            ]
    created = [TextChange(block=block, old_text="") for block in created_blocks]
    _rehome(homeless, targets=[*changes, *created], trail=trail, result=result, budget=budget)
    trail.save()
    return result


@transaction.atomic
def reanchor_paragraph(
    *, paragraph: Block, old_text: str, new_text: str | None = None, user=None
) -> tuple[list[Annotation], list[Annotation]]:
    """Move one block's anchored annotations from `old_text` onto `new_text`.

    `paragraph` is any annotatable block (an aside's teaser too); `new_text` defaults to its
    current `annotatable_text`. Returns (updated, orphaned). Annotations whose anchor does not
    change get no revision. Orphaned annotations keep their last quote so an editor can
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
    annotations = _anchored_by_block([paragraph]).get(paragraph.pk, [])
    homeless = _reanchor_block(
        block=paragraph,
        annotations=annotations,
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
def orphan_paragraph_annotations(*, paragraph: Block, user=None) -> int:
    """Mark every anchored annotation of a block that is going away, alone, as orphaned.

    Call it before deleting the block: the deletion detaches its annotations. When the block
    goes in a save that also edits or adds blocks, `reanchor_story_edit` gives its annotations
    a chance in those first.
    """
    trail = _Trail(user=user)
    annotations = _anchored_by_block([paragraph]).get(paragraph.pk, [])
    for annotation in annotations:
        before = annotation_snapshot(annotation)
        annotation.anchor_state = Annotation.AnchorState.ORPHANED
        trail.record(annotation, action=AnnotationRevision.Action.ORPHANED, before=before)
    trail.save()
    return len(annotations)
