"""Tag names as editors type and read them: comma-separated, nothing else to learn.

"Latin America, Peru" is two tags, "Latin America" and "Peru": only commas separate tags, a name
with spaces is one tag, and quotes are never needed (nor shown). A tag's name therefore cannot
hold a comma; the tag forms refuse one. taggit reads and writes the story form's tags field with
these two functions (`TAGGIT_TAGS_FROM_STRING`, `TAGGIT_STRING_FROM_TAGS` in the settings), and
the bulk tag actions parse with the first.

`duplicate_key` is what makes two names near-duplicates (case, accents, a plural "s").
"""

import re
import unicodedata

from articles.text.slugs import visible_name

SEPARATOR = ","
NON_WORD = re.compile(r"[\W_]+")


def split_tag_names(text: str) -> list[str]:
    """The tag names in `text` in the order typed, each once (whatever its case)."""
    names: dict[str, str] = {}
    for part in (text or "").split(SEPARATOR):
        name = visible_name(part)
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def parse_tag_names(text: str) -> list[str]:
    """The tag names in `text` as taggit expects them: sorted (it compares them so)."""
    return sorted(split_tag_names(text))


def format_tag_names(tags) -> str:
    """Tags (or names) as the tags field shows them: "Drug war, Latin America, Peru"."""
    names = [getattr(tag, "name", tag) for tag in tags]
    return f"{SEPARATOR} ".join(sorted(names, key=str.casefold))


def singular(word: str) -> str:
    """An English plural's likely singular, enough to pair "Protests" with "Protest"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def duplicate_key(name: str) -> str:
    """What two near-duplicate names share: no case, no accents, singular words."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(singular(word) for word in NON_WORD.sub(" ", bare).split())
