"""Surrogate keys: the names of the content a reader page is built from.

A page carries the keys of everything it shows (`Surrogate-Key` header); a write purges the keys
of what it changed (`invalidation.content_changed`). Keys are short strings, one vocabulary for
both sides:

- `story:<pk>`: every page that shows or links the story: its own page, the lists and feeds
  whose cards show it, related lists, asides, its note documents;
- `story-page:<pk>`: the story's own page and its note documents only, for what nothing
  else shows (its body, notes, asides, related list);
- `section:<pk>`, `tag:<pk>`, `author:<pk>`: every page that shows the section's, tag's or
  author's name, description or profile (its own pages, and every story page and card that
  names it);
- `section-list:<pk>`, `tag-list:<pk>`, `author-list:<pk>`: the list of its stories (its page,
  its feeds): a story that joins or leaves the list purges it, and no page that merely names
  the section;
- `front`: the list of every public story (the front page, the archives, the site's feeds);
- `sections`: the section menu in every page's header;
- `corrections`: the reader's list of corrections.

Pages that show something of *every* story, tag or author (search results, sitemaps) carry
`stories`, `tags` or `authors`; writers never name those: `expand` adds them to any purge that
names a story, a tag or an author.
"""

from collections.abc import Iterable

FRONT = "front"
SECTION_MENU = "sections"
CORRECTIONS = "corrections"
# Derived by `expand`: pages that may change with any story, tag or author.
EVERY_STORY = "stories"
EVERY_TAG = "tags"
EVERY_AUTHOR = "authors"
# The newsroom's policy pages (publishing principles, corrections policy).
POLICIES = "policies"


def story(pk: int) -> str:
    """Every page that shows or links the story: its own page, lists, related lists, asides."""
    return f"story:{pk}"


def story_page(pk: int) -> str:
    """The story's own page and its note documents: its body, notes, asides, related
    list (a narrower purge than `story`, which reaches every list showing its card)."""
    return f"story-page:{pk}"


def section(pk: int) -> str:
    return f"section:{pk}"


def section_list(pk: int) -> str:
    return f"section-list:{pk}"


def tag_list(pk: int) -> str:
    return f"tag-list:{pk}"


def author_list(pk: int) -> str:
    return f"author-list:{pk}"


def tag(pk: int) -> str:
    return f"tag:{pk}"


def author(pk: int) -> str:
    return f"author:{pk}"


_EVERY = {"story": EVERY_STORY, "tag": EVERY_TAG, "author": EVERY_AUTHOR}


def expand(keys: Iterable[str]) -> set[str]:
    """`keys` and the keys of the pages that show every story, tag or author they name."""
    keys = set(keys)
    kinds = {key.partition(":")[0] for key in keys}
    return keys | {every for kind, every in _EVERY.items() if kind in kinds}
