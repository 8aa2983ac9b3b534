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


def existing_section(name: str) -> Section | None:
    """The section of that name, whatever its case: publishers write "World news" for the
    newsroom's "World News", and one section must not become two that differ by a capital. The
    exact name first, then the oldest of the same name in another case."""
    return (
        Section.objects.filter(name=name).first()
        or Section.objects.filter(name__iexact=name).order_by("id").first()
    )


def section_for(name: str) -> tuple[Section, bool]:
    """The section of that name (`existing_section`), and whether it was created."""
    section = existing_section(name)
    if section is not None:
        return section, False
    section = Section.objects.create(name=name, slug=unique_slug(Section, name, max_length=100))
    return section, True
