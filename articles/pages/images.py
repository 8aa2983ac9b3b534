"""Lead images for every screen: WebP renditions made with Pillow, and the `<img>` that offers
them (`srcset`, `sizes`, and the width and height that keep the page from shifting).

Renditions are made from the image file a story shows (`Story.lead_image_file`): an editor's
upload, or the newsroom's copy of the image at the story's address (`articles.ingest.images`).
An address with no copy yet is shown as it is, in a box of fixed proportions. Making them reads
and writes files, so it is not done while a reader or an editor waits: an upload in the admin
queues `make_lead_image_renditions` for the task worker (`articles.editing.tasks`), and so does a
copy once it is kept; the worker purges the story's pages once they exist; until then a page
shows the original. `manage.py make_image_renditions` back-fills stories uploaded before.
"""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from PIL import Image, ImageOps

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import LeadImageRendition, Story

WIDTHS = (480, 800, 1200, 1600)
WEBP_QUALITY = 80
# The column a lead image fills: the whole phone, the story's measure beyond it.
SIZES = "(min-width: 46rem) 38rem, 100vw"
# A card's image: one column of three, two, or the whole phone; the lead card's, three fifths.
CARD_SIZES = "(min-width: 64rem) 24rem, (min-width: 40rem) 45vw, 100vw"
LEAD_CARD_SIZES = "(min-width: 80rem) 46rem, (min-width: 40rem) 58vw, 100vw"
# The lead card's image is the page's largest paint: the browser fetches it before the others.
FETCH_FIRST = mark_safe(' fetchpriority="high"')  # noqa: S308 - a constant


@dataclass(frozen=True)
class Source:
    url: str
    width: int
    height: int


def make_lead_image_renditions(*, story: Story) -> list[LeadImageRendition]:
    """WebP copies of the story's lead image file (its upload, else its kept copy) at each of
    `WIDTHS` it is wider than (and one at its own width), replacing those of an earlier file."""
    shown = story.lead_image_file
    if not shown:
        LeadImageRendition.objects.filter(story=story).delete()
        return []
    name = shown.name
    with shown.open("rb") as upload, Image.open(upload) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    widths = sorted({w for w in WIDTHS if w < image.width} | {min(image.width, WIDTHS[-1])})
    made = []
    with transaction.atomic():
        LeadImageRendition.objects.filter(story=story).delete()
        for width in widths:
            height = round(image.height * width / image.width)
            buffer = io.BytesIO()
            image.resize((width, height), Image.Resampling.LANCZOS).save(
                buffer, "WEBP", quality=WEBP_QUALITY
            )
            rendition = LeadImageRendition(
                story=story, source_name=name, width=width, height=height
            )
            stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            rendition.image.save(f"{stem}-{width}.webp", ContentFile(buffer.getvalue()), save=False)
            rendition.save()
            made.append(rendition)
        content_changed([keys.story(story.pk)])
    return made


def current_renditions(story: Story) -> list[LeadImageRendition]:
    """The renditions of the story's current image file, narrowest first (1 query, none without
    a file)."""
    shown = story.lead_image_file
    if not shown:
        return []
    return list(LeadImageRendition.objects.filter(story=story, source_name=shown.name))


def lead_image_html(story: Story, renditions: list[LeadImageRendition], *, lazy=False) -> str:
    """The lead image's `<img>`: renditions in `srcset` when there are some, with the widest
    one's width and height; an image by address keeps a fixed ratio (`lead-image__fixed`)."""
    src = story.image_src
    if not src:
        return ""
    loading = "lazy" if lazy else "eager"
    if renditions:
        widest = renditions[-1]
        srcset = ", ".join(f"{r.image.url} {r.width}w" for r in renditions)
        return format_html(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}"'
            ' decoding="async">',
            widest.image.url,
            srcset,
            SIZES,
            widest.width,
            widest.height,
            story.image_alt,
            loading,
        )
    return format_html(
        '<img class="lead-image__fixed" src="{}" width="1200" height="800" alt="{}"'
        ' loading="{}" decoding="async">',
        src,
        story.image_alt,
        loading,
    )


def card_image_html(story: Story, *, lead: bool) -> str:
    """A story card's image: its renditions (prefetched by `story_cards`) in `srcset`, the
    lead card's loaded at once and the others lazily."""
    src = story.image_src
    if not src:
        return ""
    renditions = []
    shown = story.lead_image_file
    if shown:
        renditions = [r for r in story.card_renditions if r.source_name == shown.name]
    loading = "eager" if lead else "lazy"
    if renditions:
        widest = renditions[-1]
        return format_html(
            '<img class="story-card__image" src="{}" srcset="{}" sizes="{}" width="{}"'
            ' height="{}" alt="{}" loading="{}"{}>',
            widest.image.url,
            ", ".join(f"{r.image.url} {r.width}w" for r in renditions),
            LEAD_CARD_SIZES if lead else CARD_SIZES,
            widest.width,
            widest.height,
            story.image_alt,
            loading,
            FETCH_FIRST if lead else "",
        )
    return format_html(
        '<img class="story-card__image" src="{}" alt="{}" loading="{}" width="{}" height="{}">',
        src,
        story.image_alt,
        loading,
        960 if lead else 320,
        540 if lead else 180,
    )
