"""The newsroom's own copy of a lead image given by address.

An imported story names its publisher's image (`Story.lead_image_url`), and an editor may give
one by address in the admin. Shown from there, the image leaves with the publisher (a changed or
removed file, a site that stops answering), and every reader's browser asks the publisher's
server for it. So the task worker fetches it once, with the importer's `Fetcher` and its limits
(http(s) only, no private addresses, robots.txt, a size cap, timeouts), checks that it is a
JPEG, PNG, GIF or WebP image of sane dimensions that Pillow decodes whole, and keeps it as
`Story.lead_image_copy`, noting the address (`lead_image_copied_from`). Pages show the copy and
its renditions while the address stays the one it was copied from; an editor's upload always
comes first. A copy that cannot be made leaves the page showing the address, as before, and
says why in `lead_image_copy_error`, shown beside the image fields in the admin. A failure that
may pass (no answer, a dropped connection, a busy or broken server) is tried again by the worker
10 minutes, an hour and six hours later; after that, or after any other failure (not an image,
404, robots.txt), `manage.py copy_lead_images` tries again.

Nothing here runs while a reader or an editor waits: saves queue `copy_lead_image` once they
commit (`lead_image_copy_on_commit`).
"""

import io
import logging
import posixpath
import warnings
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from articles.ingest.fetching import COMMAND_HINT, Fetcher, FetchPolicy, TemporaryFetchError
from articles.ingest.story import IngestError
from articles.models import Story
from articles.pages.images import make_lead_image_renditions

logger = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 15_000_000
# A 50-megapixel photograph decodes to 150 MB; past that a file is refused before decoding.
IMAGE_MAX_PIXELS = 50_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Seconds to wait before trying again after the first, second and third failure that may pass.
RETRY_DELAYS = (600, 3600, 6 * 3600)


class ImageRefused(IngestError):
    pass


@dataclass
class CopyOutcome:
    story_id: int
    status: str  # "copied", "failed", or why nothing was done
    message: str = ""

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.message else self.status


def image_policy() -> FetchPolicy:
    """The fetch limits for images: the importer's, with room for a large photograph."""
    return FetchPolicy(
        allow_private=getattr(settings, "NEWSROOM_IMAGE_COPY_ALLOW_PRIVATE", False),
        max_bytes=IMAGE_MAX_BYTES,
    )


def checked_image(data: bytes) -> str:
    """The file extension of `data` if it is a whole JPEG, PNG, GIF or WebP image of at most
    `IMAGE_MAX_PIXELS`; `ImageRefused` otherwise."""
    try:
        with warnings.catch_warnings():
            # Pillow warns of a "decompression bomb" past its own limit; ours is lower.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise ImageRefused(f"not a JPEG, PNG, GIF or WebP image ({kind or 'unknown'})")
                if width * height > IMAGE_MAX_PIXELS:
                    raise ImageRefused(f"too large to show ({width:,} × {height:,} pixels)")
                image.load()  # every pixel, so that a truncated file is refused here
    except ImageRefused:
        raise
    except Exception as error:  # noqa: BLE001 - a publisher's file can fail Pillow any way
        raise ImageRefused(f"not an image that can be read ({type(error).__name__})") from None
    return FORMATS[kind]


def copy_name(url: str, extension: str) -> str:
    """A file name for the copy from the address's last path segment ("lead.jpg")."""
    stem = posixpath.basename(unquote(urlsplit(url).path)).rsplit(".", 1)[0]
    return f"{slugify(stem)[:60] or 'lead-image'}.{extension}"


def retry_note(attempt: int) -> str:
    minutes = RETRY_DELAYS[attempt - 1] // 60
    later = f"{minutes} minutes" if minutes < 60 else f"{minutes // 60} hour{'s' * (minutes > 60)}"
    return f" (the worker tries again in {later})"


def keep_lead_image_copy(
    *, story_id: int, fetcher: Fetcher | None = None, attempt: int | None = None
) -> CopyOutcome:
    """Fetch the story's image by address and keep it as the story's copy (see the module).

    The fetch happens outside any transaction; the copy is then kept only if the story still
    names the same address (an editor may have changed it meanwhile: that save queued its own
    copy). Its renditions are made, and the story's pages purged, in the same transaction.
    `attempt` is the worker's count: a failure that may pass schedules the next attempt while
    there are `RETRY_DELAYS` left (none without it, as from the command).
    """
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return CopyOutcome(story_id, "gone")
    if not story.needs_lead_image_copy:
        return CopyOutcome(story_id, "nothing to copy")
    url = story.lead_image_url
    fetcher = fetcher or Fetcher(image_policy())
    try:
        fetched = fetcher.fetch(url)
        extension = checked_image(fetched.data)
    except IngestError as error:
        message = str(error).replace(COMMAND_HINT, "")
        retry = (
            isinstance(error, TemporaryFetchError)
            and attempt is not None
            and attempt <= len(RETRY_DELAYS)
        )
        if retry:
            message += retry_note(attempt)
        limit = Story._meta.get_field("lead_image_copy_error").max_length
        still_wanted = Story.objects.filter(pk=story_id, lead_image_url=url).update(
            lead_image_copy_error=message[:limit]
        )
        logger.warning("Lead image of story %s not copied from %s: %s", story_id, url, message)
        # No retry for an address the story no longer names: its save queued its own copy.
        if retry and still_wanted:
            from articles.ingest.tasks import copy_lead_image

            later = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
            copy_lead_image.using(run_after=later).enqueue(story_id=story_id, attempt=attempt + 1)
        return CopyOutcome(story_id, "failed", message)

    with transaction.atomic():
        story = Story.objects.select_for_update().filter(pk=story_id).first()
        if story is None or story.lead_image_url != url:
            return CopyOutcome(story_id, "address changed")
        old_name = story.lead_image_copy.name
        story.lead_image_copy.save(copy_name(url, extension), ContentFile(fetched.data), save=False)
        story.lead_image_copied_from = url
        story.lead_image_copy_error = ""
        # Only these columns: an editor's save in flight keeps everything else it wrote.
        Story.objects.filter(pk=story_id).update(
            lead_image_copy=story.lead_image_copy.name,
            lead_image_copied_from=url,
            lead_image_copy_error="",
        )
        if old_name and old_name != story.lead_image_copy.name:
            storage = story.lead_image_copy.storage
            transaction.on_commit(partial(storage.delete, old_name), robust=True)
        if not story.lead_image:
            # The page now shows the copy: its renditions, and the purge of its pages.
            make_lead_image_renditions(story=story)
    return CopyOutcome(story_id, "copied", story.lead_image_copy.name)


def lead_image_copy_on_commit(*, story: Story) -> None:
    """Queue the copy of the story's image by address once the current transaction commits, when
    it needs one (`Story.needs_lead_image_copy`)."""
    if not story.needs_lead_image_copy:
        return
    from articles.ingest.tasks import copy_lead_image

    transaction.on_commit(
        partial(copy_lead_image.enqueue, story_id=story.pk, attempt=1), robust=True
    )
