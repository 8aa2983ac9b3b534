"""Notifications: who is told about replies, mentions, reviews and publications; the inbox."""

import pytest
from django.urls import reverse

from articles.editing.publishing import publish_stories
from articles.models import Note, Notification, Story
from articles.notes.editing import (
    Selection,
    create_note,
    reply_to_note,
    update_note,
)
from articles.notes.review import publish_note, submit_note
from tests.factories import (
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
)
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db


def told(user) -> list[tuple[str, str]]:
    return [(n.reason, n.message) for n in Notification.objects.filter(recipient=user)]


def test_a_reply_tells_the_note_author_and_earlier_repliers_by_inbox_and_email(
    django_capture_on_commit_callbacks, mailoutbox
):
    author = StaffFactory(username="ana", first_name="Ana", last_name="Ruiz", groups=["Editors"])
    earlier = StaffFactory(username="bo", groups=["Editors"])
    replier = StaffFactory(username="cy", first_name="Cy", groups=["Editors"])
    note = NoteFactory(author=author)
    reply_to_note(note=note, body="A first thought.", user=earlier)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_note(note=note, body="Agreed.", user=replier)
    assert mailoutbox == []  # queued, not sent in the request
    assert told(author) == [("reply", f"Cy replied on the context note on “{note.quote_exact}”")]
    assert [n.reason for n in Notification.objects.filter(recipient=earlier)] == ["reply"]
    assert told(replier) == []
    assert run_ready_tasks() == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == ["ana@example.org", "bo@example.org"]
    mail = next(mail for mail in mailoutbox if mail.to == ["ana@example.org"])
    assert "Cy replied on the context note" in mail.subject
    assert f"/annotate/?note={note.pk}" in mail.body


def test_mentions_tell_the_named_editors_once_and_not_an_email_address():
    writer = StaffFactory(username="writer", groups=["Editors"])
    alice = StaffFactory(username="alice", groups=["Annotators"])
    bob = StaffFactory(username="bob", groups=["Annotators"])
    StaffFactory(username="example.com", groups=["Annotators"])
    paragraph = ParagraphFactory(text="Soldiers were killed near the border on Tuesday.")
    note = create_note(
        paragraph=paragraph,
        selection=Selection(start=0, end=8, exact="Soldiers"),
        fields={"kind": "context", "body": "@Alice, see ana@example.com."},
        user=writer,
    )
    assert [n.reason for n in Notification.objects.filter(recipient=alice)] == ["mention"]
    assert Notification.objects.count() == 1
    update_note(
        note=note,
        version=note.version,
        fields={"body": "@alice and @bob."},
        user=writer,
    )
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert [n.reason for n in Notification.objects.filter(recipient=bob)] == ["mention"]


def test_a_mention_in_a_reply_is_a_mention_not_a_reply():
    author = StaffFactory(username="ana", groups=["Editors"])
    replier = StaffFactory(username="cy", groups=["Editors"])
    note = NoteFactory(author=author)
    reply_to_note(note=note, body="@ana can you check?", user=replier)
    assert [n.reason for n in Notification.objects.filter(recipient=author)] == ["mention"]


def test_a_review_request_goes_to_editors_who_may_publish_notes():
    annotator = StaffFactory(username="ann", groups=["Annotators"])
    other_annotator = StaffFactory(username="oth", groups=["Annotators"])
    editor = StaffFactory(username="ed", groups=["Editors"])
    note = NoteFactory(author=annotator, state=Note.State.DRAFT)
    submit_note(note=note, version=note.version, user=annotator)
    assert [n.reason for n in Notification.objects.filter(recipient=editor)] == ["review-request"]
    assert told(other_annotator) == []
    assert told(annotator) == []


def test_making_a_note_public_tells_its_author():
    author = StaffFactory(username="ann", groups=["Annotators"])
    editor = StaffFactory(username="ed", groups=["Editors"])
    note = NoteFactory(author=author, state=Note.State.DRAFT)
    update_note(note=note, version=note.version, fields={"body": "Shorter."}, user=editor)
    assert told(author) == []
    note.refresh_from_db()
    publish_note(note=note, version=note.version, user=editor)
    assert [n.reason for n in Notification.objects.filter(recipient=author)] == ["published"]


def test_publishing_a_story_tells_its_authors_with_a_login():
    editor = StaffFactory(username="ed", groups=["Editors"])
    reporter = StaffFactory(username="rep", groups=["Editors"])
    story = StoryFactory(
        status=Story.Status.DRAFT,
        published_at=None,
        headline="Coca fields burn",
        authors=[AuthorFactory(user=reporter), AuthorFactory()],
    )
    publish_stories(story_ids=[story.pk], user=editor)
    assert told(reporter) == [("published", "ed published “Coca fields burn”")]
    assert told(editor) == []


def test_the_admin_header_counts_unread_and_the_inbox_shows_only_ones_own(client):
    me = StaffFactory(username="me", groups=["Editors"])
    other = StaffFactory(username="other", groups=["Editors"])
    note = NoteFactory(author=me)
    reply_to_note(note=note, body="First.", user=other)
    reply_to_note(note=note, body="Second.", user=other)
    theirs = NoteFactory(author=other)
    reply_to_note(note=theirs, body="Not for me.", user=me)
    client.force_login(me)

    index = client.get(reverse("admin:index"))
    assert "Inbox <strong>(2 unread)</strong>" in index.content.decode()

    inbox = client.get(reverse("admin:articles_notification_changelist"))
    assert inbox.status_code == 200
    links = [
        reverse("admin:articles_notification_open", args=[n.pk])
        for n in Notification.objects.filter(recipient=me)
    ]
    assert all(
        f'<a href="{link}"><strong>other replied' in inbox.content.decode() for link in links
    )
    assert "me replied" not in inbox.content.decode()

    mine = Notification.objects.filter(recipient=me).first()
    opened = client.get(reverse("admin:articles_notification_open", args=[mine.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == (
        reverse("admin:articles_story_annotate", args=[note.story_id]) + f"?note={note.pk}"
    )
    mine.refresh_from_db()
    assert mine.is_read
    assert (
        "Inbox <strong>(1 unread)</strong>" in client.get(reverse("admin:index")).content.decode()
    )

    not_mine = Notification.objects.get(recipient=other)
    response = client.get(reverse("admin:articles_notification_open", args=[not_mine.pk]))
    assert response.status_code == 404
    not_mine.refresh_from_db()
    assert not not_mine.is_read

    client.post(reverse("admin:articles_notification_read_all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert not Notification.objects.get(recipient=other).is_read
    assert ">Inbox</a>" in client.get(reverse("admin:index")).content.decode()


def test_webhook_deliveries_are_for_administrators(client):
    client.force_login(StaffFactory(username="ed", groups=["Editors"]))
    url = reverse("admin:articles_webhookdelivery_changelist")
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory(username="root", is_superuser=True))
    assert client.get(url).status_code == 200
