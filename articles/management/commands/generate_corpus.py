"""`manage.py generate_corpus --stories 100000 [--seed N] [--batch 2000]`: a synthetic archive."""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.data.corpus import generate_corpus


class Command(BaseCommand):
    help = (
        "Add a realistic synthetic corpus of stories (authors, sections, long-tailed tags, "
        "8-40 paragraphs with asides, notes, 15 years of dates), then fill the search "
        "index and the related stories in bulk. The same --seed writes the same stories."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stories", type=int, required=True, help="How many stories.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch", type=int, default=2000, help="Stories per transaction (default 2000)."
        )
        parser.add_argument(
            "--related",
            default="all",
            metavar="all|none|N",
            help=(
                "Whose related lists to compute: every new story (default), none, or the N "
                "newest published ones (about 80 ms a story; `recompute_related --all` does "
                "the rest later)."
            ),
        )

    def handle(self, *args, stories, seed, batch, related, verbosity, **options):
        if related not in {"all", "none"} and not related.isdigit():
            raise CommandError("--related takes all, none or a number of stories.")
        if stories < 1:
            raise CommandError("--stories must be at least 1.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        began = time.perf_counter()
        report = generate_corpus(
            stories=stories,
            seed=seed,
            batch_size=batch,
            related={"all": None, "none": 0}.get(related)
            if not related.isdigit()
            else int(related),
            progress=self.stdout.write if verbosity > 1 else None,
        )
        timings = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in report.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {report.stories:,} stories ({report.published:,} published), "
                f"{report.authors:,} authors, {report.tags:,} tags, {report.taggings:,} taggings, "
                f"{report.blocks:,} body blocks, {report.notes:,} notes "
                f"in {time.perf_counter() - began:.1f} s ({timings})."
            )
        )
