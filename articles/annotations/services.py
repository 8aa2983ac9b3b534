"""Operations on annotations: re-anchoring after edits, orphaning, and the revision trail.

Every change to an annotation goes through here so that it is recorded (who, when, before and
after). Each public function runs in one transaction.
"""

from django.db import transaction
from django.utils import timezone

from ..models import Annotation, AnnotationRevision, Block
from .anchoring import Anchor, AnchorMethod, reanchor

SNAPSHOT_FIELDS = (
    "kind",
    "body",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "start",
    "end",
    "anchor_state",
    "paragraph_id",
    "source_url",
    "source_title",
    "claim",
    "verdict",
    "correction_wrong",
    "correction_right",
    "corrected_at",
    "visibility",
    "status",
)


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
    """Save one entry of the annotation's history."""
    revision = _revision(annotation=annotation, action=action, user=user, before=before)
    revision.save()
    return revision


def _anchor_of(annotation: Annotation) -> Anchor:
    return Anchor(
        exact=annotation.quote_exact,
        prefix=annotation.quote_prefix,
        suffix=annotation.quote_suffix,
        start=annotation.start,
        end=annotation.end,
    )


def _apply_anchor(annotation: Annotation, anchor: Anchor) -> None:
    annotation.quote_exact = anchor.exact
    annotation.quote_prefix = anchor.prefix
    annotation.quote_suffix = anchor.suffix
    annotation.start = anchor.start
    annotation.end = anchor.end


@transaction.atomic
def reanchor_paragraph(
    *, paragraph: Block, old_text: str, new_text: str, user=None
) -> tuple[list[Annotation], list[Annotation]]:
    """Move the paragraph's anchored annotations onto `new_text`.

    Returns (updated, orphaned). Orphaned annotations keep their last quote so an editor can
    re-attach them; they are hidden from readers until then.
    """
    annotations = list(
        paragraph.annotations.filter(anchor_state=Annotation.AnchorState.ANCHORED).order_by("id")
    )
    if not annotations or old_text == new_text:
        return [], []
    results = reanchor(
        old_text=old_text, new_text=new_text, anchors=[_anchor_of(a) for a in annotations]
    )
    updated, orphaned, revisions = [], [], []
    now = timezone.now()
    for annotation, result in zip(annotations, results, strict=True):
        before = annotation_snapshot(annotation)
        if result.method == AnchorMethod.ORPHANED or result.anchor is None:
            annotation.anchor_state = Annotation.AnchorState.ORPHANED
            orphaned.append(annotation)
            action = AnnotationRevision.Action.ORPHANED
        elif result.anchor != _anchor_of(annotation):
            _apply_anchor(annotation, result.anchor)
            updated.append(annotation)
            action = AnnotationRevision.Action.REANCHORED
        else:
            continue
        annotation.modified_at = now
        revisions.append(
            _revision(annotation=annotation, action=action, user=user, before=before)
        )
    Annotation.objects.bulk_update(
        updated + orphaned,
        ["quote_exact", "quote_prefix", "quote_suffix", "start", "end", "anchor_state", "modified_at"],
        batch_size=500,
    )
    AnnotationRevision.objects.bulk_create(revisions, batch_size=500)
    return updated, orphaned


@transaction.atomic
def orphan_paragraph_annotations(*, paragraph: Block, reason: str = "", user=None) -> int:
    """Mark every anchored annotation of a paragraph that is going away as orphaned."""
    annotations = list(
        paragraph.annotations.filter(anchor_state=Annotation.AnchorState.ANCHORED)
    )
    for annotation in annotations:
        before = annotation_snapshot(annotation)
        annotation.anchor_state = Annotation.AnchorState.ORPHANED
        annotation.save(update_fields=["anchor_state", "modified_at"])
        record_revision(
            annotation=annotation, action=AnnotationRevision.Action.ORPHANED, user=user, before=before
        )
    return len(annotations)


def mark_story_corrected(*, annotation: Annotation) -> None:
    """A public correction makes the story "Updated" as of the correction (newsroom convention)."""
    if annotation.kind != Annotation.Kind.CORRECTION or not annotation.is_public:
        return
    when = annotation.corrected_at or timezone.now()
    article = annotation.article
    if article.updated_at is None or article.updated_at < when:
        article.updated_at = when
        article.save(update_fields=["updated_at", "modified_at"])
