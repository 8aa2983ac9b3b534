"""Editors' writes to the record: classifying a change of a story's text, editing a policy page.

Each changes what readers see, so each tells the page cache which content changed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import PolicyPage, StoryVersion

CLASSIFIABLE = (
    StoryVersion.Kind.EDIT,
    StoryVersion.Kind.TYPO,
    StoryVersion.Kind.CORRECTION,
    StoryVersion.Kind.UPDATE,
)


def classification_error(*, version: StoryVersion, kind: str, summary: str) -> str:
    """Why `version` cannot be classified as `kind` with `summary`; "" when it can."""
    if version.number == 1 or version.kind == StoryVersion.Kind.FIRST:
        if kind != StoryVersion.Kind.FIRST:
            return "The first published version is not a change and keeps its kind."
        return ""
    if kind not in CLASSIFIABLE:
        return "A change is an edit, a typo fix, a correction or an update."
    if kind in (StoryVersion.Kind.CORRECTION, StoryVersion.Kind.UPDATE) and not summary.strip():
        return "Say what changed: readers see this summary on the story."
    return ""


def classify_version(*, version: StoryVersion, kind: str, summary: str) -> StoryVersion:
    """Mark a change as a typo fix (listed, not announced), a correction or an update
    (announced on the story and, for a correction, on the corrections page)."""
    error = classification_error(version=version, kind=kind, summary=summary)
    if error:
        raise ValidationError(error)
    with transaction.atomic():
        StoryVersion.objects.filter(pk=version.pk).update(kind=kind, summary=summary.strip())
        version.kind, version.summary = kind, summary.strip()
        content_changed([keys.story(version.story_id), keys.CORRECTIONS])
    return version


def save_policy_page(*, page: PolicyPage) -> PolicyPage:
    """Save an edited policy page; every story links it from its structured data."""
    with transaction.atomic():
        page.updated_at = timezone.now()
        page.save()
        content_changed([keys.POLICIES])
    return page
