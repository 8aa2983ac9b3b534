"""factory_boy factories for the newsroom's models."""

from datetime import timedelta
from importlib import import_module

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from articles.models import (
    Author,
    Block,
    Byline,
    Note,
    Section,
    Story,
    Tag,
)
from articles.notes.anchoring import make_anchor
from articles.notes.placement import anchor_columns


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


# The staff groups as the migrations made them: {name: [(app_label, codename), ...]}, read by
# tests/conftest.py once the test database is set up.
MIGRATED_GROUPS: dict[str, list[tuple[str, str]]] = {}


def current_codenames(codenames) -> set[str]:
    """Permission codenames an older migration names (0002's groups), as migration 0023
    renamed them."""
    renamed = dict(import_module("articles.migrations.0023_story_and_note").codename_pairs())
    return {renamed.get(codename, codename) for codename in codenames}


def staff_group(name: str) -> Group:
    """The staff group the migrations created, put back as they made it when a transactional
    test's flush emptied the table (the flush re-creates permissions, not migrations' rows)."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        group = Group.objects.create(name=name)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in MIGRATED_GROUPS[name]
        )
    return group


class StaffFactory(UserFactory):
    """A staff login; `groups=["Editors"]` puts it in groups the migrations create."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(staff_group(name) for name in extracted))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = "News"
    slug = factory.LazyAttribute(lambda s: s.name.lower())


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    bio = "Covers the Andes."


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class StoryFactory(factory.django.DjangoModelFactory):
    """A published story (pass status=Story.Status.DRAFT for a draft)."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-number-{n}")
    dek = "A standfirst that says what happened."
    section = factory.SubFactory(SectionFactory)
    status = Story.Status.PUBLISHED
    # Whole seconds, as the admin's form posts them back: a test must not pass only because a
    # save rewrote the microseconds.
    published_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) - timedelta(days=1)
    )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        """`authors=[a, b]` sets the byline in that order."""
        if create and extracted:
            for position, author in enumerate(extracted):
                Byline.objects.create(story=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    story = factory.SubFactory(StoryFactory)
    kind = Block.Kind.PARAGRAPH
    position = factory.Sequence(lambda n: n)
    text = "The paste is made from coca plants and is eventually turned into cocaine."


class AsideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    story = factory.SubFactory(StoryFactory)
    kind = Block.Kind.ASIDE
    position = factory.Sequence(lambda n: n)
    teaser = "Meet the man who thrived in Bolivia's cocaine prison."
    label = "Read more here."


class NoteFactory(factory.django.DjangoModelFactory):
    """A public context note on the first word-run of its paragraph."""

    class Meta:
        model = Note

    paragraph = factory.SubFactory(ParagraphFactory)
    story = factory.LazyAttribute(lambda a: a.paragraph.story)
    kind = Note.Kind.CONTEXT
    body = "Background for readers."
    start = 4
    end = 9
    quote_exact = factory.LazyAttribute(lambda a: a.paragraph.text[a.start : a.end])
    quote_prefix = factory.LazyAttribute(lambda a: a.paragraph.text[max(0, a.start - 32) : a.start])
    quote_suffix = factory.LazyAttribute(lambda a: a.paragraph.text[a.end : a.end + 32])
    # Internal notes stay drafts (a database constraint); every other kind is published.
    state = factory.LazyAttribute(
        lambda a: Note.State.DRAFT if a.kind == Note.Kind.INTERNAL else Note.State.PUBLISHED
    )
    author = factory.SubFactory(StaffFactory)


class SourceNoteFactory(NoteFactory):
    """A public source note: where the passage's fact comes from."""

    kind = Note.Kind.SOURCE
    body = "The estimate is the *UN's* own."
    source_url = "https://www.unodc.org/documents/crop-monitoring/Peru/Peru_coca_survey_2013.pdf"
    source_title = "UNODC: Peru coca cultivation survey 2013"


class FactCheckNoteFactory(NoteFactory):
    """A public fact-check of the passage, with its claim and verdict."""

    kind = Note.Kind.FACT_CHECK
    body = "Chemists say the paste is [only one step](https://example.org/chemistry) away."
    claim = "Coca paste is eventually turned into cocaine."
    verdict = Note.Verdict.MOSTLY_TRUE


class CorrectionNoteFactory(NoteFactory):
    """A public correction of the passage: what was wrong, and what is right."""

    kind = Note.Kind.CORRECTION
    body = "An earlier version of this story named the wrong plant."
    correction_wrong = "The paste is made from poppies."
    correction_right = "The paste is made from coca leaves."
    corrected_at = factory.LazyFunction(timezone.now)


def note_on(block: Block, quote: str, *, occurrence: int = 0, **kwargs) -> Note:
    """A note on the `occurrence`-th `quote` in the block's text (an aside's teaser too)."""
    text = block.annotatable_text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    anchor = make_anchor(text=text, start=start, end=start + len(quote))
    return NoteFactory(paragraph=block, **anchor_columns(anchor), **kwargs)


def publish(note: Note, *, user=None) -> Note:
    """Publish the note through review, as an editor other than its author (a second person)."""
    from articles.notes.review import publish_note

    publisher = user or StaffFactory(groups=["Editors"])
    return publish_note(note=note, version=note.version, user=publisher)
