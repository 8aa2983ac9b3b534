"""Tags whose names hold no slug characters (emoji, punctuation) or other scripts (Arabic,
Hebrew, CJK) get a usable, unique slug however they are made, so every page that links them
answers: the story page, the tag's page and feeds, and the tags sitemap."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from articles.models import Tag
from articles.text.slugs import is_usable
from tests.factories import ParagraphFactory, StoryFactory, TagFactory
from tests.test_admin import STORIES, change_url, form_data

pytestmark = pytest.mark.django_db

NAMES = [
    "🙂",
    "!!!",
    "🎉🎉",
    "—",
    "مرحبا بالعالم",
    "שלום עולם",
    "北京 新闻",
    "東京",
    "Peru",
    "İ" * 100,  # lower-cased, each becomes two characters: longer than the column
    " - _ ",
]


def assert_every_page_answers(client, story, tags):
    """The story page, each tag's page and feeds, and the tags sitemap answer 200."""
    urls = [story.get_absolute_url(), "/sitemap-tags.xml"]
    for tag in tags:
        urls += [
            tag.get_absolute_url(),
            reverse("articles:tag-feed-rss", args=[tag.slug]),
            reverse("articles:tag-feed-atom", args=[tag.slug]),
        ]
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 200, url
    sitemap = client.get("/sitemap-tags.xml").content.decode()
    for tag in tags:
        assert f"<loc>http://testserver{tag.get_absolute_url()}</loc>" in sitemap


@pytest.mark.parametrize("name", NAMES)
def test_every_tag_name_gets_a_usable_slug(client, name):
    tag = Tag.objects.create(name=name)
    assert is_usable(tag.slug)
    assert len(tag.slug) <= 100
    assert_every_page_answers(client, StoryFactory(tags=[tag]), [tag])


def test_slugs_stay_unique_when_names_share_them():
    tags = [Tag.objects.create(name=name) for name in ["🙂", "!!!", "🎉", "Tag", "tag 1", "?"]]
    assert [tag.slug for tag in tags] == ["tag", "tag-1", "tag-2", "tag-3", "tag-1-1", "tag-4"]


def test_right_to_left_and_cjk_names_keep_their_letters():
    assert Tag.objects.create(name="مرحبا بالعالم").slug == "مرحبا-بالعالم"
    assert Tag.objects.create(name="שלום עולם").slug == "שלום-עולם"
    assert Tag.objects.create(name="北京 新闻").slug == "北京-新闻"


def test_tags_added_by_the_bulk_action_get_usable_slugs(editor_client, client):
    story = StoryFactory()
    ParagraphFactory(story=story)
    response = editor_client.post(
        STORIES, {"action": "add_tags_to_stories", "_selected_action": [story.pk], "index": 0}
    )
    data = form_data(response, "bulk-tags-form")
    data |= {"tags": "🙂, !!!, שלום", "apply": "Add tags"}
    assert editor_client.post(STORIES, data).status_code == 302

    tags = list(story.tags.all())
    assert sorted((tag.name, tag.slug) for tag in tags) == [
        ("!!!", "tag-1"),  # the bulk action creates the tags in the order typed
        ("שלום", "שלום"),
        ("🙂", "tag"),
    ]
    assert_every_page_answers(client, story, tags)


def test_tags_added_on_the_story_form_get_usable_slugs(editor_client, client):
    story = StoryFactory()
    ParagraphFactory(story=story)
    data = form_data(editor_client.get(change_url(story)), "story_form")
    data["tags"] = "🎉, ???, 東京"
    response = editor_client.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    tags = sorted(story.tags.all(), key=lambda tag: tag.name)
    assert sorted(tag.slug for tag in tags) == ["tag", "tag-1", "東京"]
    assert_every_page_answers(client, story, tags)


def test_the_migration_gives_unusable_slugs_new_ones(client):
    """Empty slugs are refused by the database now; a restored "a/b" shows the same repair."""
    broken = TagFactory(name="🙂", slug="a/b")
    taken = TagFactory(name="Tag", slug="tag")
    fine = TagFactory(name="Peru", slug="peru")
    migration = importlib.import_module("articles.migrations.0010_tag_slugs")
    migration.give_every_tag_a_usable_slug(apps, None)

    assert Tag.objects.get(pk=broken.pk).slug == "tag-1"
    assert Tag.objects.get(pk=taken.pk).slug == "tag"
    assert Tag.objects.get(pk=fine.pk).slug == "peru"
    story = StoryFactory(tags=[Tag.objects.get(pk=broken.pk)])
    assert_every_page_answers(client, story, list(story.tags.all()))


def test_tag_names_lose_the_characters_nobody_can_see(editor_client):
    """A zero-width space made "Peru" a second tag that looks the same; a direction override
    turned a name round on the page."""
    story = StoryFactory()
    peru = TagFactory(name="Peru")
    story.tags.add(peru)
    data = form_data(editor_client.get(change_url(story)), "story_form")
    data["tags"] = "Peru\u200b, \u202eaicnelaV, \u200b, 👩\u200d🔬"
    assert editor_client.post(change_url(story), data).status_code == 302

    assert sorted(story.tags.values_list("name", flat=True)) == ["Peru", "aicnelaV", "👩\u200d🔬"]
    assert story.tags.get(name="Peru").pk == peru.pk

    response = editor_client.post(
        STORIES, {"action": "add_tags_to_stories", "_selected_action": [story.pk], "index": 0}
    )
    data = form_data(response, "bulk-tags-form") | {"tags": "\u2066Peru\u2069", "apply": "Add tags"}
    assert editor_client.post(STORIES, data).status_code == 302
    assert Tag.objects.filter(name__icontains="peru").count() == 1

    add = reverse("admin:articles_tag_add")
    response = editor_client.post(add, {"name": "\u200b\u200f", "slug": "x", "description": ""})
    assert response.context["adminform"].form.errors["name"] == [
        "A tag needs a name readers can see."
    ]
