"""Re-anchoring does a bounded amount of work: past its budget it orphans instead of hanging
(issue 11, item 9). The budgets here are tiny so that the tests run fast; bench/worst_input.py
times the real one."""

from difflib import SequenceMatcher

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.models import Note, NoteRevision
from articles.notes import anchoring
from articles.notes.anchoring import (
    Anchor,
    AnchorMethod,
    WorkBudget,
    WorkLimitExceeded,
    locate,
    make_anchor,
    reanchor,
)
from articles.notes.services import reanchor_paragraph
from tests.factories import ParagraphFactory, note_on

HEAD = "The army says coca funds the rebels in the valley. "
MIDDLE = "Farmers there grow little else, and the soldiers burn their fields each year. "
TAIL = "Nobody expects the fighting to end soon."
TEXT = HEAD + MIDDLE + TAIL
# The middle sentence is rewritten around words the diff has to find: "Farmers there grow".
EDITED = HEAD + "Most Farmers there grow nothing else; soldiers pull up the plants by hand. " + TAIL


def anchor_on(text: str, quote: str) -> Anchor:
    start = text.index(quote)
    return make_anchor(text=text, start=start, end=start + len(quote))


def test_with_enough_budget_an_edited_sentence_keeps_its_notes():
    anchors = [anchor_on(TEXT, "Farmers there grow")]

    [result] = reanchor(old_text=TEXT, new_text=EDITED, anchors=anchors)

    assert result.method == AnchorMethod.MAPPED
    assert EDITED[result.anchor.start : result.anchor.end] == "Farmers there grow"


def test_past_its_budget_the_diff_orphans_the_notes_in_the_edited_stretch():
    anchors = [anchor_on(TEXT, quote) for quote in ("Farmers there grow", "coca", "soon")]

    middle, head, tail = reanchor(
        old_text=TEXT, new_text=EDITED, anchors=anchors, budget=WorkBudget(50)
    )

    assert middle.method == AnchorMethod.ORPHANED
    assert middle.anchor is None
    # What both texts share at either end is still set aside without any diff.
    assert EDITED[head.anchor.start : head.anchor.end] == "coca"
    assert EDITED[tail.anchor.start : tail.anchor.end] == "soon"


def test_a_fuzzy_score_past_the_budget_orphans_its_note():
    """The diff itself is cheap here (the texts differ in one word); scoring the edited quote is
    what the budget refuses."""
    old = HEAD + MIDDLE + TAIL
    new = HEAD + MIDDLE.replace("soldiers", "soldier") + TAIL
    quote = anchor_on(old, "the soldiers burn")

    [enough] = reanchor(old_text=old, new_text=new, anchors=[quote])
    [starved] = reanchor(old_text=old, new_text=new, anchors=[quote], budget=WorkBudget(300))

    assert enough.method == AnchorMethod.FUZZY
    assert starved.method == AnchorMethod.ORPHANED


def test_a_quote_with_more_occurrences_than_the_budget_can_score_is_not_located():
    text = "a" * 2_000
    anchor = Anchor(exact="a", prefix="b", suffix="b", start=0, end=1)

    assert locate(text=text, anchor=anchor, budget=WorkBudget(1_000)).anchor is None


def test_a_spent_budget_raises_until_it_is_caught():
    budget = WorkBudget(10)
    budget.spend(10)

    with pytest.raises(WorkLimitExceeded):
        budget.spend(1)


@given(
    st.text(alphabet="ab c.", max_size=60),
    st.text(alphabet="ab c.", max_size=60),
)
def test_the_counted_matcher_aligns_exactly_as_difflib_does(old, new):
    counted = anchoring._CountedMatcher(old, new, budget=WorkBudget(10**9))

    assert counted.get_opcodes() == SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


@pytest.mark.django_db
def test_a_paragraph_edit_past_the_budget_orphans_its_notes_and_records_it(monkeypatch, editor):
    paragraph = ParagraphFactory(text=TEXT)
    note = note_on(paragraph, "Farmers there grow")
    paragraph.text = EDITED
    paragraph.save()
    monkeypatch.setattr(anchoring, "MAX_WORK", 50)

    reanchored, orphaned = reanchor_paragraph(paragraph=paragraph, old_text=TEXT, user=editor)

    assert (reanchored, orphaned) == ([], [note])
    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ORPHANED
    assert note.quote_exact == "Farmers there grow"
    revision = note.revisions.get()
    assert revision.action == NoteRevision.Action.ORPHANED


def test_the_diffs_own_search_is_charged_not_only_its_setup():
    """Few distinct words make difflib look at every position of each: that is the cost."""
    old = "a b " * 200
    new = "c" + old[1:-2] + "c "
    anchor = make_anchor(text=old, start=400, end=405)

    [enough] = reanchor(old_text=old, new_text=new, anchors=[anchor])
    [starved] = reanchor(old_text=old, new_text=new, anchors=[anchor], budget=WorkBudget(20_000))

    assert enough.method == AnchorMethod.UNCHANGED
    assert starved.method == AnchorMethod.ORPHANED


def test_looking_for_a_moved_passage_costs_one_scan_of_each_text():
    """Even a one-letter quote in a maximum-length paragraph of that letter: linear work."""
    length = 20_000
    old = "a" * length
    anchor = anchoring.make_anchor(text=old, start=length // 2, end=length // 2 + 1)
    budget = anchoring.WorkBudget()
    assert (
        anchoring.find_moved(old_texts=[old], new_texts=["b" + old], anchor=anchor, budget=budget)
        is None
    )
    assert budget.spent <= 2 * (length + 1 + len(anchor.prefix) + 1 + len(anchor.suffix))
    edge = anchoring.make_anchor(text=old, start=0, end=1)
    budget = anchoring.WorkBudget()
    anchoring.find_moved(old_texts=[old], new_texts=["b" + old], anchor=edge, budget=budget)
    assert budget.spent <= 2 * (length + 1 + len(edge.suffix) + 1)
