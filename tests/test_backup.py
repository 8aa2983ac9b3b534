"""A documented dump and restore round-trips the whole newsroom, anchors included."""

import json
from datetime import datetime

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.base import DeserializationError

from articles.annotations.loading import load_annotation_file
from articles.backup import BACKUP_LABELS
from articles.importer import import_story_file
from articles.models import (
    Annotation,
    AnnotationReply,
    AnnotationRevision,
    Article,
    Author,
    Block,
    OldSlug,
    RelatedStory,
    Section,
    Tag,
)
from tests.factories import ArticleFactory, AsideFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT_MODELS = [
    Section,
    Author,
    Tag,
    Article,
    Block,
    OldSlug,
    RelatedStory,
    Annotation,
    AnnotationReply,
    AnnotationRevision,
]


def to_milliseconds(value):
    # Django's JSON serializer keeps times to the millisecond, so that is the backup's precision.
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def snapshot() -> dict[str, list]:
    """Every row of every content model, as plain values (ids included)."""
    state = {}
    for model in CONTENT_MODELS:
        rows = serializers.serialize("python", model.objects.order_by("pk"))
        state[model.__name__] = [
            (row["pk"], {name: to_milliseconds(value) for name, value in row["fields"].items()})
            for row in rows
        ]
    state["tags"] = sorted(
        (article.slug, tag.name) for article in Article.objects.all() for tag in article.tags.all()
    )
    state["bylines"] = [
        (b.article.slug, b.author.name, b.position)
        for article in Article.objects.all()
        for b in article.bylines.select_related("article", "author")
    ]
    return state


@pytest.fixture
def sample_newsroom(seed_dir):
    article = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").article
    load_annotation_file(seed_dir / "annotations" / "vice-2014-06-20-peruvian-soldier-killed.json")
    article.tags.add("Peru", "coca", "Shining Path")
    other = ArticleFactory(headline="Inside Bolivia's cocaine prison", tags=["Bolivia"])
    aside = article.blocks.asides().first()
    aside.target_article = other
    aside.save()
    AsideFactory(article=other, target_url="https://example.org/elsewhere")
    OldSlug.objects.create(article=article, slug="old-peru-slug")
    return article


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_backup_and_restore_round_trip_everything(sample_newsroom, tmp_path, suffix):
    before = snapshot()
    assert len(before["Annotation"]) == 7 and len(before["Block"]) == 15
    path = tmp_path / f"newsroom{suffix}"

    call_command("backup_newsroom", str(path))
    call_command("flush", "--noinput")
    assert not Article.objects.exists() and not Annotation.objects.exists()
    call_command("migrate", verbosity=0)  # groups and permissions, as on a fresh database
    call_command("restore_newsroom", str(path))

    assert snapshot() == before
    annotation = Annotation.objects.get(quote_exact="Shining Path rebels")
    assert annotation.paragraph.text[annotation.start : annotation.end] == "Shining Path rebels"


def test_backup_names_every_content_model():
    labelled = {label.split(".")[1] for label in BACKUP_LABELS}
    for model in [*CONTENT_MODELS]:
        assert model._meta.model_name in labelled


def test_restoring_a_corrupt_file_changes_nothing(sample_newsroom, tmp_path):
    before = snapshot()
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "articles.section", "pk": 999, "fields": {"name": "X"', "utf-8")
    with pytest.raises(DeserializationError, match="broken.json"):
        call_command("restore_newsroom", str(path))
    assert snapshot() == before


def test_a_restore_that_fails_part_way_writes_nothing(sample_newsroom, tmp_path):
    """The first record is good and would be written; the second names no model."""
    before = snapshot()
    path = tmp_path / "half.json"
    records = [
        {"model": "articles.section", "pk": 999, "fields": {"name": "Sport", "slug": "sport"}},
        {"model": "articles.nosuchmodel", "pk": 1, "fields": {}},
    ]
    path.write_text(json.dumps(records), "utf-8")

    with pytest.raises(
        DeserializationError, match="Invalid model identifier: articles.nosuchmodel"
    ):
        call_command("restore_newsroom", str(path))

    assert snapshot() == before
    assert not Section.objects.filter(slug="sport").exists()
