"""Unit tests for the pure-Python re-anchoring engine (no database needed)."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.notes import anchoring
from articles.notes.anchoring import (
    CONTEXT_LENGTH,
    MATCH_THRESHOLD,
    Anchor,
    AnchorMethod,
    Reanchored,
    codepoint_to_utf16,
    locate,
    make_anchor,
    reanchor,
    utf16_to_codepoint,
)

MEDELLIN = "Columbia's 'deadliest city' is fighting back against gang extortion."
COCA = (
    "Coca growers say coca is sacred. The army says coca funds gangs. Critics say coca prices rose."
)
PERU = "🇵🇪 Perú: Guzmán's lawyers appealed the ruling on Tuesday."

# No example database, so that running the tests writes nothing into the project; no deadline,
# because timing belongs to benchmarks, not to correctness tests.
PROPERTY_SETTINGS = settings(deadline=None, database=None)


def anchor_on(text: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return make_anchor(text=text, start=start, end=start + len(quote))


def reanchor_one(old_text: str, new_text: str, anchor: Anchor) -> Reanchored:
    (result,) = reanchor(old_text=old_text, new_text=new_text, anchors=[anchor])
    return result


def assert_consistent(text: str, anchor: Anchor) -> None:
    assert anchor == make_anchor(text=text, start=anchor.start, end=anchor.end)


# make_anchor


def test_make_anchor_captures_quote_and_context():
    anchor = anchor_on(MEDELLIN, "fighting back")
    assert anchor.exact == "fighting back"
    assert anchor.prefix == "Columbia's 'deadliest city' is "
    assert anchor.suffix == " against gang extortion."
    assert (anchor.start, anchor.end) == (31, 44)


def test_make_anchor_limits_context_to_context_length():
    text = "x" * 100 + "quote" + "y" * 100
    anchor = make_anchor(text=text, start=100, end=105)
    assert anchor.prefix == "x" * CONTEXT_LENGTH
    assert anchor.suffix == "y" * CONTEXT_LENGTH


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, len(MEDELLIN) + 1)])
def test_make_anchor_rejects_invalid_offsets(start, end):
    with pytest.raises(ValueError):
        make_anchor(text=MEDELLIN, start=start, end=end)


# Unchanged text and plain offset mapping


def test_unchanged_text_returns_identical_anchors():
    anchors = [anchor_on(MEDELLIN, "Columbia"), anchor_on(MEDELLIN, "extortion.")]
    results = reanchor(old_text=MEDELLIN, new_text=MEDELLIN, anchors=anchors)
    assert [r.method for r in results] == [AnchorMethod.UNCHANGED] * 2
    assert [r.anchor for r in results] == anchors
    assert [r.score for r in results] == [1.0, 1.0]


def test_distant_edit_is_unchanged_with_shifted_offsets():
    old = "The mayor spoke first. " + MEDELLIN
    new = "On Monday the mayor of the city spoke first. " + MEDELLIN
    anchor = anchor_on(old, "gang extortion")
    result = reanchor_one(old, new, anchor)
    assert result.method == AnchorMethod.UNCHANGED
    assert result.anchor.start == anchor.start + len(new) - len(old)
    assert result.anchor.exact == "gang extortion"


def test_insertion_before_quote_shifts_offsets():
    new = MEDELLIN.replace("is fighting", "is now fighting")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "fighting back"))
    assert result.method == AnchorMethod.MAPPED
    assert (result.anchor.start, result.anchor.end) == (35, 48)
    assert result.anchor.exact == "fighting back"
    assert result.anchor.prefix.endswith("is now ")


def test_insertion_right_before_quote_stays_outside_it():
    new = MEDELLIN.replace("fighting", "bravely fighting")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "fighting back"))
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.exact == "fighting back"
    assert new[: result.anchor.start].endswith("bravely ")


def test_insertion_after_quote_keeps_offsets():
    anchor = anchor_on(MEDELLIN, "fighting back")
    new = MEDELLIN.replace("back", "back hard")
    result = reanchor_one(MEDELLIN, new, anchor)
    assert result.method == AnchorMethod.MAPPED
    assert (result.anchor.start, result.anchor.end) == (anchor.start, anchor.end)
    assert result.anchor.suffix.startswith(" hard against")


def test_insertion_inside_quote_covers_the_edit_and_is_fuzzy():
    new = MEDELLIN.replace("deadliest city", "deadliest Colombian city")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "deadliest city"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "deadliest Colombian city"
    assert MATCH_THRESHOLD <= result.score < 1
    assert_consistent(new, result.anchor)


def test_deletion_before_quote_shifts_offsets():
    new = MEDELLIN.replace("'deadliest city' ", "")
    anchor = anchor_on(MEDELLIN, "fighting back")
    result = reanchor_one(MEDELLIN, new, anchor)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == anchor.start - len("'deadliest city' ")
    assert result.anchor.exact == "fighting back"


def test_deletion_after_quote_keeps_offsets():
    new = MEDELLIN.replace(" gang", "")
    anchor = anchor_on(MEDELLIN, "fighting back")
    result = reanchor_one(MEDELLIN, new, anchor)
    assert result.method == AnchorMethod.MAPPED
    assert (result.anchor.start, result.anchor.end) == (anchor.start, anchor.end)


def test_deleting_whole_quote_orphans():
    new = MEDELLIN.replace(" against gang extortion", "")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "against gang extortion"))
    assert result.method == AnchorMethod.ORPHANED
    assert result.anchor is None


def test_deleting_most_of_quote_orphans():
    old = "The army burned the coca fields near the river on Tuesday, officials said."
    new = old.replace("coca fields near the ", "")
    result = reanchor_one(old, new, anchor_on(old, "burned the coca fields near the river"))
    assert result.method == AnchorMethod.ORPHANED
    assert result.anchor is None
    assert result.score < MATCH_THRESHOLD


def test_deleting_one_word_of_long_quote_is_fuzzy():
    old = "The army burned the coca fields near the river on Tuesday, officials said."
    new = old.replace("near ", "by ")
    result = reanchor_one(old, new, anchor_on(old, "burned the coca fields near the river"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "burned the coca fields by the river"


# Repeated phrases and look-alikes


@pytest.mark.parametrize(
    ("occurrence", "new_context"),
    [(0, "say coca is"), (1, "says coca funds"), (2, "say coca prices")],
)
def test_edits_around_repeated_phrase_keep_each_note_on_its_occurrence(occurrence, new_context):
    new = (
        COCA.replace("Coca growers", "Coca farmers")
        .replace("army says", "army now says")
        .replace("Critics ", "")
    )
    result = reanchor_one(COCA, new, anchor_on(COCA, "coca", occurrence))
    assert result.method in {AnchorMethod.UNCHANGED, AnchorMethod.MAPPED}
    assert result.anchor.start == new.index(new_context) + new_context.index("coca")


def test_rewriting_sentence_around_repeated_phrase_does_not_jump_to_other_occurrence():
    new = COCA.replace("The army says coca funds gangs", "Officials claim coca pays gangs")
    result = reanchor_one(COCA, new, anchor_on(COCA, "coca", 1))
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == new.index("claim coca") + len("claim ")


def test_deleting_sentence_with_annotated_occurrence_orphans_only_that_note():
    new = COCA.replace("The army says coca funds gangs. ", "")
    anchors = [anchor_on(COCA, "coca", occurrence) for occurrence in range(3)]
    results = reanchor(old_text=COCA, new_text=new, anchors=anchors)
    # The survivors keep their own occurrences; their context crossed the deleted sentence.
    assert [r.method for r in results] == [
        AnchorMethod.MAPPED,
        AnchorMethod.ORPHANED,
        AnchorMethod.MAPPED,
    ]
    assert [r.anchor.start for r in results if r.anchor] == [
        new.index("say coca is") + 4,
        new.index("say coca prices") + 4,
    ]


def test_quoted_sentence_deleted_orphans_even_if_identical_phrase_survives_elsewhere():
    old = "Police found coca paste in the truck. Farmers say coca paste is their only income."
    new = "Farmers say coca paste is their only income."
    result = reanchor_one(old, new, anchor_on(old, "coca paste"))
    assert result.method == AnchorMethod.ORPHANED
    assert result.anchor is None


# Whitespace and punctuation


def test_collapsing_double_space_before_quote_shifts_offsets():
    old = "The army  says coca funds gangs."
    new = "The army says coca funds gangs."
    anchor = anchor_on(old, "coca funds")
    result = reanchor_one(old, new, anchor)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == anchor.start - 1
    assert result.anchor.exact == "coca funds"


def test_collapsing_double_space_inside_quote_is_fuzzy():
    old = "The army  says coca funds gangs."
    new = "The army says coca funds gangs."
    result = reanchor_one(old, new, anchor_on(old, "army  says"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "army says"


def test_trailing_space_added_after_quote_is_mapped():
    anchor = anchor_on(MEDELLIN, "extortion.")
    result = reanchor_one(MEDELLIN, MEDELLIN + " ", anchor)
    assert result.method == AnchorMethod.MAPPED
    assert (result.anchor.start, result.anchor.end) == (anchor.start, anchor.end)
    assert result.anchor.suffix == " "


def test_trailing_space_removed_from_quote_is_fuzzy():
    old = MEDELLIN + " "
    result = reanchor_one(old, MEDELLIN, anchor_on(old, "extortion. "))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "extortion."


def test_curly_quotes_around_quote_are_mapped():
    new = MEDELLIN.replace("'deadliest city'", "‘deadliest city’")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "deadliest city"))
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.exact == "deadliest city"
    assert result.anchor.prefix.endswith("‘")


def test_curly_quotes_inside_quote_are_fuzzy():
    new = MEDELLIN.replace("'deadliest city'", "‘deadliest city’")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "'deadliest city'"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "‘deadliest city’"


def test_comma_added_inside_quote_is_fuzzy():
    new = MEDELLIN.replace("back against", "back, against")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "fighting back against gang"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "fighting back, against gang"


def test_comma_added_right_after_quote_is_mapped():
    new = MEDELLIN.replace("back against", "back, against")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "fighting back"))
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.exact == "fighting back"
    assert result.anchor.suffix.startswith(", against")


# Accents, emoji and UTF-16


def test_accented_quote_survives_edit_elsewhere():
    new = PERU.replace("on Tuesday", "on Wednesday")
    anchor = anchor_on(PERU, "Guzmán")
    result = reanchor_one(PERU, new, anchor)
    assert result.method == AnchorMethod.UNCHANGED
    assert result.anchor == anchor


def test_adding_accent_inside_quote_is_fuzzy():
    old = PERU.replace("Guzmán", "Guzman")
    result = reanchor_one(old, PERU, anchor_on(old, "Guzman"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "Guzmán"


def test_emoji_inserted_before_quote_shifts_code_point_offsets():
    new = "🇨🇴" + PERU
    anchor = anchor_on(PERU, "Guzmán")
    result = reanchor_one(PERU, new, anchor)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == anchor.start + 2  # a flag is two code points
    assert new[result.anchor.start : result.anchor.end] == "Guzmán"


def test_flag_inside_quote_is_kept_whole():
    new = PERU.replace("appealed", "have appealed")
    result = reanchor_one(PERU, new, anchor_on(PERU, "🇵🇪 Perú"))
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.exact == "🇵🇪 Perú"
    assert (result.anchor.start, result.anchor.end) == (0, 7)


def test_code_point_offsets_differ_from_utf16_after_emoji():
    anchor = anchor_on(PERU, "Guzmán")
    assert anchor.start == 9
    assert codepoint_to_utf16(PERU, anchor.start) == 11  # the flag is four UTF-16 units
    assert len(PERU[: anchor.start].encode("utf-16-le")) // 2 == 11
    assert utf16_to_codepoint(PERU, 11) == 9
    assert utf16_to_codepoint(PERU, 17) == anchor.end


def test_utf16_conversion_of_ascii_is_identity():
    assert [utf16_to_codepoint(MEDELLIN, i) for i in range(len(MEDELLIN) + 1)] == list(
        range(len(MEDELLIN) + 1)
    )
    assert codepoint_to_utf16(MEDELLIN, len(MEDELLIN)) == len(MEDELLIN)


@pytest.mark.parametrize("offset", [1, 3])
def test_utf16_to_codepoint_rejects_offset_splitting_surrogate_pair(offset):
    with pytest.raises(ValueError, match="surrogate"):
        utf16_to_codepoint("🇵🇪x", offset)


@pytest.mark.parametrize("offset", [-1, 6])
def test_utf16_to_codepoint_rejects_out_of_range_offset(offset):
    with pytest.raises(ValueError):
        utf16_to_codepoint("🇵🇪x", offset)


@pytest.mark.parametrize("offset", [-1, 4])
def test_codepoint_to_utf16_rejects_out_of_range_offset(offset):
    with pytest.raises(ValueError):
        codepoint_to_utf16("🇵🇪x", offset)


@PROPERTY_SETTINGS
@given(st.text(max_size=30))
def test_utf16_conversion_round_trips(text):
    for offset in range(len(text) + 1):
        units = codepoint_to_utf16(text, offset)
        assert units == len(text[:offset].encode("utf-16-le", "surrogatepass")) // 2
        assert utf16_to_codepoint(text, units) == offset


# Corrections of the quote itself


def test_misspelt_country_corrected_in_quote_is_fuzzy():
    new = MEDELLIN.replace("Columbia", "Colombia")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "Columbia"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "Colombia"
    assert (result.anchor.start, result.anchor.end) == (0, 8)
    assert result.score >= MATCH_THRESHOLD


def test_wrong_word_corrected_in_quote_is_fuzzy():
    old = "Residents voiced fears that it would illicit a violent response from the gangs."
    new = old.replace("illicit", "elicit")
    result = reanchor_one(old, new, anchor_on(old, "illicit"))
    assert result.method == AnchorMethod.FUZZY
    assert result.anchor.exact == "elicit"
    assert_consistent(new, result.anchor)


def test_replacing_short_quote_with_different_word_orphans():
    new = MEDELLIN.replace("gang", "mafia")
    result = reanchor_one(MEDELLIN, new, anchor_on(MEDELLIN, "gang"))
    assert result.method == AnchorMethod.ORPHANED


def test_whole_paragraph_note_survives_small_edits():
    new = MEDELLIN.replace("Columbia", "Colombia").replace("back against", "back, against")
    anchor = make_anchor(text=MEDELLIN, start=0, end=len(MEDELLIN))
    result = reanchor_one(MEDELLIN, new, anchor)
    assert result.method == AnchorMethod.FUZZY
    assert (result.anchor.start, result.anchor.end) == (0, len(new))


# Emptied paragraphs, result order, one diff per call, stale offsets


def test_emptied_paragraph_orphans_all_anchors():
    anchors = [anchor_on(COCA, "coca", i) for i in range(3)] + [anchor_on(COCA, "gangs")]
    results = reanchor(old_text=COCA, new_text="", anchors=anchors)
    assert all(r.method == AnchorMethod.ORPHANED and r.anchor is None for r in results)
    assert len(results) == len(anchors)


def test_results_follow_input_order():
    new = MEDELLIN.replace("Columbia", "Colombia").replace(" against gang extortion", "")
    anchors = [
        anchor_on(MEDELLIN, "gang"),
        anchor_on(MEDELLIN, "Columbia"),
        anchor_on(MEDELLIN, "fighting"),
    ]
    results = reanchor(old_text=MEDELLIN, new_text=new, anchors=anchors)
    assert [r.method for r in results] == [
        AnchorMethod.ORPHANED,
        AnchorMethod.FUZZY,
        AnchorMethod.MAPPED,
    ]


def test_reanchor_with_no_anchors_returns_empty_list():
    assert reanchor(old_text=MEDELLIN, new_text=COCA, anchors=[]) == []


def test_reanchor_computes_diff_once_for_many_anchors(monkeypatch):
    calls = []
    original = anchoring._diff

    def counting_diff(old_text, new_text, **kwargs):
        calls.append(1)
        return original(old_text, new_text, **kwargs)

    monkeypatch.setattr(anchoring, "_diff", counting_diff)
    new = COCA.replace("army", "national army")
    anchors = [anchor_on(COCA, "coca", i % 3) for i in range(50)]
    results = reanchor(old_text=COCA, new_text=new, anchors=anchors)
    assert len(results) == 50
    assert len(calls) == 1


def test_stale_offsets_are_relocated_by_quote_and_context():
    good = anchor_on(COCA, "coca", 1)
    stale = Anchor(exact="coca", prefix=good.prefix, suffix=good.suffix, start=3, end=7)
    new = COCA.replace("The army", "The national army")
    result = reanchor_one(COCA, new, stale)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == new.index("says coca funds") + len("says ")


def test_stale_offsets_prefer_occurrence_nearest_stored_start():
    text = "coca leaf and coca leaf and coca leaf"
    stale = Anchor(exact="coca leaf", prefix="and ", suffix=" and", start=12, end=21)
    result = reanchor_one(text, text, stale)
    # UNCHANGED: once relocated, nothing around the quote differs between old and new text.
    assert result.method == AnchorMethod.UNCHANGED
    assert result.anchor.start == 14


def test_stale_anchor_whose_quote_is_gone_is_orphaned():
    stale = Anchor(exact="cocaine", prefix="", suffix="", start=0, end=7)
    result = reanchor_one(COCA, COCA, stale)
    assert result.method == AnchorMethod.ORPHANED


# locate()


def test_locate_finds_quote_moved_to_split_paragraph():
    old = MEDELLIN + " " + COCA
    anchor = anchor_on(old, "say coca is sacred")
    assert "extortion" in anchor.prefix  # the context crosses the split point
    result = locate(text=COCA, anchor=anchor)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.exact == "say coca is sacred"
    assert result.anchor.start == COCA.index("say coca is sacred")
    assert result.score >= MATCH_THRESHOLD


def test_locate_finds_quote_that_lost_its_prefix_in_the_split():
    old = MEDELLIN + " " + COCA
    result = locate(text=COCA, anchor=anchor_on(old, "Coca growers"))
    assert result.method == AnchorMethod.MAPPED
    assert (result.anchor.start, result.anchor.end) == (0, len("Coca growers"))


def test_locate_finds_sentence_that_became_its_own_paragraph():
    old = MEDELLIN + " " + COCA
    result = locate(
        text="The army says coca funds gangs.",
        anchor=anchor_on(old, "The army says coca funds gangs."),
    )
    assert result.method == AnchorMethod.MAPPED
    assert result.score == 1.0


def test_locate_rejects_short_quote_filling_only_part_of_a_cut_paragraph():
    old = "Police found coca in the truck near the border crossing."
    result = locate(text="coca funds", anchor=anchor_on(old, "coca"))
    assert result.method == AnchorMethod.ORPHANED


def test_locate_with_identical_context_is_unchanged():
    anchor = anchor_on(COCA, "sacred")
    result = locate(text=COCA, anchor=anchor)
    assert result.method == AnchorMethod.UNCHANGED
    assert result.anchor == anchor
    assert result.score == 1.0


def test_locate_rejects_short_quote_without_matching_context():
    old = "Police found coca in the truck near the border crossing."
    result = locate(text=COCA, anchor=anchor_on(old, "coca"))
    assert result.method == AnchorMethod.ORPHANED
    assert result.anchor is None
    assert result.score < MATCH_THRESHOLD


def test_locate_orphans_when_quote_is_absent():
    result = locate(text=COCA, anchor=anchor_on(MEDELLIN, "extortion"))
    assert result == Reanchored(anchor=None, method=AnchorMethod.ORPHANED, score=0.0)


def test_locate_prefers_occurrence_whose_context_matches():
    source = "Growers call it sacred. The army says coca funds gangs. Critics disagree."
    # The stored start is nearest the first occurrence; the context matches the second.
    anchor = dataclasses.replace(anchor_on(source, "coca"), start=0, end=4)
    result = locate(text=COCA, anchor=anchor)
    assert result.method == AnchorMethod.MAPPED
    assert result.anchor.start == COCA.index("coca funds")


def test_locate_breaks_ties_by_distance_to_stored_start():
    text = "The army says coca funds gangs. The army says coca funds gangs."
    second = text.index("coca", 20)
    near_second = Anchor(
        exact="coca", prefix="says ", suffix=" funds", start=second - 3, end=second + 1
    )
    near_first = Anchor(exact="coca", prefix="says ", suffix=" funds", start=0, end=4)
    assert locate(text=text, anchor=near_second).anchor.start == second
    assert locate(text=text, anchor=near_first).anchor.start == text.index("coca")


# Properties

# Characters absent from COCA, so an insertion cannot create a look-alike of the old text and the
# true new position of the quote is known exactly.
FOREIGN = "0123456789#€🎉"


@PROPERTY_SETTINGS
@given(data=st.data(), inserted=st.text(alphabet=FOREIGN, min_size=1, max_size=40))
def test_insertion_strictly_outside_quote_always_refinds_it(data, inserted):
    start = data.draw(st.integers(0, len(COCA) - 1), label="start")
    end = data.draw(st.integers(start + 1, len(COCA)), label="end")
    position = data.draw(
        st.one_of(st.integers(0, start), st.integers(end, len(COCA))), label="position"
    )
    new = COCA[:position] + inserted + COCA[position:]
    anchor = make_anchor(text=COCA, start=start, end=end)
    result = reanchor_one(COCA, new, anchor)
    shift = len(inserted) if position <= start else 0
    assert result.method in {AnchorMethod.UNCHANGED, AnchorMethod.MAPPED}
    assert (result.anchor.start, result.anchor.end) == (start + shift, end + shift)
    assert result.anchor.exact == anchor.exact


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    replacement=st.text(alphabet="abcos .,'é🇵🇪", max_size=20),
)
def test_any_edit_yields_anchors_consistent_with_new_text(data, replacement):
    edit_start = data.draw(st.integers(0, len(COCA)), label="edit_start")
    edit_end = data.draw(st.integers(edit_start, len(COCA)), label="edit_end")
    new = COCA[:edit_start] + replacement + COCA[edit_end:]
    start = data.draw(st.integers(0, len(COCA) - 1), label="start")
    end = data.draw(st.integers(start + 1, len(COCA)), label="end")
    (result,) = reanchor(
        old_text=COCA, new_text=new, anchors=[make_anchor(text=COCA, start=start, end=end)]
    )
    assert 0.0 <= result.score <= 1.0
    if result.method == AnchorMethod.ORPHANED:
        assert result.anchor is None
    else:
        assert_consistent(new, result.anchor)
    if result.method == AnchorMethod.FUZZY:
        assert result.score >= MATCH_THRESHOLD
    if edit_start <= start and end <= edit_end and not replacement:
        # A deleted quote is orphaned unless the deletion is ambiguous: removing "ca pri" from
        # "coca prices" is the same edit as removing "a pric", which keeps the quote "c".
        assert result.method == AnchorMethod.ORPHANED or result.anchor.exact == COCA[start:end]


# Moved text: the quote and both sides of its context, intact, at one other place

# Long enough that a quote in the middle has all its context within its own sentence.
SENTENCES = [
    "Soldiers seized 31 backpacks of coca paste near the river crossing at dawn, officials said.",
    "Police said the smugglers fled on foot into the jungle before the helicopters could arrive.",
    "The army sent two helicopters and a patrol boat, and a second unit closed the mountain road.",
    "Residents of the valley said the gunfire lasted for almost an hour and then stopped at once.",
]
MOVED_FROM = " ".join(SENTENCES)


def test_a_sentence_moved_within_its_paragraph_takes_its_note_along():
    new = " ".join([SENTENCES[1], SENTENCES[2], SENTENCES[3], SENTENCES[0]])
    anchor = anchor_on(MOVED_FROM, "coca paste")
    result = reanchor_one(MOVED_FROM, new, anchor)
    assert result.method == AnchorMethod.MOVED
    assert new[result.anchor.start : result.anchor.end] == "coca paste"
    assert (result.anchor.prefix, result.anchor.suffix) == (anchor.prefix, anchor.suffix)
    assert_consistent(new, result.anchor)


def test_a_move_needs_both_sides_of_the_context_not_one():
    # The quote survives with its prefix intact but a new suffix: a look-alike, not a move.
    old = "Critics say the army said coca funds gangs in the valley. Prices rose."
    new = "Prices rose. Critics say the army said coca funds schools instead of anything."
    anchor = anchor_on(old, "coca funds")
    moved = anchoring.find_moved(old_texts=[old], new_texts=[new], anchor=anchor)
    assert moved is None


def test_a_move_found_at_two_places_is_not_guessed():
    anchor = anchor_on(MOVED_FROM, "coca paste")
    sentence = SENTENCES[0]
    twice = "Intro. " + sentence + "Middle. " + sentence + "End."
    assert anchoring.find_moved(old_texts=[MOVED_FROM], new_texts=[twice], anchor=anchor) is None
    assert (
        anchoring.find_moved(
            old_texts=[MOVED_FROM],
            new_texts=["Intro. " + sentence, "Other. " + sentence],
            anchor=anchor,
        )
        is None
    )


def test_a_passage_the_old_text_already_had_twice_is_not_a_move():
    anchor = anchor_on(MOVED_FROM, "coca paste")
    sentence = SENTENCES[0]
    old = MOVED_FROM + " " + sentence
    assert anchoring.find_moved(old_texts=[old], new_texts=[sentence], anchor=anchor) is None


def test_a_move_search_the_budget_cannot_pay_for_finds_nothing():
    anchor = anchor_on(MOVED_FROM, "coca paste")
    sentence = SENTENCES[0]
    budget = anchoring.WorkBudget(limit=10)
    assert (
        anchoring.find_moved(
            old_texts=[MOVED_FROM], new_texts=["Intro. " + sentence], anchor=anchor, budget=budget
        )
        is None
    )


@PROPERTY_SETTINGS
@given(order=st.permutations(range(len(SENTENCES))), data=st.data())
def test_reordering_distinct_sentences_keeps_every_note_inside_on_its_words(order, data):
    """A note well inside a sentence (its context within the sentence) follows any reordering."""
    old = " ".join(SENTENCES)
    new = " ".join(SENTENCES[i] for i in order)
    which = data.draw(st.integers(0, len(SENTENCES) - 1), label="sentence")
    sentence_start = old.index(SENTENCES[which])
    # A quote of the middle of a sentence, its context within the sentence.
    start = sentence_start + data.draw(st.integers(33, 40), label="offset")
    end = start + data.draw(st.integers(8, 15), label="length")
    anchor = make_anchor(text=old, start=start, end=end)
    (result,) = reanchor(old_text=old, new_text=new, anchors=[anchor])
    assert result.method != AnchorMethod.ORPHANED
    assert result.anchor.exact == anchor.exact
    new_sentence_start = new.index(SENTENCES[which])
    assert result.anchor.start == new_sentence_start + (start - sentence_start)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_moved_result_always_has_its_quote_and_both_sides_intact(data):
    old = " ".join(SENTENCES)
    order = data.draw(st.permutations(range(len(SENTENCES))), label="order")
    cut = data.draw(st.integers(0, len(SENTENCES)), label="dropped")
    new = " ".join(SENTENCES[i] for i in order[:cut])
    start = data.draw(st.integers(0, len(old) - 1), label="start")
    end = data.draw(st.integers(start + 1, min(len(old), start + 30)), label="end")
    anchor = make_anchor(text=old, start=start, end=end)
    (result,) = reanchor(old_text=old, new_text=new, anchors=[anchor])
    if result.method == AnchorMethod.MOVED:
        found = result.anchor
        assert (found.exact, found.prefix, found.suffix) == (
            anchor.exact,
            anchor.prefix,
            anchor.suffix,
        )
