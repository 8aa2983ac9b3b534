"""Every admin path that changes text or tags refreshes the search entry and related list:
queued on commit for the task worker, never computed in the editor's request."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from articles.models import LeadImageRendition, RelatedStory, Story, Tag
from articles.search.index import index_stories
from tests.factories import ParagraphFactory, StoryFactory
from tests.tasks import queued, run_worker
from tests.test_admin import change_url
from tests.test_reanchor_on_edit import body_form, field, save

pytestmark = pytest.mark.django_db


def search(query: str) -> str:
    return Client().get("/search/", {"q": query}).content.decode()


def test_editing_a_paragraph_in_the_admin_makes_the_new_words_searchable(
    editor_client, django_capture_on_commit_callbacks
):
    story = StoryFactory(headline="Coca raid in the valley")
    paragraph = ParagraphFactory(story=story, position=0, text="Soldiers raided a camp.")
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = ["Soldiers raided a camp near Pichari."]
    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, story, data)
    run_worker(django_capture_on_commit_callbacks)
    assert "Coca raid in the valley" in search("Pichari")


def test_bulk_tagging_makes_stories_findable_by_the_tag(
    editor_client, django_capture_on_commit_callbacks
):
    stories = [StoryFactory(headline=f"Andean story {n}") for n in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            "/admin/articles/story/",
            {
                "action": "add_tags_to_stories",
                "_selected_action": [s.pk for s in stories],
                "apply": "1",
                "tags": "quechua",
            },
        )
    assert Tag.objects.filter(name="quechua").exists()
    run_worker(django_capture_on_commit_callbacks)
    results = search("quechua")
    assert all(story.headline in results for story in stories)


def test_renaming_a_tag_reindexes_its_stories(editor_client, django_capture_on_commit_callbacks):
    story = StoryFactory(headline="Story about the valley", tags=["vraem"])
    tag = Tag.objects.get(name="vraem")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/articles/tag/{tag.pk}/change/",
            {
                "name": "apurimac valley",
                "slug": tag.slug,
                "description": "",
                # The tag page's synonyms inline, left empty.
                "synonyms-TOTAL_FORMS": "0",
                "synonyms-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302
    run_worker(django_capture_on_commit_callbacks)
    assert story.headline in search("apurimac")


def test_deleting_a_tag_in_the_admin_takes_it_out_of_its_stories_search_text(
    editor_client, django_capture_on_commit_callbacks
):
    story = StoryFactory(headline="Story about the valley", tags=["vraem"])
    index_stories(story_ids=[story.pk])
    tag = Tag.objects.get(name="vraem")
    assert story.headline in search("vraem")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/articles/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name="vraem").exists()
    run_worker(django_capture_on_commit_callbacks)
    assert story.headline not in search("vraem")


def test_saving_a_story_recomputes_its_related_list(
    editor_client, django_capture_on_commit_callbacks
):
    rare = ["shining path", "guzman"]
    story = StoryFactory(headline="Shining Path leader captured", tags=rare)
    sibling = StoryFactory(headline="Shining Path remnants in the valley", tags=rare)
    assert not RelatedStory.objects.filter(story=story).exists()
    data = body_form(editor_client, story)
    data["dek"] = ["An updated standfirst."]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(story), data)
    assert response.status_code == 302
    run_worker(django_capture_on_commit_callbacks)
    related = RelatedStory.objects.filter(story=story).values_list("related_id", flat=True)
    assert sibling.pk in related
    assert Story.objects.get(pk=story.pk).dek == "An updated standfirst."


# The request queues; the worker computes -----------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


def test_an_admin_save_queues_the_refresh_and_the_worker_updates_the_cached_page(
    editor_client, page_cache_on, django_capture_on_commit_callbacks
):
    """The save's callbacks compute nothing; the worker's task does, and purges the page."""
    rare = ["shining path", "guzman"]
    story = StoryFactory(headline="Shining Path leader captured", tags=rare)
    ParagraphFactory(story=story, text="Guzman was taken in Lima.")
    sibling = StoryFactory(headline="Shining Path remnants in the valley", tags=rare)
    reader = Client()
    assert sibling.get_absolute_url() not in reader.get(story.get_absolute_url()).content.decode()
    data = body_form(editor_client, story)
    data["dek"] = ["An updated standfirst."]

    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, story, data)

    assert not RelatedStory.objects.filter(story=story).exists()
    assert queued() == [("refresh_stories", {"story_ids": [story.pk]})]
    page = reader.get(story.get_absolute_url())
    assert "An updated standfirst." in page.content.decode()  # the save's own purge
    assert sibling.get_absolute_url() not in page.content.decode()
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"

    assert run_worker(django_capture_on_commit_callbacks) == 1

    assert queued() == []
    assert list(RelatedStory.objects.filter(story=story).values_list("related_id", flat=True)) == [
        sibling.pk
    ]
    assert sibling.get_absolute_url() in reader.get(story.get_absolute_url()).content.decode()


def test_a_bulk_action_queues_its_stories_in_chunks(
    editor_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("articles.editing.refresh.CHUNK_SIZE", 2)
    stories = [StoryFactory(headline=f"Andean story {n}") for n in range(5)]
    ids = sorted(story.pk for story in stories)
    index_stories(story_ids=ids)  # found by their words before the change
    assert "Andean story" in search("andean")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            "/admin/articles/story/",
            {
                "action": "add_tags_to_stories",
                "_selected_action": ids,
                "apply": "1",
                "tags": "quechua",
            },
        )
    assert queued() == [
        ("refresh_stories", {"story_ids": ids[0:2]}),
        ("refresh_stories", {"story_ids": ids[2:4]}),
        ("refresh_stories", {"story_ids": ids[4:]}),
    ]
    assert "Andean story" not in search("quechua")

    assert run_worker(django_capture_on_commit_callbacks) == 3

    results = search("quechua")
    assert all(story.headline in results for story in stories)


def test_a_rolled_back_change_queues_nothing(editor_client, django_capture_on_commit_callbacks):
    story = StoryFactory(headline="Story about the valley")
    data = body_form(editor_client, story)
    data["headline"] = [""]  # invalid: nothing saved
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(story), data)
    assert response.status_code == 200
    assert queued() == []


# Lead image renditions -----------------------------------------------------------------------


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_uploading_a_lead_image_queues_its_renditions_and_the_page_offers_them_once_made(
    editor_client, page_cache_on, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    story = StoryFactory(headline="Coca raid in the valley", image_alt="A valley")
    ParagraphFactory(story=story, text="Soldiers raided a camp.")
    reader = Client()
    reader.get(story.get_absolute_url())
    data = body_form(editor_client, story)
    data["lead_image"] = SimpleUploadedFile("valley.jpg", jpeg(1000, 500), "image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, story, data)

    assert not LeadImageRendition.objects.exists()  # not made in the request
    assert ("make_renditions", {"story_id": story.pk}) in queued()
    page = reader.get(story.get_absolute_url()).content.decode()
    assert "valley" in Story.objects.get(pk=story.pk).lead_image.name
    assert "srcset" not in page  # the original, until the renditions exist

    run_worker(django_capture_on_commit_callbacks)

    made = list(LeadImageRendition.objects.filter(story=story).order_by("width"))
    assert [(r.width, r.height) for r in made] == [(480, 240), (800, 400), (1000, 500)]
    page = reader.get(story.get_absolute_url()).content.decode()
    assert f"{made[0].image.url} 480w" in page  # the worker's purge reached the cached page


def test_a_save_that_keeps_the_lead_image_queues_no_renditions(
    editor_client, django_capture_on_commit_callbacks
):
    story = StoryFactory(headline="Coca raid in the valley")
    data = body_form(editor_client, story)
    data["dek"] = ["An updated standfirst."]
    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, story, data)
    assert [name for name, _ in queued()] == ["refresh_stories"]
