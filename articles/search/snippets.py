"""Highlighted extracts, built safely from what the search engines return.

Engines are asked to wrap matching words in random alphanumeric sentinels rather than HTML; the
whole extract is then escaped, and only the sentinels become `<mark>` and `</mark>`. Whatever a
paragraph holds (`<script>`, entities, text that looks like a sentinel) is shown as text.
"""

import secrets
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Snippet:
    """A story's best matching block (`key`) and its extract with sentinels around matches."""

    key: str
    raw: str


@dataclass(frozen=True)
class Sentinels:
    start: str
    stop: str

    @classmethod
    def fresh(cls) -> "Sentinels":
        """New for every search, so no stored text can guess them."""
        token = secrets.token_hex(8)
        return cls(start=f"hlstart{token}", stop=f"hlstop{token}")

    def to_html(self, raw: str) -> SafeString:
        html = escape(raw).replace(self.start, "<mark>").replace(self.stop, "</mark>")
        return mark_safe(html)  # noqa: S308 - escaped above; only our sentinels became tags
