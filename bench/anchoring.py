"""Benchmark: re-anchoring 1,000 notes after one edit of their paragraph.

    .venv/bin/python bench/anchoring.py [--notes 1000] [--runs 7] [--copies 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/anchoring.py

Runs against a throwaway database: a temporary SQLite file (when DATABASE_URL is unset or names
SQLite), or a database created beside the one DATABASE_URL names, the way the test runner does
but under its own name (`test_<name>_bench_<pid>`, so a test run in progress is left alone), and
dropped afterwards. The paragraph is the seed story's body run together (`--copies` makes it
longer), with `--notes` passages of one to four words. Each edit is timed around the call
the admin and the importer make, writes and revisions included, inside a transaction that is
then rolled back so that every run starts from the same notes; "engine ms" times the pure
diff-and-score step (`anchoring.reanchor`) alone. Times are medians of `--runs` runs.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable

from common import annotate_passages, paragraph_text, setup_django


def spans(rng: random.Random, text: str, count: int) -> list[tuple[int, int]]:
    """`count` passages of one to four whole words, as editors select them."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == " "]
    chosen = []
    for _ in range(count):
        first = rng.randrange(len(starts) - 4)
        last = first + rng.randint(1, 4)
        chosen.append((starts[first], starts[last] - 1))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--copies", type=int, default=1, help="repeat the seed body to make a longer paragraph"
    )
    args = parser.parse_args()

    teardown = setup_django()
    try:
        run(notes=args.notes, runs=args.runs, copies=args.copies)
    finally:
        teardown()


def run(*, notes: int, runs: int, copies: int) -> None:
    from django.db import connection, transaction

    from articles.models import Block, Section, Story
    from articles.notes.anchoring import make_anchor, reanchor
    from articles.notes.services import TextChange, reanchor_paragraph, reanchor_story_edit

    rng = random.Random(20140620)
    text = paragraph_text(copies)
    section = Section.objects.create(name="News", slug="news")
    story = Story.objects.create(headline="Bench", slug="bench", section=section)
    paragraph = Block.objects.create(story=story, position=0, text=text)
    anchors = [make_anchor(text=text, start=s, end=e) for s, e in spans(rng, text, notes)]
    annotate_passages(block=paragraph, anchors=anchors)

    sentences = text.split(". ")
    middle = len(sentences) // 2
    first_half, second_half = ". ".join(sentences[:middle]) + ".", ". ".join(sentences[middle:])
    fixes = text.count("Peru’s")
    edits = {
        "insert a sentence before": "Officials confirmed the figures on Friday. " + text,
        f"edit inside quotes (Peru’s → Perú’s ×{fixes})": text.replace("Peru’s", "Perú’s"),
        "delete a sentence": ". ".join(sentences[:middle] + sentences[middle + 1 :]),
        "rewrite the last sentence": ". ".join(sentences[:-1]) + ". The raid ended on Thursday.",
    }

    def timed(action: Callable[..., object], prepare=dict) -> tuple[float, object]:
        """Time `action(**prepare())` with its writes, then roll them back."""
        with transaction.atomic():
            arguments = prepare()
            began = time.perf_counter()
            outcome = action(**arguments)
            elapsed = time.perf_counter() - began
            transaction.set_rollback(True)
        return elapsed, outcome

    def engine(new_text: str) -> float:
        began = time.perf_counter()
        reanchor(old_text=text, new_text=new_text, anchors=anchors)
        return time.perf_counter() - began

    def split_paragraph() -> dict:
        """The editor's save: the paragraph keeps its first half, a new block takes the rest."""
        paragraph.text = first_half
        paragraph.save(update_fields=["text"])
        new_block = Block.objects.create(story=story, position=1, text=second_half)
        return {
            "story": story,
            "changes": [TextChange(block=paragraph, old_text=text)],
            "created_blocks": [new_block],
        }

    print(
        f"{notes:,} notes on one paragraph of {len(text):,} characters; "
        f"{connection.vendor}; {runs} runs, median (fastest) in ms\n"
    )
    row = "{:<40} {:>7} {:>8} {:>14} {:>14}"
    header = row.format("edit", "changed", "orphaned", "engine", "service")
    print(header)
    print("-" * len(header))

    def ms(times: list[float]) -> str:
        return f"{statistics.median(times) * 1000:.0f} ({min(times) * 1000:.0f})"

    for name, new_text in edits.items():
        results = [
            timed(
                reanchor_paragraph,
                lambda t=new_text: {"paragraph": paragraph, "old_text": text, "new_text": t},
            )
            for _ in range(runs)
        ]
        updated, orphaned = results[0][1]
        engine_times = [engine(new_text) for _ in range(runs)]
        service_times = [elapsed for elapsed, _ in results]
        print(row.format(name, len(updated), len(orphaned), ms(engine_times), ms(service_times)))
    results = [timed(reanchor_story_edit, split_paragraph) for _ in range(runs)]
    outcome = results[0][1]
    changed = len(outcome.reanchored) + len(outcome.moved)
    name = "split in two (reanchor_story_edit)"
    service_times = [elapsed for elapsed, _ in results]
    print(row.format(name, changed, len(outcome.orphaned), "", ms(service_times)))


if __name__ == "__main__":
    main()
