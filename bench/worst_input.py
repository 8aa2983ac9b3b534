"""Benchmark: the worst input staff are allowed to submit, of each kind, through the real calls.

    .venv/bin/python bench/worst_input.py [--runs 3] [--notes 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/worst_input.py

Every text staff can write is bounded (articles/models.py), Markdown is rendered by a renderer
linear in its input, and re-anchoring counts its work (articles/notes/anchoring.py). This
times what those bounds allow at their worst, each through the call the annotate screen, the
admin or the importer makes, writes included, and prints each time against the one-second goal:

- a note body of the maximum length (20,000 characters) made of the Markdown that costs most to
  parse (unclosed brackets, images, links, emphasis, code spans, block quotes, nested lists,
  entities), saved with `create_note` (rendering, sanitising, saving, history);
- a reply of the maximum length, saved with `reply_to_note`;
- a paragraph of the maximum length (20,000 characters) carrying `--notes` notes, rewritten in
  the ways that cost difflib most, re-anchored with `reanchor_paragraph`, and split in two with
  `reanchor_story_edit` (whose second pass looks each orphan up in the new block).

Runs against a throwaway database, as bench/anchoring.py does; each run is rolled back. Times
are the median and the slowest of `--runs` runs, in milliseconds.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable

from common import annotate_passages, paragraph_text, setup_django

GOAL_SECONDS = 1.0
# The seed story's words, for paragraphs of real vocabulary (bench/anchoring.py reads it too).
WORDS = sorted(set(paragraph_text(1).split()))


def prose(seed: int, length: int, words: list[str] = WORDS) -> str:
    """`length` characters of words drawn from `words` (few distinct words: hard on difflib)."""
    rng = random.Random(seed)
    out, size = [], 0
    while size <= length:
        word = rng.choice(words)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[: length - 1].rstrip() + "."


def markdown_cases(limit: int) -> dict[str, str]:
    """Bodies of exactly `limit` characters of the costliest Markdown we know of."""

    def fill(piece: str) -> str:
        return (piece * (limit // len(piece) + 1))[:limit]

    nested_list, depth = "", 0
    while len(nested_list) < limit:
        nested_list += "  " * depth + "- item\n"
        depth += 1
    return {
        '"[" x 20,000 (the reported 46 s)': fill("["),
        '"![" (images never closed)': fill("!["),
        '"[a](" (links never closed)': fill("[a]("),
        '"[(" (brackets and parentheses)': fill("[("),
        '"*_" (emphasis delimiters)': fill("*_"),
        '"**a" (strong, never closed)': fill("**a"),
        '"`a" (code spans, never closed)': fill("`a"),
        '">" (block quotes, nested)': fill("> "),
        "nested list items": nested_list[:limit],
        '"&#1" (character references)': fill("&#1"),
        '"<a " (markup read as text)': fill("<a "),
        '"\\[" (escaped brackets)': fill("\\["),
        '"[x]: y" (link definitions)': fill("[x]: y\n"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notes", type=int, default=1000, help="notes on the long paragraph")
    args = parser.parse_args()

    teardown = setup_django()
    try:
        slow = run(runs=args.runs, notes=args.notes)
    finally:
        teardown()
    sys.exit(1 if slow else 0)


def run(*, runs: int, notes: int) -> int:
    """Print every case's times; returns how many missed the goal."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from articles.models import (
        BLOCK_TEXT_MAX_LENGTH,
        NOTE_BODY_MAX_LENGTH,
        Block,
        Note,
        NoteReply,
        Section,
        Story,
    )
    from articles.notes.anchoring import make_anchor
    from articles.notes.editing import Selection, create_note, reply_to_note
    from articles.notes.services import TextChange, reanchor_paragraph, reanchor_story_edit

    editor = get_user_model().objects.create(username="bench-editor", is_staff=True)
    section = Section.objects.create(name="News", slug="news")
    story = Story.objects.create(headline="Bench", slug="bench", section=section)
    short = Block.objects.create(story=story, position=0, text="The paste is made from coca.")
    note = create_note(
        paragraph=short,
        selection=Selection(start=4, end=9, exact="paste"),
        fields={
            "kind": "context",
            "body": "A note.",
        },
        user=editor,
    )

    def timed(action: Callable[[], object]) -> list[float]:
        times = []
        for _ in range(runs):
            with transaction.atomic():
                began = time.perf_counter()
                action()
                times.append(time.perf_counter() - began)
                transaction.set_rollback(True)
        return times

    row = "{:<52} {:>10} {:>10}  {}"
    header = row.format("input", "median ms", "slowest", "")
    slow = 0

    def report(name: str, times: list[float]) -> None:
        nonlocal slow
        worst = max(times)
        verdict = "ok" if worst < GOAL_SECONDS else "SLOWER THAN 1 s"
        slow += worst >= GOAL_SECONDS
        median = f"{statistics.median(times) * 1000:.0f}"
        print(row.format(name, median, f"{worst * 1000:.0f}", verdict), flush=True)

    print(f"{connection.vendor}; {runs} runs each\n")
    print(f"Note bodies of {NOTE_BODY_MAX_LENGTH:,} characters, saved with create_note")
    print(header)
    print("-" * len(header))
    for name, body in markdown_cases(NOTE_BODY_MAX_LENGTH).items():

        def save_note(body=body) -> None:
            create_note(
                paragraph=short,
                selection=Selection(start=4, end=9, exact="paste"),
                fields={
                    "kind": "context",
                    "body": body,
                },
                user=editor,
            )

        report(name, timed(save_note))
    reply = markdown_cases(NOTE_BODY_MAX_LENGTH)['"[" x 20,000 (the reported 46 s)']
    report(
        'a reply of 20,000 "[" (reply_to_note)',
        timed(lambda: reply_to_note(note=note, body=reply, user=editor)),
    )
    assert not NoteReply.objects.exists()

    length = BLOCK_TEXT_MAX_LENGTH
    rich, few = prose(1, length, WORDS), prose(1, length, WORDS[:4])
    paragraphs = {
        "rewritten whole (other words throughout)": (rich, prose(2, length)),
        "every 7th word changed (few distinct words)": (
            few,
            " ".join(w if i % 7 else w.upper() for i, w in enumerate(few.split(" "))),
        ),
        '"a b a b ..." becomes "a c a c ..."': (
            ("a b " * length)[:length],
            ("a c " * length)[:length],
        ),
        "one character in two changed (ab... to ba...)": (
            "ab" * (length // 2),
            "ba" * (length // 2),
        ),
        "a sentence inserted in the middle": (
            rich,
            rich[: length // 2] + " Officials confirmed it. " + rich[length // 2 : -25],
        ),
    }
    rng = random.Random(20140620)
    print(f"\nA paragraph of {length:,} characters with {notes:,} notes, edited (writes included)")
    print(header)
    print("-" * len(header))
    for name, (old, new) in paragraphs.items():
        assert len(old) <= length and len(new) <= length, name
        block = Block.objects.create(story=story, position=1, text=old)
        anchors = []
        for _ in range(notes):
            # One to six words' worth, anywhere (the "ab" text has no spaces to cut at).
            start = rng.randrange(len(old) - 40)
            anchors.append(make_anchor(text=old, start=start, end=start + rng.randint(3, 36)))
        annotate_passages(block=block, anchors=anchors)

        def edit(block=block, old=old, new=new) -> None:
            block.text = new
            block.save(update_fields=["text"])
            reanchor_paragraph(paragraph=block, old_text=old, user=editor)

        def split(block=block, old=old, new=new) -> None:
            block.text = new[: len(new) // 2]
            block.save(update_fields=["text"])
            second = Block.objects.create(story=story, position=2, text=new[len(new) // 2 :])
            reanchor_story_edit(
                story=story,
                changes=[TextChange(block=block, old_text=old)],
                created_blocks=[second],
                user=editor,
            )

        report(name, timed(edit))
        report("  ... and split in two there (reanchor_story_edit)", timed(split))
        Note.objects.filter(paragraph=block).delete()
        block.delete()
    print(f"\n{slow} of the cases took {GOAL_SECONDS:.0f} s or more.")
    return slow


if __name__ == "__main__":
    main()
