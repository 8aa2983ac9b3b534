"""Tag slugs for any name: Latin, right-to-left scripts, CJK, emoji or punctuation alone.

taggit keeps a name's Unicode letters and digits ("مرحبا", "北京"), but a name with none ("🙂",
"!!!") came out as an empty slug, which no URL can hold: every page linking the tag failed.
Such a name gets the slug "tag" (then "tag-1", "tag-2", ... when taken), and every slug is cut
to fit its column with room for that number. A slug, once given, never changes with time.
Names themselves lose the characters nobody can see (`visible_name`) before they reach a tag.
"""

import re

from django.utils.text import slugify

FALLBACK = "tag"
# Characters that are there without being seen: zero-width spaces and marks, direction overrides
# and isolates, the byte-order mark. In a tag's name they make two tags look alike, or turn the
# name round on the page. (The zero-width joiner and non-joiner stay: emoji sequences and Persian
# words need them.)
INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
USABLE_SLUG = re.compile(r"[-\w]+")


def tag_slug(name: str, *, number: int | None = None, max_length: int = 100) -> str:
    """The slug for a tag called `name`; the `number`th alternative when that one is taken."""
    suffix = "" if number is None else f"-{number}"
    # Lower-casing can lengthen a name ("İ" becomes two characters), hence the cut.
    base = slugify(name, allow_unicode=True)[: max_length - len(suffix)].strip("-_")
    return f"{base or FALLBACK}{suffix}"


def visible_name(name: str) -> str:
    """A tag's name as typed, without invisible characters and with its spaces folded."""
    return " ".join(INVISIBLE.sub("", name).split())


def visible_names(names) -> list[str]:
    """Tag names as `visible_name` has them, each once, the empty ones dropped."""
    return list(dict.fromkeys(name for name in map(visible_name, names) if name))


def is_usable(slug: str) -> bool:
    """Whether `slug` can stand in a tag's URL: letters, digits, `-` and `_`, at least one."""
    return bool(USABLE_SLUG.fullmatch(slug))
