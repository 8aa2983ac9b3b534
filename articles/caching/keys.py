"""Surrogate keys: the names of the content a reader page is built from.

A page carries the keys of everything it shows (`Surrogate-Key` header); a write purges the keys
of what it changed (`invalidation.content_changed`). Keys are short strings, one vocabulary for
both sides.
"""

FRONT = "front"
SECTION_MENU = "sections"
CORRECTIONS = "corrections"
# The newsroom's policy pages (publishing principles, corrections policy).
POLICIES = "policies"


def story(pk: int) -> str:
    """Every page that shows or links the story: its own page, lists, related lists, asides."""
    return f"story:{pk}"


def section(pk: int) -> str:
    return f"section:{pk}"


def tag(pk: int) -> str:
    return f"tag:{pk}"


def author(pk: int) -> str:
    return f"author:{pk}"
