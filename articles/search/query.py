"""Turning what a reader typed into search terms that both engines run safely.

Readers may type web-search syntax: `"quoted phrases"`, `-excluded` words or phrases, and `OR`
between alternatives; everything else is a plain word, and every word is required. The text is
cleaned first (control characters such as NUL removed, whitespace collapsed, cut to
`MAX_QUERY_LENGTH` characters) and parsed into `SearchTerms` made only of words (runs of letters
and digits), which then render as a PostgreSQL websearch string or an FTS5 MATCH expression with
every word quoted. So no input, however hostile, reaches either database as syntax it could
reject.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
MAX_WORDS = 32

# Letters and digits, as both engines' tokenizers see words (an underscore separates).
WORD_RE = re.compile(r"[^\W_]+")
# A quoted phrase (perhaps excluded, `-"…"`), or any other run of non-space characters.
TOKEN_RE = re.compile(r'(?P<negated>-?)"(?P<phrase>[^"]*)"|(?P<bare>\S+)')

Phrase = tuple[str, ...]


def printable(value: str) -> str:
    """`value` without control characters such as NUL (which PostgreSQL rejects in text)."""
    return "".join(char for char in value if char.isspace() or unicodedata.category(char) != "Cc")


def clean_query_text(value: str) -> str:
    """The query as it is searched for and echoed: printable, single-spaced, not too long."""
    head = value[: MAX_QUERY_LENGTH * 4]  # Enough to fill the limit after collapsing spaces.
    text = unicodedata.normalize("NFC", printable(head))  # "é" typed as e + accent is one letter.
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class SearchTerms:
    """A parsed query: every group in `required` must match, each group by any one of its
    phrases; no phrase in `excluded` may. A phrase is one or more words in sequence."""

    required: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()

    def __bool__(self) -> bool:
        """Only a query with something to find is run; `-word` alone would match everything."""
        return bool(self.required)

    def websearch(self) -> str:
        """The query for PostgreSQL's `websearch_to_tsquery`."""
        groups = [" OR ".join(_quoted(phrase) for phrase in group) for group in self.required]
        return " ".join(groups + [f"-{_quoted(phrase)}" for phrase in self.excluded])

    def websearch_any(self) -> str:
        """Any one of the wanted phrases, for finding and highlighting the best paragraph."""
        return " OR ".join(_quoted(phrase) for phrase in self.phrases)

    def fts5(self) -> str:
        """The query as an SQLite FTS5 MATCH expression."""
        groups = " AND ".join(
            "(" + " OR ".join(_quoted(phrase) for phrase in group) + ")" for group in self.required
        )
        if not self.excluded:
            return groups
        return f"({groups}) NOT ({' OR '.join(_quoted(phrase) for phrase in self.excluded)})"

    def fts5_any(self) -> str:
        """Any one of the wanted phrases, as an FTS5 MATCH expression."""
        return " OR ".join(_quoted(phrase) for phrase in self.phrases)

    @property
    def phrases(self) -> list[Phrase]:
        return [phrase for group in self.required for phrase in group]


def _quoted(phrase: Phrase) -> str:
    # Words hold no quotes (they match \w+); doubling is FTS5's escape, should that ever change.
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def parse_query(text: str) -> SearchTerms:
    """Parse cleaned query text (see `clean_query_text`) into terms; at most MAX_WORDS words.

    `OR` (any case, as PostgreSQL's websearch reads it) joins the phrases either side of it.
    A token that is not a word, such as `foo:bar` or `U.S.`, becomes the phrase of its words;
    one with no words at all (`*`, `(`, `""`) is dropped.
    """
    required: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    budget = MAX_WORDS
    join_with_previous = False
    for token in TOKEN_RE.finditer(clean_query_text(text)):
        negated, raw = bool(token["negated"]), token["phrase"]
        if raw is None:
            raw = token["bare"]
            if raw.lower() == "or":
                join_with_previous = bool(required)
                continue
            if raw.startswith("-"):
                negated, raw = True, raw[1:]
        words = tuple(WORD_RE.findall(raw))[:budget]
        if not words:
            continue
        budget -= len(words)
        if negated:
            excluded.append(words)
        elif join_with_previous:
            required[-1].append(words)
        else:
            required.append([words])
        join_with_previous = False
        if budget <= 0:
            break
    return SearchTerms(required=tuple(tuple(group) for group in required), excluded=tuple(excluded))
