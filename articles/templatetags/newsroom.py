"""Template tags for reader pages."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from articles.selectors import nav_sections
from articles.text import safe_http_url, sanitize_html, xml_text

register = template.Library()


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context):
    """The site's sections, for the header navigation: one query per content state."""
    section = context.get("section")
    return {
        "sections": nav_sections(context.get("request")),
        "current": getattr(section, "slug", None),
    }


@register.filter
def clean_html(value: str) -> str:
    """Sanitise stored HTML again at render time, so rows written around `save()` stay safe."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - nh3 output is safe by construction


@register.filter
def safe_url(value: str) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:) becomes "#"."""
    return safe_http_url(value) or "#"


@register.filter(name="xml_text")
def xml_text_filter(value: str) -> str:
    """Text an XML document may hold (sitemaps): no control characters (see `xml_text`)."""
    return xml_text(str(value))


@register.filter
def dateline(value) -> str:
    """Format a time the way the newsroom's datelines read: "Jun 20 2014, 7:41pm"."""
    if not value:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    meridiem = "am" if local.hour < 12 else "pm"
    return f"{local:%b} {local.day} {local.year}, {hour}:{local.minute:02d}{meridiem}"


@register.filter
def iso_datetime(value) -> str:
    """A machine-readable time for `<time datetime>`: local ISO 8601, whole seconds."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
