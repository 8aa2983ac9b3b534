"""The aside services the asides admin calls: saving a teaser, deleting asides."""

import pytest

from articles.editing.asides import delete_asides, save_aside
from tests.factories import AsideFactory, NoteFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_aside_orphans_its_notes_and_bumps_its_story(editor):
    aside = AsideFactory(teaser="Read how the valley was mapped.")
    note = NoteFactory(paragraph=aside, start=9, end=15, quote_exact="valley")
    story = aside.story

    delete_asides(asides=[aside], user=editor)

    note.refresh_from_db()
    assert (note.anchor_state, note.paragraph_id) == ("orphaned", None)
    story.refresh_from_db()
    assert story.version == 2


def test_a_new_teaser_moves_its_notes_and_bumps_its_story(editor):
    aside = AsideFactory(teaser="Read how the valley was mapped.")
    note = NoteFactory(paragraph=aside, start=9, end=15, quote_exact="valley")
    aside.teaser = "Read first how the valley was mapped."

    save_aside(aside=aside, old_teaser="Read how the valley was mapped.", user=editor)

    note.refresh_from_db()
    assert (note.start, note.end, note.quote_exact) == (19, 25, "valley")
    aside.story.refresh_from_db()
    assert aside.story.version == 2
