"""Importing stories from the newsroom's plain-text layout.

A file looks like the seed story in `seeds/`:

    This story is over 5 years old          (optional; derived at request time, never stored)
    News by VICE                            (section "News", brand "VICE")
    <headline>
    <dek>                                   (optional)
    by Kayla Ruble                          (several: "A, B and C")
    Jun 20 2014, 7:41pm                     (in settings.NEWSROOM_IMPORT_TIME_ZONE)
    Image via AP/Martin Mejia               (optional)
    <paragraphs, one per line; "… Read more here." lines are asides>
    Follow Kayla Ruble on Twitter: @RubleKB (optional, fills the author's profile)

Each file imports in one transaction: a malformed file raises `ImportFormatError` naming the file
and line, and nothing from it is written. Error messages never quote the file: a file that does
not even look like a story (binary, not UTF-8, not starting with a section line, say `/etc/passwd`)
is reported as `path: not a story file (reason)`.

A file's story is found by its import key, the file's name without `.txt` (the layout names
files by the story's slug, `vice-2014-06-20-peruvian-soldier-killed.txt`; the layout carries no
source URL), and otherwise by the story's own identity: its headline and publication time. The
story also remembers which file it came from (`Story.import_source`). Re-importing that file
updates the story in place: blocks keep their permanent keys where their text survives, so
permalinks and notes stay attached. Another file that claims the story (the same name from
another folder, or the same story under another name) is refused with `ImportConflictError`
unless the import is asked to replace the story from it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from articles.caching import keys
from articles.caching.invalidation import content_changed, story_keys
from articles.editing.history import record_version
from articles.editing.refresh import stories_changed_on_commit
from articles.editing.versions import bump_versions
from articles.ingest.blocks import ASIDE_LABEL, ParsedBlock, save_blocks
from articles.ingest.rows import author_for, section_for, unique_slug
from articles.models import Author, Block, Byline, Section, Story, StoryVersion

MAX_FILE_BYTES = 1_000_000

BANNER_RE = re.compile(r"^This story is over \d+ years? old$")
SECTION_RE = re.compile(r"^(?P<section>\S.{0,98}?) by (?P<brand>\S.{0,98})$")
BYLINE_RE = re.compile(r"^by (?P<names>\S.*)$")
AUTHOR_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
DATELINE_RE = re.compile(
    r"^(?P<month>[A-Z][a-z]{2,8}) (?P<day>\d{1,2}) (?P<year>\d{4}), "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) ?(?P<ampm>[ap]m)$",
    re.IGNORECASE,
)
CREDIT_RE = re.compile(r"^Image via (?P<credit>\S.*)$")
FOLLOW_RE = re.compile(
    r"^Follow (?P<name>\S.*?) on (?:Twitter|X)(?:/Twitter)?: @(?P<handle>[A-Za-z0-9_]{1,15})$"
)
ASIDE_RE = re.compile(r"^(?P<teaser>\S.*?)\s+" + re.escape(ASIDE_LABEL) + r"$")


class ImportFormatError(Exception):
    """A file that does not follow the layout; names the file and the 1-based line.

    The message never quotes the file's text: the file may not be a story at all.
    """

    def __init__(self, source: str, line: int, message: str):
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}")


class NotAStoryFile(ImportFormatError):
    """A file that does not look like a story at all (binary, not UTF-8, no section line)."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(source, line, message)
        self.args = (f"{source}: not a story file ({message})",)

    def __str__(self) -> str:
        return self.args[0]


class ImportConflictError(Exception):
    """A file claims a story that was imported from another file."""


@dataclass
class ParsedStory:
    section: str
    brand: str
    headline: str
    dek: str
    authors: list[str]
    published_at: datetime
    image_credit: str
    blocks: list[ParsedBlock] = field(default_factory=list)
    x_handles: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    story: Story
    created: bool
    unresolved_asides: list[Block]
    # False when a re-import found the story exactly as the file has it.
    changed: bool = True


def story_snapshot(story: Story) -> tuple:
    """What an import writes of a story, to tell whether a re-import changed anything."""
    fields = ("headline", "dek", "section_id", "published_at", "image_credit", "import_source")
    return (
        tuple(getattr(story, name) for name in fields),
        tuple(
            story.bylines.order_by("position", "id").values_list("author__name", "author__x_handle")
        ),
        tuple(
            story.blocks.order_by("position", "id").values_list(
                "kind", "text", "teaser", "label", "target_story_id", "target_url"
            )
        ),
    )


def parse_dateline(value: str, *, source: str, line: int) -> datetime:
    match = DATELINE_RE.match(value)
    if not match:
        raise ImportFormatError(source, line, 'expected a dateline like "Jun 20 2014, 7:41pm"')
    text = "{month} {day} {year} {hour}:{minute}{ampm}".format(**match.groupdict())
    for fmt in ("%b %d %Y %I:%M%p", "%B %d %Y %I:%M%p"):
        try:
            naive = datetime.strptime(text, fmt)  # noqa: DTZ007 - zone applied just below
        except ValueError:
            continue
        return naive.replace(tzinfo=ZoneInfo(settings.NEWSROOM_IMPORT_TIME_ZONE))
    raise ImportFormatError(source, line, "the dateline is not a real date and time")


def _limit(model, name: str) -> int:
    """The field's length limit, which the admin forms and the annotate screen share."""
    return model._meta.get_field(name).max_length


def _check_length(value: str, limit: int, what: str, *, source: str, line: int) -> str:
    if len(value) > limit:
        raise ImportFormatError(source, line, f"{what} is longer than {limit} characters")
    return value


def parse_story(text: str, *, source: str) -> ParsedStory:
    """Parse one file's text; raises ImportFormatError on the first problem."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise NotAStoryFile(source, line, f"a NUL byte on line {line}")
    # Only "\n" ends a line (with an optional "\r"), as in every editor's line count;
    # str.splitlines() would also split on form feeds, U+2028 and the like.
    lines = [(number, raw.strip()) for number, raw in enumerate(text.split("\n"), start=1)]
    content = [(number, value) for number, value in lines if value]
    if not content:
        raise NotAStoryFile(source, 1, "the file is empty")
    position = 0

    def take() -> tuple[int, str]:
        nonlocal position
        if position >= len(content):
            last_line = content[-1][0]
            raise ImportFormatError(source, last_line, "the file ends before the story body")
        item = content[position]
        position += 1
        return item

    number, value = take()
    if BANNER_RE.match(value):
        number, value = take()
    match = SECTION_RE.match(value)
    if not match:
        raise NotAStoryFile(
            source, number, f'line {number} is not a section line like "News by VICE"'
        )
    section, brand = match["section"].strip(), match["brand"].strip()

    number, headline = take()
    _check_length(headline, _limit(Story, "headline"), "the headline", source=source, line=number)
    if BYLINE_RE.match(headline):
        raise ImportFormatError(source, number, "expected a headline, got the byline")

    number, value = take()
    dek = ""
    if not BYLINE_RE.match(value):
        dek = _check_length(value, _limit(Story, "dek"), "the dek", source=source, line=number)
        number, value = take()
    match = BYLINE_RE.match(value)
    if not match:
        raise ImportFormatError(source, number, 'expected the byline, like "by Kayla Ruble"')
    authors = [name.strip() for name in AUTHOR_SPLIT_RE.split(match["names"]) if name.strip()]
    if not authors:
        raise ImportFormatError(source, number, "the byline names no author")
    for name in authors:
        _check_length(name, _limit(Author, "name"), "an author's name", source=source, line=number)

    number, value = take()
    published_at = parse_dateline(value, source=source, line=number)

    parsed = ParsedStory(
        section=_check_length(
            section, _limit(Section, "name"), "the section", source=source, line=number
        ),
        brand=brand,
        headline=headline,
        dek=dek,
        authors=authors,
        published_at=published_at,
        image_credit="",
    )
    if position < len(content) and (match := CREDIT_RE.match(content[position][1])):
        parsed.image_credit = _check_length(
            match["credit"],
            _limit(Story, "image_credit"),
            "the image credit",
            source=source,
            line=content[position][0],
        )
        position += 1

    for number, value in content[position:]:
        if match := FOLLOW_RE.match(value):
            name = match["name"].strip()
            if name not in authors:
                raise ImportFormatError(
                    source, number, 'the "Follow … on Twitter" line names someone not in the byline'
                )
            parsed.x_handles[name] = match["handle"]
            continue
        if parsed.x_handles:
            raise ImportFormatError(source, number, 'text after the "Follow … on Twitter" footer')
        if match := ASIDE_RE.match(value):
            teaser = _check_length(
                match["teaser"],
                _limit(Block, "teaser"),
                "an aside's teaser",
                source=source,
                line=number,
            )
            parsed.blocks.append(ParsedBlock(kind=Block.Kind.ASIDE, teaser=teaser, line=number))
        else:
            text = _check_length(
                value, _limit(Block, "text"), "a paragraph", source=source, line=number
            )
            parsed.blocks.append(ParsedBlock(kind=Block.Kind.PARAGRAPH, text=text, line=number))
    if not any(block.kind == Block.Kind.PARAGRAPH for block in parsed.blocks):
        raise ImportFormatError(source, content[-1][0], "the story has no paragraphs")
    return parsed


def read_story_file(path: Path) -> str:
    source = str(path)
    if not path.is_file():
        raise NotAStoryFile(source, 1, "not a regular file")
    with path.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)  # /dev/zero behind a link must not fill memory
    if len(data) > MAX_FILE_BYTES:
        raise NotAStoryFile(source, 1, f"larger than {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NotAStoryFile(source, line, f"not valid UTF-8 text, line {line}") from None


@transaction.atomic
def save_story(
    parsed: ParsedStory,
    *,
    import_key: str,
    import_source: str = "",
    replace: bool = False,
    refresh_later: list[int] | None = None,
) -> ImportResult:
    """Create or update the story identified by `import_key`, all in one transaction.

    Its search entry and related list are queued for refreshing once committed; an import of
    many stories passes `refresh_later`, collects the ids there and queues them all at once.

    `import_source` names the file the story comes from. A story imported from another file is
    only updated when `replace` is given (the story then comes from this file); otherwise
    `ImportConflictError` is raised before anything is written. A story imported before sources
    were recorded takes this file as its source.
    """
    story = Story.objects.select_for_update().filter(import_key=import_key).first()
    if (
        story is not None
        and story.import_source
        and import_source
        and story.import_source != import_source
        and not replace
    ):
        raise ImportConflictError(
            f"{import_source}: story {import_key!r} was imported from {story.import_source}; "
            "nothing written (use --replace to replace it from this file)"
        )
    if story is None:
        # The story's own identity: the same headline published at the same time is the same
        # story, whatever the file is called.
        story = (
            Story.objects.select_for_update()
            .filter(headline=parsed.headline, published_at=parsed.published_at)
            .first()
        )
        if story is not None and not replace:
            where = story.import_source or "a story written in the admin"
            raise ImportConflictError(
                f"{import_source or import_key}: this story is already in the archive "
                f"({where}, /{story.slug}/); nothing written (use --replace to replace it "
                "from this file)"
            )
        if story is not None:
            story.import_key = import_key

    # What readers see of it before the import: its page and lists it may leave.
    shown_before = story_keys([story.pk], scheduled=True) if story is not None else set()
    section, section_created = section_for(parsed.section)

    created = story is None
    before = None if created else story_snapshot(Story.objects.get(pk=story.pk))
    if created:
        story = Story(
            import_key=import_key,
            slug=unique_slug(Story, parsed.headline),
            status=Story.Status.PUBLISHED,
        )
    if import_source:
        story.import_source = import_source
    story.headline = parsed.headline
    story.dek = parsed.dek
    story.section = section
    story.published_at = parsed.published_at
    story.image_credit = parsed.image_credit
    story.save()

    authors = [author_for(name) for name in parsed.authors]
    for name, handle in parsed.x_handles.items():
        author = authors[parsed.authors.index(name)]
        if author.x_handle != handle:
            author.x_handle = handle
            author.save(update_fields=["x_handle"])
    story.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(story=story, author=author, position=position)
        for position, author in enumerate(dict.fromkeys(authors))
    )

    blocks = save_blocks(story, parsed.blocks)
    record_version(story=story, origin=StoryVersion.Origin.IMPORT)
    unresolved = [b for b in blocks if b.kind == Block.Kind.ASIDE and not b.is_resolved]
    # A change form opened before the re-import must not write the old story back.
    bump_versions(Story, pks=[story.pk])
    changed = created or story_snapshot(story) != before
    # An unchanged re-import leaves the search entry, related list and pages as they are.
    if changed:
        if refresh_later is None:
            stories_changed_on_commit(story_ids=[story.pk])
        else:
            refresh_later.append(story.pk)
        content_changed(
            shown_before
            | story_keys([story.pk], scheduled=True)
            | ({keys.SECTION_MENU} if section_created else set())
        )
    return ImportResult(story=story, created=created, unresolved_asides=unresolved, changed=changed)


def import_source_of(path: Path) -> str:
    """Where a file is, as its story records it: relative to the project when inside it.

    Relative, so that a checkout moved elsewhere (or another worktree) still recognises
    `seeds/…` as the same file; absolute anywhere else. Links are resolved.
    """
    resolved = path.resolve()
    base = Path(settings.BASE_DIR).resolve()
    if resolved.is_relative_to(base):
        return resolved.relative_to(base).as_posix()
    return resolved.as_posix()


def import_story_file(
    path: Path, *, replace: bool = False, refresh_later: list[int] | None = None
) -> ImportResult:
    """Read, parse and save one file; the story's import key is the file's name.

    A story imported from another file of the same name is refused (`ImportConflictError`)
    unless `replace` is given. `refresh_later` as for `save_story`.
    """
    parsed = parse_story(read_story_file(path), source=str(path))
    return save_story(
        parsed,
        import_key=path.stem,
        import_source=import_source_of(path),
        replace=replace,
        refresh_later=refresh_later,
    )


@dataclass
class StoryFiles:
    files: list[Path]
    skipped: list[str]


def story_files(paths: list[Path], *, suffixes: Iterable[str] = (".txt",)) -> StoryFiles:
    """Expand folders into the files they hold with one of `suffixes` (the layout's `.txt`
    unless told), in name order, each file once.

    A symbolic link inside a folder is followed only when it leads to something inside that
    same folder; one that leads out of it is skipped (and listed in `skipped`), so a link
    cannot make the import read, or report on, files elsewhere. Files named on their own are
    read wherever they are: naming them is the choice.
    """
    files: list[Path] = []
    skipped: list[str] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        # A link is imported as the file it leads to, so the story's key is that file's name
        # whichever of its names is met first.
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append(resolved if path.is_symlink() else path)

    for path in paths:
        if not path.is_dir():
            add(path)
            continue
        root = path.resolve()
        found: list[Path] = []
        visited: set[Path] = set()
        pending = [path]
        while pending:
            folder = pending.pop()
            if folder.resolve() in visited:
                continue
            visited.add(folder.resolve())
            for entry in folder.iterdir():
                if entry.is_symlink() and not entry.resolve().is_relative_to(root):
                    skipped.append(f"{entry}: skipped, a symbolic link that leads out of {path}")
                    continue
                if entry.is_dir():
                    pending.append(entry)
                elif entry.suffix in suffixes and entry.is_file():
                    found.append(entry)
        for entry in sorted(found):
            add(entry)
    return StoryFiles(files=files, skipped=sorted(skipped))
