"""Editing annotations: the services the annotate screen calls, each recording its revision."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.annotations.editing import (
    EditConflict,
    Selection,
    SelectionError,
    create_annotation,
    delete_annotation,
    reattach_annotation,
    reply_to_annotation,
    update_annotation,
)
from articles.models import Annotation, AnnotationRevision, Article
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AsideFactory,
    ParagraphFactory,
    StaffFactory,
    publish,
)

pytestmark = pytest.mark.django_db

FLAG_TEXT = "Fighting broke out near the border 🇵🇪 Guzmán said, and soldiers returned fire."
CONTEXT_NOTE = {"kind": "context", "body": "Who he is."}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def browser_selection(text: str, quote: str) -> Selection:
    """The selection a browser reports for `quote` in `text`: offsets in UTF-16 code units."""
    start = text.index(quote)
    start16 = utf16_length(text[:start])
    return Selection(start=start16, end=start16 + utf16_length(quote), exact=quote)


@pytest.fixture
def user():
    """An editor, who may change any note (ownership has its own tests)."""
    return StaffFactory(username="marta", first_name="Marta", last_name="Ríos", groups=["Editors"])


def test_a_selection_after_an_emoji_anchors_on_the_selected_code_points(user):
    """The flag is two code points but four UTF-16 units: offsets are converted, not copied."""
    paragraph = ParagraphFactory(text=FLAG_TEXT)
    selection = browser_selection(FLAG_TEXT, "Guzmán")
    assert selection.start == FLAG_TEXT.index("Guzmán") + 2

    annotation = create_annotation(
        paragraph=paragraph, selection=selection, note=CONTEXT_NOTE, user=user
    )

    annotation.refresh_from_db()
    assert FLAG_TEXT[annotation.start : annotation.end] == "Guzmán"
    assert annotation.start == FLAG_TEXT.index("Guzmán")
    assert annotation.quote_exact == "Guzmán"
    assert annotation.quote_prefix == FLAG_TEXT[annotation.start - 32 : annotation.start]
    assert annotation.quote_prefix.endswith("border 🇵🇪 ")
    assert annotation.quote_suffix == FLAG_TEXT[annotation.end : annotation.end + 32]
    assert annotation.article == paragraph.article
    assert annotation.author == user
    assert annotation.version == 1
    revision = annotation.revisions.get()
    assert revision.action == AnnotationRevision.Action.CREATED
    assert revision.user == user
    assert revision.before is None
    assert revision.after["quote_exact"] == "Guzmán"
    assert revision.after["body"] == "Who he is."


def test_an_offset_inside_a_surrogate_pair_is_refused(user):
    paragraph = ParagraphFactory(text=FLAG_TEXT)
    flag16 = utf16_length(FLAG_TEXT[: FLAG_TEXT.index("🇵🇪")])

    with pytest.raises(SelectionError, match="surrogate pair"):
        create_annotation(
            paragraph=paragraph,
            selection=Selection(start=flag16 + 1, end=flag16 + 6, exact="🇪 Gu"),
            note=CONTEXT_NOTE,
            user=user,
        )

    assert not Annotation.objects.exists()


def test_offsets_past_the_end_of_the_paragraph_are_refused(user):
    paragraph = ParagraphFactory(text="Short.")

    with pytest.raises(SelectionError, match="beyond the end"):
        create_annotation(
            paragraph=paragraph,
            selection=Selection(start=2, end=40, exact="ort."),
            note=CONTEXT_NOTE,
            user=user,
        )


def test_a_selection_whose_text_changed_under_the_editor_is_refused(user):
    paragraph = ParagraphFactory(text="The patrol was ambushed near Tocache.")
    selection = browser_selection(paragraph.text, "ambushed")
    paragraph.text = "Earlier, the patrol was ambushed near Tocache."
    paragraph.save()

    with pytest.raises(SelectionError, match="Reload the page"):
        create_annotation(paragraph=paragraph, selection=selection, note=CONTEXT_NOTE, user=user)

    assert not Annotation.objects.exists()


def test_an_aside_teaser_can_be_annotated(user):
    aside = AsideFactory(teaser="Meet the man who thrived in Bolivia's cocaine prison.")

    annotation = create_annotation(
        paragraph=aside,
        selection=browser_selection(aside.teaser, "cocaine prison"),
        note=CONTEXT_NOTE,
        user=user,
    )

    assert annotation.quote_exact == "cocaine prison"


def test_an_internal_note_is_a_draft_that_never_goes_to_review(user):
    paragraph = ParagraphFactory()

    annotation = create_annotation(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        note={"kind": "internal", "body": "Check this."},
        user=user,
    )

    assert annotation.state == Annotation.State.DRAFT
    with pytest.raises(PermissionDenied):
        publish(annotation, user=user)
    assert not Annotation.objects.public().exists()


def test_updating_bumps_the_version_and_records_the_note_before_and_after(user):
    annotation = AnnotationFactory(body="First draft.", state="draft")

    updated = update_annotation(
        annotation=annotation,
        version=1,
        note={"body": "Second draft.", "kind": "source"},
        user=user,
    )

    annotation.refresh_from_db()
    assert annotation.version == updated.version == 2
    assert (annotation.body, annotation.kind, annotation.state) == (
        "Second draft.",
        "source",
        "draft",
    )
    assert annotation.body_html == "<p>Second draft.</p>"
    revision = annotation.revisions.get()
    assert revision.action == AnnotationRevision.Action.UPDATED
    assert revision.user == user
    assert (revision.before["body"], revision.after["body"]) == ("First draft.", "Second draft.")
    assert (revision.before["kind"], revision.after["kind"]) == ("context", "source")
    assert revision.before["state"] == revision.after["state"] == "draft"


def test_updating_a_version_someone_else_replaced_raises_a_conflict_and_changes_nothing(user):
    annotation = AnnotationFactory(body="Mine.")
    other_editor = StaffFactory(username="other", groups=["Editors"])
    update_annotation(annotation=annotation, version=1, note={"body": "Theirs."}, user=other_editor)

    with pytest.raises(EditConflict) as raised:
        update_annotation(
            annotation=annotation, version=1, note={"body": "Mine, again."}, user=user
        )

    assert raised.value.current.body == "Theirs."
    assert raised.value.current.version == 2
    annotation.refresh_from_db()
    assert annotation.body == "Theirs."
    assert annotation.revisions.count() == 1


def test_saving_a_note_unchanged_neither_bumps_its_version_nor_records_a_revision(user):
    annotation = AnnotationFactory(body="Same.")

    update_annotation(annotation=annotation, version=1, note={"body": "Same."}, user=user)

    annotation.refresh_from_db()
    assert annotation.version == 1
    assert not annotation.revisions.exists()


def test_a_note_keeps_the_fields_of_its_own_kind_when_edited(user):
    annotation = AnnotationFactory(kind="factcheck", claim="Coca is legal.", verdict="false")

    update_annotation(annotation=annotation, version=1, note={"body": "Checked."}, user=user)

    annotation.refresh_from_db()
    assert (annotation.claim, annotation.verdict, annotation.body) == (
        "Coca is legal.",
        "false",
        "Checked.",
    )


def test_changing_the_kind_clears_the_fields_of_the_old_kind(user):
    annotation = AnnotationFactory(
        kind="source", source_url="https://example.org/report", source_title="The report"
    )

    update_annotation(
        annotation=annotation, version=1, note={"kind": "context", "body": "Plain."}, user=user
    )

    annotation.refresh_from_db()
    assert (annotation.source_url, annotation.source_title) == ("", "")
    before = annotation.revisions.get().before
    assert before["source_url"] == "https://example.org/report"


def test_a_reply_joins_the_thread_and_is_recorded(user):
    annotation = AnnotationFactory()

    reply = reply_to_annotation(annotation=annotation, body="Agreed, *publish*.", user=user)

    assert list(annotation.replies.all()) == [reply]
    assert reply.author == user
    assert reply.body_html == "<p>Agreed, <em>publish</em>.</p>"
    revision = annotation.revisions.get()
    assert revision.action == AnnotationRevision.Action.REPLIED
    assert revision.user == user


def test_deleting_keeps_a_deleted_revision_with_the_last_state(user):
    annotation = AnnotationFactory(body="Going away.")
    reply_to_annotation(annotation=annotation, body="Why?", user=user)
    annotation_id = annotation.pk

    delete_annotation(annotation=annotation, version=1, user=user)

    assert not Annotation.objects.filter(pk=annotation_id).exists()
    deleted = AnnotationRevision.objects.get(
        annotation_ref=annotation_id, action=AnnotationRevision.Action.DELETED
    )
    assert deleted.user == user
    assert deleted.before["body"] == "Going away."
    assert deleted.after is None
    # The earlier history survives the note.
    assert AnnotationRevision.objects.filter(annotation_ref=annotation_id).count() == 2


def test_deleting_a_note_someone_else_just_changed_is_a_conflict(user):
    annotation = AnnotationFactory()
    update_annotation(annotation=annotation, version=1, note={"body": "Edited."}, user=user)

    with pytest.raises(EditConflict):
        delete_annotation(annotation=annotation, version=1, user=user)

    assert Annotation.objects.filter(pk=annotation.pk).exists()


def test_reattaching_an_orphan_anchors_it_on_the_new_passage(user):
    annotation = AnnotationFactory(anchor_state=Annotation.AnchorState.ORPHANED)
    other = ParagraphFactory(
        article=annotation.article, text="Coca leaves 🌿 are dried in the sun."
    )

    reattach_annotation(
        annotation=annotation,
        paragraph=other,
        selection=browser_selection(other.text, "dried in the sun"),
        version=1,
        user=user,
    )

    annotation.refresh_from_db()
    assert annotation.anchor_state == Annotation.AnchorState.ANCHORED
    assert annotation.paragraph == other
    assert other.text[annotation.start : annotation.end] == "dried in the sun"
    assert annotation.quote_exact == "dried in the sun"
    assert annotation.version == 2
    revision = annotation.revisions.get()
    assert revision.action == AnnotationRevision.Action.REATTACHED
    assert revision.before["anchor_state"] == "orphaned"
    assert revision.after["anchor_state"] == "anchored"
    assert Annotation.objects.public().filter(pk=annotation.pk).exists()


def test_a_note_cannot_be_reattached_to_another_storys_paragraph(user):
    annotation = AnnotationFactory(anchor_state=Annotation.AnchorState.ORPHANED)
    elsewhere = ParagraphFactory(article=ArticleFactory())

    with pytest.raises(SelectionError):
        reattach_annotation(
            annotation=annotation,
            paragraph=elsewhere,
            selection=browser_selection(elsewhere.text, "coca"),
            version=1,
            user=user,
        )


def test_a_public_correction_makes_its_story_updated(user):
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    paragraph = ParagraphFactory(article=article)
    corrected_at = timezone.now() - timedelta(hours=1)

    create_annotation(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        note={
            "kind": "correction",
            "body": "We named the wrong plant.",
            "correction_wrong": "poppies",
            "correction_right": "coca plants",
            "corrected_at": corrected_at,
        },
        user=user,
    )
    publish(Annotation.objects.get(article=article))

    article.refresh_from_db()
    assert article.corrected_at == corrected_at
    assert article.last_updated_at == corrected_at
    assert article.was_updated


def test_an_internal_correction_leaves_the_story_alone_until_it_is_published(user):
    article = ArticleFactory()
    paragraph = ParagraphFactory(article=article)
    annotation = create_annotation(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        note={"kind": "correction", "correction_wrong": "a", "correction_right": "b"},
        user=user,
    )
    assert annotation.corrected_at is not None  # "now", when none is given
    assert Article.objects.get(pk=article.pk).last_updated_at is None

    publish(annotation)

    assert Article.objects.get(pk=article.pk).last_updated_at == annotation.corrected_at
