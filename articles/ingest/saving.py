"""Saving an `IngestedStory` over the archive: found by identity, updated in place, or created.

One transaction per story. A story already imported under the same identity (canonical URL,
GUID, ninjs `uri`) is updated: paragraphs keep their permanent keys where their text matches,
notes are re-anchored as after an admin edit, and a changed published text becomes a new dated
version. An import that would change nothing writes nothing: no version, no refresh, no purge.
A story with another identity but the same headline and publication time is the same story
reached another way, and is refused unless `replace` is given (as in the plain-text layout).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed, own_page_keys, story_keys
from articles.editing.history import record_version
from articles.editing.refresh import stories_changed_on_commit
from articles.editing.versions import bump_versions
from articles.ingest.blocks import blocks_differ, save_blocks
from articles.ingest.images import lead_image_copy_on_commit
from articles.ingest.rows import author_for, existing_section, section_for, unique_slug
from articles.ingest.story import IdentityConflict, IngestedStory, clip
from articles.models import Author, Block, Byline, Section, Story, StoryVersion, Tag

DEFAULT_SECTION = "News"


@dataclass
class SaveResult:
    story: Story
    created: bool
    changed: bool
    version: StoryVersion | None = None
    unresolved_asides: list[Block] = field(default_factory=list)


def normalise_address(url: str) -> str:
    """An address as identities compare: without a fragment or a trailing slash."""
    return url.split("#", 1)[0].rstrip("/")


def resolve_targets(addresses) -> dict[str, int | None]:
    """Each aside address mapped to the archive story at that canonical or source address."""
    wanted = {address: normalise_address(address) for address in addresses if address}
    if not wanted:
        return {}
    variants = set()
    for norm in wanted.values():
        variants |= {norm, norm + "/"}
    found: dict[str, int] = {}
    for pk, canonical, source in Story.objects.filter(
        Q(canonical_url__in=variants) | Q(source_url__in=variants)
    ).values_list("pk", "canonical_url", "source_url"):
        for address in (canonical, source):
            if address:
                found.setdefault(normalise_address(address), pk)
    return {address: found.get(norm) for address, norm in wanted.items()}


def _status(ingested: IngestedStory, *, existing: Story | None, new_as_draft: bool) -> str:
    """A story its source withheld or withdrew (a WordPress draft, an agency's cancelled item) is
    a draft here too, whatever it was. Otherwise a story already here keeps the status the
    newsroom gave it: an import never publishes what the newsroom holds as a draft (publishing
    is an editor's decision). A new story is published, or a draft with `new_as_draft`."""
    if ingested.draft:
        return Story.Status.DRAFT
    if existing is not None:
        return existing.status
    return Story.Status.DRAFT if new_as_draft else Story.Status.PUBLISHED


def _fields(
    ingested: IngestedStory,
    *,
    section_id: int | None,
    existing: Story | None,
    new_as_draft: bool = False,
) -> dict:
    published = ingested.published_at or (existing.published_at if existing else None)
    if published is None:
        published = timezone.now().replace(microsecond=0)
    updated = (
        ingested.updated_at if ingested.updated_at and ingested.updated_at > published else None
    )
    return {
        "headline": ingested.headline,
        "dek": clip(ingested.dek, "dek"),
        "section_id": section_id,
        "published_at": published,
        "updated_at": updated,
        "source_url": ingested.source_url[:500],
        "lead_image_url": ingested.image_url[:500],
        "image_caption": clip(ingested.image_caption, "image_caption"),
        "image_credit": clip(ingested.image_credit, "image_credit"),
        "image_alt": clip(ingested.image_alt, "image_alt"),
        "status": _status(ingested, existing=existing, new_as_draft=new_as_draft),
    }


def _authors(ingested: IngestedStory) -> list[str]:
    limit = Author._meta.get_field("name").max_length
    return list(dict.fromkeys(name[:limit] for name in ingested.authors if name))


def _tags(ingested: IngestedStory) -> list[str]:
    limit = Tag._meta.get_field("name").max_length
    return list(dict.fromkeys(tag[:limit] for tag in ingested.tags if tag.strip()))[:50]


def _unchanged(story: Story, ingested: IngestedStory, fields: dict, targets) -> bool:
    if any(getattr(story, name) != value for name, value in fields.items()):
        return False
    names = [b.author.name for b in story.bylines.select_related("author").order_by("position")]
    if names != _authors(ingested):
        return False
    # Imported tags are added, never taken away (editors tag stories too).
    if not set(_tags(ingested)) <= set(story.tags.values_list("name", flat=True)):
        return False
    return not blocks_differ(
        list(story.blocks.order_by("position", "id")), ingested.blocks, targets
    )


@transaction.atomic
def save_ingested_story(
    *,
    ingested: IngestedStory,
    replace: bool = False,
    user=None,
    refresh_later: list[int] | None = None,
    new_as_draft: bool = False,
) -> SaveResult:
    """Create or update the story `story.identity` names, all or nothing (see the module).

    The story's status follows `_status`: `new_as_draft` makes a story new to the archive a
    draft for an editor to publish (followed sources that ask for review).

    The story's search entry and related lists are queued for the task worker after commit; an
    import of many stories passes `refresh_later`, collects the ids there and queues them all at
    once (`stories_changed_on_commit`), a task per 200 stories instead of one per story.
    """
    story = Story.objects.select_for_update().filter(canonical_url=ingested.identity).first()
    if story is None and ingested.published_at is not None:
        same = (
            Story.objects.select_for_update()
            .filter(headline=ingested.headline, published_at=ingested.published_at)
            .first()
        )
        if same is not None and not replace:
            where = same.canonical_url or same.import_source or "a story written in the admin"
            raise IdentityConflict(
                f"this story is already in the archive ({where}, /{same.slug}/); nothing "
                "written (use --replace to update it from here)"
            )
        story = same
    section_name = clip(ingested.section or DEFAULT_SECTION, "name", model=Section)
    targets = resolve_targets(block.target_url for block in ingested.asides)
    existing = existing_section(section_name)
    fields = _fields(
        ingested,
        section_id=existing.pk if existing else None,
        existing=story,
        new_as_draft=new_as_draft,
    )
    if (
        story is not None
        and story.canonical_url == ingested.identity
        and existing is not None
        and _unchanged(story, ingested, fields, targets)
    ):
        return SaveResult(story=story, created=False, changed=False)

    if existing is not None:
        section, section_created = existing, False
    else:
        section, section_created = section_for(section_name)
    fields["section_id"] = section.pk
    created = story is None
    was_public = not created and story.is_public
    # What readers saw of it before: its page and the lists it may leave.
    old_keys = set() if created else story_keys([story.pk], scheduled=True)
    if created:
        story = Story(slug=unique_slug(Story, ingested.headline))
    story.canonical_url = ingested.identity
    for name, value in fields.items():
        setattr(story, name, value)
    story.save()
    # The publisher's image, kept as the newsroom's own copy by the task worker.
    lead_image_copy_on_commit(story=story)

    authors = [author_for(name) for name in _authors(ingested)]
    story.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(story=story, author=author, position=position)
        for position, author in enumerate(dict.fromkeys(authors))
    )
    tag_names = _tags(ingested)
    if tag_names:
        story.tags.add(*tag_names)

    blocks = save_blocks(story, ingested.blocks, targets=targets)
    version = record_version(story=story, user=user, origin=StoryVersion.Origin.IMPORT)
    # Asides elsewhere that pointed at this story's address now link to it.
    waiting = Block.objects.filter(
        kind=Block.Kind.ASIDE,
        target_story__isnull=True,
        target_url__in={ingested.identity, ingested.identity.rstrip("/"), ingested.identity + "/"},
    ).exclude(story=story)
    waiting_stories = set(waiting.values_list("story_id", flat=True))
    waiting.update(target_story=story)
    bump_versions(Story, pks=[story.pk])
    if refresh_later is None:
        stories_changed_on_commit(story_ids=[story.pk])
    else:
        refresh_later.append(story.pk)
    if was_public or story.is_public:
        content_changed(
            old_keys
            | story_keys([story.pk], scheduled=True)
            | own_page_keys(waiting_stories)
            | ({keys.SECTION_MENU} if section_created else set())
        )
    unresolved = [b for b in blocks if b.kind == Block.Kind.ASIDE and not b.is_resolved]
    return SaveResult(
        story=story,
        created=created,
        changed=True,
        version=version,
        unresolved_asides=unresolved,
    )
