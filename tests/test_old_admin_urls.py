"""The admin's addresses from before the models were renamed redirect to today's."""

import pytest
from django.urls import reverse

from tests.factories import NoteFactory, StoryFactory


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/articles/article/", "/admin/articles/story/"),
        ("/admin/articles/article", "/admin/articles/story"),
        ("/admin/articles/article/12/change/", "/admin/articles/story/12/change/"),
        ("/admin/articles/article/12/annotate/", "/admin/articles/story/12/annotate/"),
        ("/admin/articles/article/annotate/", "/admin/articles/story/annotate/"),
        ("/admin/articles/article/import/", "/admin/articles/story/import/"),
        ("/admin/articles/article/import/7/", "/admin/articles/story/import/7/"),
        ("/admin/articles/annotation/", "/admin/articles/note/"),
        ("/admin/articles/annotation/5/change/", "/admin/articles/note/5/change/"),
        (
            "/admin/articles/annotation/?anchor_state__exact=orphaned&q=caf%C3%A9",
            "/admin/articles/note/?anchor_state__exact=orphaned&q=caf%C3%A9",
        ),
    ],
)
def test_an_old_admin_address_redirects_permanently_to_todays(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_bookmarked_change_form_opens_after_the_redirect(admin_client, db):
    story = StoryFactory()
    note = NoteFactory(paragraph__story=story)

    for old, name, pk in [
        (f"/admin/articles/article/{story.pk}/change/", "admin:articles_story_change", story.pk),
        (f"/admin/articles/annotation/{note.pk}/change/", "admin:articles_note_change", note.pk),
    ]:
        response = admin_client.get(old, follow=True)
        assert response.redirect_chain == [(reverse(name, args=[pk]), 301)]
        assert response.status_code == 200


def test_other_admin_addresses_are_not_redirected(admin_client):
    assert admin_client.get("/admin/articles/story/").status_code == 200
    assert admin_client.get("/admin/articles/articles/").status_code == 404
