"""Every admin path that changes text or tags refreshes the search entry and related list."""

import pytest
from django.test import Client

from articles.models import Article, RelatedStory, Tag
from articles.search.index import index_articles
from tests.factories import ArticleFactory, ParagraphFactory
from tests.test_admin import change_url
from tests.test_reanchor_on_edit import body_form, field, save

pytestmark = pytest.mark.django_db


def search(query: str) -> str:
    return Client().get("/search/", {"q": query}).content.decode()


def test_editing_a_paragraph_in_the_admin_makes_the_new_words_searchable(
    editor_client, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="Coca raid in the valley")
    paragraph = ParagraphFactory(article=story, position=0, text="Soldiers raided a camp.")
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = ["Soldiers raided a camp near Pichari."]
    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, story, data)
    assert "Coca raid in the valley" in search("Pichari")


def test_bulk_tagging_makes_stories_findable_by_the_tag(
    editor_client, django_capture_on_commit_callbacks
):
    stories = [ArticleFactory(headline=f"Andean story {n}") for n in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            "/admin/articles/article/",
            {
                "action": "add_tags_to_stories",
                "_selected_action": [s.pk for s in stories],
                "apply": "1",
                "tags": "quechua",
            },
        )
    assert Tag.objects.filter(name="quechua").exists()
    results = search("quechua")
    assert all(story.headline in results for story in stories)


def test_renaming_a_tag_reindexes_its_stories(editor_client, django_capture_on_commit_callbacks):
    story = ArticleFactory(headline="Story about the valley", tags=["vraem"])
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
    assert story.headline in search("apurimac")


def test_deleting_a_tag_in_the_admin_takes_it_out_of_its_stories_search_text(
    editor_client, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="Story about the valley", tags=["vraem"])
    index_articles(article_ids=[story.pk])
    tag = Tag.objects.get(name="vraem")
    assert story.headline in search("vraem")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/articles/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name="vraem").exists()
    assert story.headline not in search("vraem")


def test_saving_a_story_recomputes_its_related_list(
    editor_client, django_capture_on_commit_callbacks
):
    rare = ["shining path", "guzman"]
    story = ArticleFactory(headline="Shining Path leader captured", tags=rare)
    sibling = ArticleFactory(headline="Shining Path remnants in the valley", tags=rare)
    assert not RelatedStory.objects.filter(article=story).exists()
    data = body_form(editor_client, story)
    data["dek"] = ["An updated standfirst."]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(story), data)
    assert response.status_code == 302
    related = RelatedStory.objects.filter(article=story).values_list("related_id", flat=True)
    assert sibling.pk in related
    assert Article.objects.get(pk=story.pk).dek == "An updated standfirst."
