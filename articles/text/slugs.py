"""Tag slugs for any name: Latin, right-to-left scripts, CJK, emoji or punctuation alone.

taggit keeps a name's Unicode letters and digits ("مرحبا", "北京"), but a name with none ("🙂",
"!!!") came out as an empty slug, which no URL can hold: every page linking the tag failed.
Such a name gets the slug "tag" (then "tag-1", "tag-2", ... when taken), and every slug is cut
to fit its column with room for that number. A slug, once given, never changes with time.
"""

import re

from django.utils.text import slugify

FALLBACK = "tag"
USABLE_SLUG = re.compile(r"[-\w]+")


def tag_slug(name: str, *, number: int | None = None, max_length: int = 100) -> str:
    """The slug for a tag called `name`; the `number`th alternative when that one is taken."""
    suffix = "" if number is None else f"-{number}"
    # Lower-casing can lengthen a name ("İ" becomes two characters), hence the cut.
    base = slugify(name, allow_unicode=True)[: max_length - len(suffix)].strip("-_")
    return f"{base or FALLBACK}{suffix}"


def is_usable(slug: str) -> bool:
    """Whether `slug` can stand in a tag's URL: letters, digits, `-` and `_`, at least one."""
    return bool(USABLE_SLUG.fullmatch(slug))
