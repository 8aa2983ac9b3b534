"""Merging a tag of 42,000 stories into another, in the 100,000-story corpus.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_corpus \\
        .venv/bin/python bench/tag_merge.py [--stories 100000] [--source 42000] [--runs 3]

The database `DATABASE_URL` names keeps its corpus between runs: when it holds fewer generated
stories than `--stories`, the corpus is generated first (without related lists: minutes).
Each run tags `--source` stories with a fresh tag and 10,000 stories (a quarter of them also
among the source's) with another, then times `merge_tags` of the first into the second: the
merge's transaction (taggings moved, versions bumped, synonym, redirect and history written,
until committed). The moved stories' search text is re-indexed afterwards by the task queue's
worker (a task per 200 stories, queued on commit: the tasks stay queued in that database); what
re-indexing 500 of them costs is timed as well. The run's tags are deleted afterwards.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Stories whose re-indexing is timed after each merge.
REINDEX_TIMED = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--source", type=int, default=42_000, help="stories on the merged tag")
    parser.add_argument("--target", type=int, default=10_000, help="stories on the kept tag")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from articles.data.corpus import generate_corpus
    from articles.editing.tagging import merge_tags
    from articles.models import Story, Tag, TaggedStory, TagRedirect, TagSynonym
    from articles.search.index import index_stories

    call_command("migrate", verbosity=0)
    have = Story.objects.count()
    if have < args.stories:
        print(f"Generating {args.stories - have:,} stories (minutes) …", flush=True)
        generate_corpus(stories=args.stories - have, related=0)
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    print(f"{connection.vendor}: {len(ids):,} stories, {Tag.objects.count():,} tags", flush=True)

    merge_times, reindex_times = [], []
    for run in range(args.runs):
        source = Tag.objects.create(name=f"Bench merged {run}", slug=f"bench-merged-{run}")
        target = Tag.objects.create(name=f"Bench kept {run}", slug=f"bench-kept-{run}")
        # Every 100/42th story for the source; the target's stories overlap a quarter of them.
        step = len(ids) / args.source
        source_ids = [ids[int(i * step)] for i in range(args.source)]
        target_ids = source_ids[: args.target // 4] + ids[-(args.target - args.target // 4) :]
        TaggedStory.objects.bulk_create(
            [TaggedStory(tag=source, content_object_id=pk) for pk in source_ids], batch_size=5000
        )
        TaggedStory.objects.bulk_create(
            [TaggedStory(tag=target, content_object_id=pk) for pk in set(target_ids)],
            batch_size=5000,
            ignore_conflicts=True,
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE articles_taggedstory")

        committed = {}
        began = time.perf_counter()
        with transaction.atomic():
            # Marks the moment the merge has committed.
            transaction.on_commit(lambda marks=committed: marks.update(at=time.perf_counter()))
            moved = merge_tags(sources=[source], target=target, user=None)
        merge_times.append(committed["at"] - began)
        began = time.perf_counter()
        index_stories(story_ids=source_ids[:REINDEX_TIMED])
        reindex_times.append(time.perf_counter() - began)
        left = TaggedStory.objects.filter(tag=target).count()
        print(
            f"run {run + 1}: {moved:,} stories moved ({left:,} now on the kept tag): "
            f"merge {merge_times[-1]:.2f} s; re-indexing {REINDEX_TIMED:,} "
            f"stories {reindex_times[-1]:.2f} s",
            flush=True,
        )
        TaggedStory.objects.filter(tag=target).delete()
        TagSynonym.objects.filter(tag=target).delete()
        TagRedirect.objects.filter(tag=target).delete()
        target.delete()

    print(
        f"median of {args.runs}: merge {statistics.median(merge_times):.2f} s "
        f"(fastest {min(merge_times):.2f}), re-indexing {REINDEX_TIMED:,} stories "
        f"{statistics.median(reindex_times):.2f} s "
        f"(fastest {min(reindex_times):.2f})"
    )


if __name__ == "__main__":
    main()
