"""Following stories as their publishers change them, the way NewsDiffs does.

`follow_stories(urls=…)` fetches each address and imports what it finds: a page the publisher
has not touched changes nothing; a changed one updates the story in place, keeps the notes on
their words (or lists them as orphaned) and adds a dated version of the text, which the
story's Changes page shows.

It is one round, a plain function: `manage.py import_stories --url … --every 1h` calls it in a
loop, and a scheduler can call it instead. With cron:

    0 * * * *  cd /srv/newsroom && .venv/bin/python manage.py import_stories \
                   --url https://example.org/a-story/ --url https://example.org/feed/

or, from the admin, a followed source (*Followed sources*), which the task worker checks on its
schedule through this function (`articles.ingest.sources`).
"""

from articles.ingest.fetching import Fetcher, FetchPolicy
from articles.ingest.importing import Outcome, import_url


def follow_stories(
    *,
    urls: list[str],
    policy: FetchPolicy | None = None,
    fetcher: Fetcher | None = None,
    fetch_pages: bool = False,
    replace: bool = False,
    user=None,
    new_as_drafts: bool = False,
) -> list[Outcome]:
    """Fetch and import every address once; one outcome per story found. `fetch_pages` reads
    a feed's summary-only entries from their pages.

    An address that fails (unreachable, refused, not a story) is reported and the others
    are still followed.
    """
    fetcher = fetcher or Fetcher(policy)
    outcomes: list[Outcome] = []
    for url in urls:
        outcomes.extend(
            import_url(
                url,
                fetcher=fetcher,
                fetch_pages=fetch_pages,
                replace=replace,
                user=user,
                new_as_drafts=new_as_drafts,
            )
        )
    return outcomes
