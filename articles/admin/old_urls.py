"""The admin's addresses from before migration 0023, answered with a redirect to today's.

Until then the story and note admins lived at /admin/articles/article/... and
/admin/articles/annotation/... (their model names). Links to them are in e-mails and
notifications already sent and in editors' bookmarks, so every address under those two
(a change form, the annotate screen, the import pages, a list with its filters) answers with a
permanent redirect to the same address under /admin/articles/story/ or /admin/articles/note/.
The redirect asks nothing of the database and needs no sign-in: the page it leads to asks.
"""

from django.http import HttpResponsePermanentRedirect
from django.urls import re_path

OLD_MODEL_NAMES = {"article": "story", "annotation": "note"}


def old_admin_address(request, old: str):
    """The same address under the model's new name, query string and all."""
    old_prefix = f"/articles/{old}"
    path = request.get_full_path()
    # The pattern matched this request's path, which holds the old prefix once.
    start = path.index(old_prefix)
    new_path = path[:start] + f"/articles/{OLD_MODEL_NAMES[old]}" + path[start + len(old_prefix) :]
    return HttpResponsePermanentRedirect(new_path)


# Spliced into the root URLs before the admin's own, under the same "admin/" prefix.
urlpatterns = [
    re_path(
        r"^articles/(?P<old>article|annotation)(?:/.*)?$",
        old_admin_address,
        name="old-admin-address",
    ),
]
