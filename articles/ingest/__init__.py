"""Stories in from the outside world: story pages, feeds, WordPress exports, wire JSON.

One importer, many formats. Each format module reads a document into `IngestedStory`s
(`story.py`), the one shape every format shares; `saving.save_ingested_story` creates or updates
the story it names, by identity (its canonical URL, feed GUID or ninjs `uri`), in one transaction,
with the same block matching, note re-anchoring and text history as an edit in the admin.

- `documents.py`: what a file or a fetched body is (sniffing the format, decoding its charset,
  the size limit) and which format reads it: `read_document`.
- `formats/`: `page` (a story page: its JSON-LD and meta tags first, trafilatura for the
  body), `feed` (RSS and Atom, feedparser), `wxr` (WordPress exports), `ninjs` (IPTC wire JSON),
  and `fragments` (a body given as HTML, shared by the last three).
- `fetching.py`: getting a page over the network, safely (timeouts, size cap, redirects,
  private addresses refused, robots.txt).
- `importing.py`: the entry points the command, the admin Import page and the follower call.
- `following.py`: `follow_stories`, re-importing a list of addresses every so often.
- `blocks.py`, `rows.py`: saving a body over a story's blocks; sections, authors and slugs.

The newsroom's own plain-text layout keeps its importer (`articles.data.plaintext`), which
shares `blocks.py` and `rows.py`.
"""
