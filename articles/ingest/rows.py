"""The rows an import finds or creates besides the story: sections and authors, and slugs."""

from django.utils.text import slugify

from articles.models import Author, Section


def unique_slug(model, base: str, *, exclude_pk=None, max_length: int = 200) -> str:
    base = (slugify(base) or "story")[:max_length].strip("-")
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        suffix = f"-{counter}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        counter += 1
    return slug


def author_for(name: str) -> Author:
    """The author of that name (the oldest, when several share it), created when new."""
    author = Author.objects.filter(name=name).order_by("id").first()
    if author is None:
        author = Author.objects.create(name=name, slug=unique_slug(Author, name))
    return author


def section_for(name: str) -> tuple[Section, bool]:
    """The section of that name, and whether it was created."""
    section = Section.objects.filter(name=name).first()
    if section is not None:
        return section, False
    section = Section.objects.create(name=name, slug=unique_slug(Section, name, max_length=100))
    return section, True
