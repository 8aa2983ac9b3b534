"""The editors' admin, one module per idea.

- `stories`: the story desk: articles with bylines, body blocks and old addresses; publishing.
- `tagging`: tags, and the bulk "add/remove tags" actions on stories.
- `asides`: the read-more asides that still need a link.
- `authors`, `sections`: who writes, and where stories are filed.
- `annotations`: the annotations list (the annotate screen is its own issue).
- `record`: classifying changes of stories' text; the newsroom's policy pages.
"""

from articles.admin import annotations, asides, authors, record, sections, stories, tagging

__all__ = ["annotations", "asides", "authors", "record", "sections", "stories", "tagging"]
