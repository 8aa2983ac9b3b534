"""The editors' admin, one module per idea.

- `stories`: the story desk: stories with bylines, body blocks and old addresses; publishing.
- `tagging`: tag management, and the bulk "add/remove tags" actions on stories.
- `asides`: the read-more asides that still need a link.
- `authors`, `sections`: who writes, and where stories are filed.
- `notes`: the notes list (the annotate screen is its own issue).
- `notifications`: each editor's inbox; webhook deliveries for administrators.
- `dashboard`: the desk dashboard on the index: what needs an editor now.
- `record`: classifying changes of stories' text; the newsroom's policy pages.
- `sources`: the feeds and story pages the task worker follows on a schedule.
"""

from django.conf import settings
from django.contrib import admin

from articles.admin import (
    asides,
    authors,
    dashboard,
    notes,
    notifications,
    record,
    sections,
    sources,
    stories,
    tagging,
)

# The newsroom's name in the header and the window title, not "Django administration".
admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} newsroom"
admin.site.site_title = f"{settings.NEWSROOM_SITE_NAME} newsroom"
admin.site.index_title = "Desk"
admin.site.index_template = "admin/newsroom/index.html"

__all__ = [
    "notes",
    "asides",
    "authors",
    "dashboard",
    "notifications",
    "record",
    "sources",
    "sections",
    "stories",
    "tagging",
]
