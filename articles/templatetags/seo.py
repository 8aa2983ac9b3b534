"""Template filters for a page's machine-readable metadata."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.text.markup import script_safe_json

register = template.Library()


@register.filter
def json_ld(data: dict) -> SafeString:
    """`data` as a `<script type="application/ld+json">` element, safe for any text it holds."""
    text = script_safe_json(data, ensure_ascii=False)
    # S308: the JSON holds no "<", ">" or "&" (`script_safe_json`), so it is markup-inert.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
