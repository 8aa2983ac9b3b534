"""Template tags for reader pages."""

from django import template
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.pages.dates import local_time
from articles.pages.images import card_image_html, lead_image_html
from articles.pages.selectors import nav_sections
from articles.text.markup import safe_http_url, sanitize_html, xml_text

register = template.Library()


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context):
    """The site's sections, for the header navigation: one query per content state."""
    section = context.get("section")
    return {
        "sections": nav_sections(context.get("request")),
        "current": getattr(section, "slug", None),
    }


@register.inclusion_tag("includes/feed_links.html", takes_context=True)
def feed_links(context, listing):
    """The `<link rel="alternate">` pair for the RSS and Atom feeds of a section, tag or author."""
    name = listing._meta.model_name
    return {
        "title": f"{context['site_name']}: {listing.name}",
        "rss_url": reverse(f"articles:{name}-feed-rss", args=[listing.slug]),
        "atom_url": reverse(f"articles:{name}-feed-atom", args=[listing.slug]),
    }


@register.simple_tag
def byline_links(bylines) -> str:
    """ "by A", "by A and B", "by A, B and C", each name linking to the author's page."""
    links = [
        format_html('<a href="{}" rel="author">{}</a>', b.author.get_absolute_url(), b.author.name)
        for b in bylines
    ]
    if not links:
        return ""
    names = links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]
    return format_html('<p class="byline">by {}</p>', mark_safe(names))  # noqa: S308 - format_html above


@register.simple_tag
def related_stories(entries) -> str:
    """A story's "Related stories" list (`RelatedStory` entries with their stories and
    sections), or nothing when it has none.

    Built here rather than by a template loop: 0.32 ms against 0.21 ms of CPU time for the seed
    story's five entries (bench database, best of five rounds of 300).
    """
    if not entries:
        return ""
    items = []
    for entry in entries:
        story = entry.related
        # The story's time in the site's zone once, for both its forms.
        published = local_time(story.published_at)
        items.append(
            format_html(
                '<li class="related-story">\n<a class="related-story__headline" href="{}">{}</a>\n'
                '<p class="related-story__meta"><a href="{}">{}</a>'
                '<span aria-hidden="true"> · </span><time datetime="{}">{}</time></p>\n</li>',
                story.get_absolute_url(),
                story.headline,
                story.section.get_absolute_url(),
                story.section.name,
                published.replace(microsecond=0).isoformat() if published else "",
                format_date(published, "M j Y") if published else "",
            )
        )
    return format_html(
        '<section class="related-stories" aria-labelledby="related-stories-heading">\n'
        '<h2 id="related-stories-heading">Related stories</h2>\n'
        '<ul class="related-stories__list">\n{}\n</ul>\n</section>',
        mark_safe("\n".join(items)),  # noqa: S308 - each item is format_html's
    )


@register.simple_tag
def story_card(story, snippet: str = "", snippet_url: str = "", lead: bool = False) -> str:
    """One story in a list (front, section, tag, author, archive) or in search results, with
    its best matching extract there.

    Built here rather than included per story: a list page showed twenty cards through forty
    template includes, a third of its rendering time. Every value is escaped by format_html.
    """
    image = card_image_html(story, lead=lead)
    extract = ""
    if snippet:
        extract = format_html(
            '<p class="search-hit__snippet"><a href="{}">{}</a></p>', snippet_url, snippet
        )
    dek = format_html('<p class="story-card__dek">{}</p>', story.dek) if story.dek else ""
    return format_html(
        '<article class="story-card{}">{}<div class="story-card__text">'
        '<p class="kicker"><a href="{}">{}</a></p>'
        '<h2 class="story-card__headline"><a href="{}">{}</a></h2>'
        "{}{}{}"
        '<p class="dateline"><time datetime="{}">{}</time></p>'
        "</div></article>",
        " search-hit" if snippet else (" story-card--lead" if lead else ""),
        image,
        story.section.get_absolute_url(),
        story.section.name,
        story.get_absolute_url(),
        story.headline,
        extract,
        dek,
        byline_links(story.card_bylines),
        iso_datetime(story.published_at),
        dateline(story.published_at),
    )


@register.simple_tag
def lead_image(story) -> str:
    """A story's lead image with its renditions (loaded by `prefetch_story_page`)."""
    return lead_image_html(story, getattr(story, "lead_renditions", []))


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
    local = local_time(value)
    if local is None:
        return ""
    hour = local.hour % 12 or 12
    meridiem = "am" if local.hour < 12 else "pm"
    return f"{local:%b} {local.day} {local.year}, {hour}:{local.minute:02d}{meridiem}"


@register.filter
def iso_datetime(value) -> str:
    """A machine-readable time for `<time datetime>`: local ISO 8601, whole seconds."""
    local = local_time(value)
    return local.replace(microsecond=0).isoformat() if local else ""


@register.filter(expects_localtime=False)
def local_date(value, format_string: str) -> str:
    """Django's `date` filter, but a time that has no place in the site's zone shows as ""."""
    local = local_time(value)
    return format_date(local, format_string) if local else ""
