"""Re-importing a story: in place by identity, notes re-anchored, a version per change, and
nothing at all when nothing changed."""

import pytest

from articles.caching import keys
from articles.ingest.importing import import_bytes
from articles.models import Block, Note, Story, StoryVersion
from tests.factories import StoryFactory, note_on
from tests.ingest_fixtures import fixture

pytestmark = pytest.mark.django_db

GUARDIAN = "guardian-coca-eradication.html"


def import_page(data: bytes):
    (outcome,) = import_bytes(data, name="page.html")
    assert not outcome.failed, str(outcome)
    return outcome


def test_reimporting_an_edited_page_reanchors_notes_and_adds_a_version(
    django_capture_on_commit_callbacks,
):
    original = fixture(GUARDIAN)
    story = import_page(original).story
    paragraph = story.blocks.get(position=2)
    note = note_on(paragraph, "nobody has asked us")
    keys_before = dict(story.blocks.values_list("position", "key"))

    edited = original.replace(
        "“We are not against the law, but nobody".encode(),
        "“We have never been against the law, but nobody".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = import_page(edited)
    assert outcome.status == "updated"
    assert outcome.story.pk == story.pk
    assert Story.objects.count() == 1
    paragraph.refresh_from_db()
    assert paragraph.text.startswith("“We have never been against the law")
    # The paragraph keeps its permanent key, and the note its words.
    assert dict(story.blocks.values_list("position", "key")) == keys_before
    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert note.quote_exact == "nobody has asked us"
    assert paragraph.text[note.start : note.end] == "nobody has asked us"
    versions = list(story.text_versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].origin == StoryVersion.Origin.IMPORT
    assert "never been against" in versions[1].blocks[2]["text"]


def test_reimporting_an_unchanged_page_changes_nothing(monkeypatch):
    data = fixture(GUARDIAN)
    story = import_page(data).story
    modified = Story.objects.get(pk=story.pk).modified_at
    blocks = list(Block.objects.values_list("id", "key", "text"))
    purged = []
    monkeypatch.setattr(
        "articles.ingest.saving.content_changed", lambda changed: purged.append(changed)
    )

    outcome = import_page(data)

    assert outcome.status == "unchanged"
    assert Story.objects.get(pk=story.pk).modified_at == modified
    assert list(Block.objects.values_list("id", "key", "text")) == blocks
    assert story.text_versions.count() == 1
    assert purged == []


def test_an_import_that_changes_a_story_purges_its_pages(monkeypatch):
    purged = []
    monkeypatch.setattr(
        "articles.ingest.saving.content_changed", lambda changed: purged.append(set(changed))
    )
    story = import_page(fixture(GUARDIAN)).story
    (changed,) = purged
    author = story.bylines.get().author
    # Its page, and the lists it joins: the front, its section's, its author's and its tags'.
    assert {
        keys.story(story.pk),
        keys.section_list(story.section_id),
        keys.author_list(author.pk),
        keys.FRONT,
        keys.SECTION_MENU,
    } <= changed
    assert story.tags.exists()
    assert {keys.tag_list(tag.pk) for tag in story.tags.all()} <= changed


def test_a_page_of_a_story_already_in_the_archive_under_another_identity_is_refused(seed_dir):
    from articles.data.plaintext import import_story_file

    seed = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    data = fixture("vice-peruvian-soldier.html")
    (outcome,) = import_bytes(data, name="vice.html")
    assert outcome.failed
    assert "already in the archive" in outcome.message and "--replace" in outcome.message
    (outcome,) = import_bytes(data, name="vice.html", replace=True)
    assert outcome.status == "updated" and outcome.story.pk == seed.pk
    seed.refresh_from_db()
    assert seed.canonical_url.endswith("/peruvian-soldier-killed-in-shootout-with-drug-smugglers")
    # The same text as the seed: its blocks kept their keys, and no new version was needed
    # beyond what the page adds (its asides now carry their addresses).
    assert seed.blocks.filter(kind=Block.Kind.ASIDE, target_url="").count() == 0


def test_canonical_addresses_are_unique_but_may_be_empty():
    from django.db import IntegrityError, transaction

    StoryFactory(canonical_url="")
    StoryFactory(canonical_url="")
    StoryFactory(canonical_url="https://x.example/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        StoryFactory(canonical_url="https://x.example/a")


def test_a_story_the_newsroom_unpublished_stays_a_draft_when_its_source_changes():
    """Publishing is an editor's decision: a re-import updates the text of a story the
    newsroom took down, and leaves it down."""
    original = fixture(GUARDIAN)
    story = import_page(original).story
    assert story.status == Story.Status.PUBLISHED
    Story.objects.filter(pk=story.pk).update(status=Story.Status.DRAFT)

    assert import_page(original).status == "unchanged"
    outcome = import_page(original.replace(b"nobody has asked us", b"no one has asked us"))

    assert outcome.status == "updated"
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    assert "no one has asked us" in " ".join(story.blocks.values_list("text", flat=True))


def test_a_story_its_agency_withdraws_is_taken_down_and_not_put_back_by_the_next_release():
    wire = fixture("ninjs-wire.json")
    (outcome,) = import_bytes(wire, name="wire.json")
    story = outcome.story
    assert story.status == Story.Status.PUBLISHED

    (outcome,) = import_bytes(
        wire.replace(b'"pubstatus": "usable"', b'"pubstatus": "canceled"'), name="wire.json"
    )
    assert outcome.status == "updated"
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    assert story not in Story.objects.published()

    # Released again: the desk decides whether it goes back up.
    (outcome,) = import_bytes(wire, name="wire.json")
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
