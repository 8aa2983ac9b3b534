"""Template filters for a page's machine-readable metadata."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The same escapes as Django's `json_script`: with no "<", ">" or "&" left in the JSON, nothing
# in a headline can close the script element or open a comment inside it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: dict) -> SafeString:
    """`data` as a `<script type="application/ld+json">` element, safe for any text it holds."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        JSON_SCRIPT_ESCAPES
    )
    # S308: the JSON holds no "<", ">" or "&" after the escapes above, so it is markup-inert.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
