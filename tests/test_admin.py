"""The editors' admin: the story desk, publishing rights, bulk tags, slugs, asides, notes."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from articles.models import Block, NoteRevision, OldSlug, Section, Story, Tag
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
)

STORIES = "/admin/articles/story/"
ASIDES = "/admin/articles/readmoreaside/"
NOTES = "/admin/articles/note/"


class FormValues(HTMLParser):
    """What a browser would submit, unchanged, from the form with `form_id` on a page."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or not (attrs.get("name") or tag == "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select, self.options = attrs["name"], []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], []

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            for value in chosen or [value for value, _ in self.options[:1]]:
                self.add(self.select, value)
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline Django writes after <textarea>.
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None


def form_data(response, form_id: str) -> dict[str, list[str]]:
    """The admin form's current values, inline management forms included, ready to POST."""
    assert response.status_code == 200
    parser = FormValues(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} on the page"
    return parser.data


def change_url(obj) -> str:
    # The admin lists read-more asides as a model of their own (a proxy of Block).
    is_aside = isinstance(obj, Block) and obj.kind == Block.Kind.ASIDE
    model_name = "readmoreaside" if is_aside else obj._meta.model_name
    return reverse(f"admin:articles_{model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def writer(db):
    """Staff who may write and edit stories, but not publish them."""
    user = StaffFactory(username="writer")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["add_story", "change_story", "view_story", "view_section"],
        )
    )
    return user


# The story list


def test_the_admin_calls_stories_and_notes_by_the_newsrooms_words(admin_client):
    index = admin_client.get(reverse("admin:index"))
    assertContains(index, '<a href="/admin/articles/story/">Stories</a>', html=True)
    assertContains(index, '<a href="/admin/articles/note/">Notes</a>', html=True)
    assertNotContains(index, ">Storys<")  # Django's plural of the model's name

    notes = admin_client.get(reverse("admin:articles_note_changelist"))
    assertContains(notes, "<h1>Select note to change</h1>", html=True)


def test_story_list_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    """32 stories with two authors and three tags each: an N+1 on bylines or tags would show.

    The 11 queries: session and user; the section and tag filter choices; the filtered and the
    total count; the page of stories with their sections; their bylines with authors; their
    tags; the date hierarchy's range, then its days; and the header's inbox count (12).
    """
    authors = AuthorFactory.create_batch(4)
    tags = TagFactory.create_batch(5)
    for number in range(32):
        StoryFactory(
            authors=[authors[number % 4], authors[(number + 1) % 4]],
            tags=tags[number % 3 : number % 3 + 3],
        )

    with django_assert_num_queries(12):
        response = admin_client.get(STORIES)

    assert len(response.context["cl"].result_list) == 32
    byline = f"{authors[1].name}, {authors[2].name}"
    assertContains(response, f'<td class="field-byline">{byline}</td>', html=True)


def test_story_list_shows_bylines_in_order_and_tags(admin_client):
    first, second = AuthorFactory(name="Zoe Zapata"), AuthorFactory(name="Ana Arce")
    StoryFactory(
        headline="Soldiers ambushed",
        authors=[first, second],
        tags=[TagFactory(name="peru"), TagFactory(name="Army")],
    )

    response = admin_client.get(STORIES)

    assertContains(response, '<td class="field-byline">Zoe Zapata, Ana Arce</td>', html=True)
    assertContains(response, '<td class="field-tag_list">Army, peru</td>', html=True)


def test_story_search_finds_stories_by_author_name(admin_client):
    StoryFactory(headline="Found by author", authors=[AuthorFactory(name="Kayla Ruble")])
    StoryFactory(headline="Someone else's", authors=[AuthorFactory(name="Other Person")])

    response = admin_client.get(STORIES, {"q": "ruble"})

    assert [story.headline for story in response.context["cl"].result_list] == ["Found by author"]


# Bulk tags


def test_add_tags_action_asks_for_tags_then_tags_every_selected_story(editor_client):
    bolivia, prisons = TagFactory(name="Bolivia"), TagFactory(name="Latin America")
    selected = [StoryFactory(tags=[bolivia]), StoryFactory(), StoryFactory()]
    already_tagged = StoryFactory(tags=[bolivia, prisons])
    left_alone = StoryFactory(headline="Not selected")
    ids = [story.pk for story in [*selected, already_tagged]]
    changelist = f"{STORIES}?status__exact=published"

    response = editor_client.post(
        changelist, {"action": "add_tags_to_stories", "_selected_action": ids, "index": 0}
    )

    assertTemplateUsed(response, "admin/articles/story/bulk_tags.html")
    assertContains(response, 'name="csrfmiddlewaretoken"')
    for story in selected:
        assertContains(
            response, f'<input type="hidden" name="_selected_action" value="{story.pk}">', html=True
        )
        assertContains(response, f"<li>{story.headline}</li>", html=True)
    assertNotContains(response, left_alone.headline)
    assertContains(
        response, f'<a href="{changelist}" class="button cancel-link">Cancel</a>', html=True
    )

    data = form_data(response, "bulk-tags-form")
    # Commas alone separate tags: a name with a space is one tag, and needs no quotes.
    data["tags"] = "bolivia, Latin America"
    data["apply"] = "Add tags"
    response = editor_client.post(changelist, data)

    assert response.status_code == 302
    assert response["Location"] == changelist
    assert messages_of(response) == ["Added “bolivia”, “Latin America” to 3 stories."]
    for story in [*selected, already_tagged]:
        assert set(story.tags.names()) == {"Bolivia", "Latin America"}
    assert not left_alone.tags.exists()
    assert Tag.objects.filter(name__iexact="bolivia").count() == 1


def test_remove_tags_action_untags_selected_stories_and_counts_those_changed(editor_client):
    bolivia, peru = TagFactory(name="Bolivia"), TagFactory(name="Peru")
    both = StoryFactory(tags=[bolivia, peru])
    only_bolivia = StoryFactory(tags=[bolivia])
    untagged = StoryFactory()
    not_selected = StoryFactory(tags=[bolivia])

    response = editor_client.post(
        STORIES,
        {
            "action": "remove_tags_from_stories",
            "_selected_action": [both.pk, only_bolivia.pk, untagged.pk],
            "tags": "bolivia",
            "apply": "Remove tags",
        },
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Removed “bolivia” from 2 stories."]
    assert list(both.tags.names()) == ["Peru"]
    assert not only_bolivia.tags.exists()
    assert list(not_selected.tags.names()) == ["Bolivia"]


def test_bulk_tag_form_without_tags_asks_again_and_changes_nothing(editor_client):
    story = StoryFactory()

    response = editor_client.post(
        STORIES,
        {
            "action": "add_tags_to_stories",
            "_selected_action": [story.pk],
            "tags": " , ",
            "apply": "Add tags",
        },
    )

    assert response.status_code == 200
    assertContains(response, "Enter at least one tag.")
    assert not story.tags.exists()


# Publishing


def test_editor_can_open_a_story_and_publish_it(editor_client):
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, authors=[AuthorFactory()])
    ParagraphFactory(story=story)

    response = editor_client.get(change_url(story))
    data = form_data(response, "story_form")
    data["status"] = "published"
    response = editor_client.post(change_url(story), data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert story.published_at is not None
    assert story.is_public


def test_publish_action_publishes_drafts_and_dates_the_undated(editor_client):
    earlier = timezone.now() - timedelta(days=3)
    dated = StoryFactory(status=Story.Status.DRAFT, published_at=earlier)
    undated = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    before = timezone.now()

    response = editor_client.post(
        STORIES,
        {"action": "publish_stories", "_selected_action": [dated.pk, undated.pk], "index": 0},
    )

    assert messages_of(response) == ["Published 2 stories."]
    dated.refresh_from_db()
    undated.refresh_from_db()
    assert dated.is_public and dated.published_at == earlier
    assert undated.is_public and undated.published_at >= before


def test_unpublish_action_returns_stories_to_drafts(editor_client):
    story = StoryFactory()

    response = editor_client.post(
        STORIES, {"action": "unpublish_stories", "_selected_action": [story.pk], "index": 0}
    )

    assert messages_of(response) == ["Unpublished 1 story."]
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    assert not Story.objects.published().exists()


def test_writer_without_publish_permission_saves_new_stories_as_drafts(client, writer):
    client.force_login(writer)
    section = SectionFactory()
    data = form_data(client.get(reverse("admin:articles_story_add")), "story_form")
    assert "status" not in data and "published_at_0" not in data
    data.update(
        headline="Breaking",
        slug="breaking",
        section=str(section.pk),
        status="published",
        published_at_0="2014-06-20",
        published_at_1="19:41:00",
    )

    response = client.post(reverse("admin:articles_story_add"), data)

    assert response.status_code == 302
    story = Story.objects.get(slug="breaking")
    assert story.status == Story.Status.DRAFT
    assert story.published_at is None


def test_writer_without_publish_permission_has_no_publish_actions(client, writer):
    client.force_login(writer)
    draft = StoryFactory(status=Story.Status.DRAFT, published_at=None)

    response = client.get(STORIES)
    actions = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert {"add_tags_to_stories", "remove_tags_from_stories"} <= actions
    assert not actions & {"publish_stories", "unpublish_stories"}

    client.post(STORIES, {"action": "publish_stories", "_selected_action": [draft.pk], "index": 0})
    draft.refresh_from_db()
    assert draft.status == Story.Status.DRAFT


def test_annotator_cannot_open_the_story_desk_but_can_list_notes(annotator_client):
    note = NoteFactory()

    assert annotator_client.get(change_url(note.story)).status_code == 403
    assert annotator_client.get(STORIES).status_code == 403
    response = annotator_client.get(NOTES)
    assertContains(response, note.quote_exact)


# Slugs


def change_slug(client, story: Story, slug: str) -> None:
    data = form_data(client.get(change_url(story)), "story_form")
    data["slug"] = slug
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_changing_a_slug_in_the_admin_keeps_the_old_address_answering(editor_client, client):
    story = StoryFactory(slug="old-slug", authors=[AuthorFactory()])
    ParagraphFactory(story=story)
    AsideFactory(story=story)

    change_slug(editor_client, story, "new-slug")

    client.logout()
    response = client.get(reverse("articles:story", kwargs={"slug": "old-slug"}))
    assert response.status_code == 301
    assert response["Location"] == reverse("articles:story", kwargs={"slug": "new-slug"})


def test_a_story_can_move_back_to_an_old_slug(editor_client):
    story = StoryFactory(slug="first")

    change_slug(editor_client, story, "second")
    change_slug(editor_client, story, "first")

    assert list(OldSlug.objects.values_list("slug", flat=True)) == ["second"]
    response = editor_client.get(reverse("articles:story", kwargs={"slug": "second"}))
    assert response["Location"] == reverse("articles:story", kwargs={"slug": "first"})


# Read-more asides


def test_unresolved_filter_lists_only_asides_without_a_link(editor_client):
    unresolved = AsideFactory(teaser="Nowhere to go yet.")
    to_story = AsideFactory(teaser="Points at a story.", target_story=StoryFactory())
    to_url = AsideFactory(teaser="Points at a URL.", target_url="https://example.org/")
    ParagraphFactory()

    def listed(query):
        response = editor_client.get(ASIDES, query)
        return {aside.pk for aside in response.context["cl"].result_list}

    assert listed({"link": "unresolved"}) == {unresolved.pk}
    assert listed({"link": "resolved"}) == {to_story.pk, to_url.pk}
    assert listed({}) == {unresolved.pk, to_story.pk, to_url.pk}


def test_editor_points_an_unresolved_aside_at_a_story(editor_client):
    aside = AsideFactory()
    target = StoryFactory(headline="Inside Bolivia's cocaine prison")
    aside_url = reverse("admin:articles_readmoreaside_change", args=[aside.pk])
    response = editor_client.get(aside_url)
    assertContains(response, "<h1>Change read-more aside</h1>", html=True)
    data = form_data(response, "readmoreaside_form")
    data["target_story"] = str(target.pk)

    response = editor_client.post(aside_url, data)

    assert response.status_code == 302
    aside.refresh_from_db()
    assert aside.target_story == target
    assert not Block.objects.unresolved_asides().exists()


def test_story_page_in_admin_links_to_its_unresolved_asides(editor_client):
    story = StoryFactory()
    unresolved = AsideFactory.create_batch(2, story=story)
    AsideFactory(story=story, target_url="https://example.org/")
    AsideFactory()  # Another story's.

    response = editor_client.get(change_url(story))

    link = f"{ASIDES}?story__id__exact={story.pk}&amp;link=unresolved"
    assertContains(response, f'<a href="{link}">2 unresolved read-more asides</a>', html=True)
    response = editor_client.get(ASIDES, {"story__id__exact": story.pk, "link": "unresolved"})
    assert {aside.pk for aside in response.context["cl"].result_list} == {
        aside.pk for aside in unresolved
    }


def test_editor_can_search_stories_and_authors_from_autocomplete_fields(editor_client):
    StoryFactory(headline="Inside Bolivia's cocaine prison")
    AuthorFactory(name="Kayla Ruble")

    def search(model_name, field_name, term):
        response = editor_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "articles",
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )
        assert response.status_code == 200
        return [result["text"] for result in response.json()["results"]]

    assert search("block", "target_story", "cocaine") == ["Inside Bolivia's cocaine prison"]
    assert search("byline", "author", "ruble") == ["Kayla Ruble"]


# Notes


def test_note_list_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    """Session, user, the story and author filter choices, two counts, the page with its joins,
    the header's inbox count."""
    for _ in range(30):
        NoteFactory()

    with django_assert_num_queries(8):
        response = admin_client.get(NOTES)

    assert len(response.context["cl"].result_list) == 30


def test_editing_an_note_records_a_revision_and_replies_carry_their_author(editor_client):
    note = NoteFactory(body="First thoughts.")
    data = form_data(editor_client.get(change_url(note)), "note_form")
    data["body"] = "Second thoughts."
    data["replies-TOTAL_FORMS"] = "1"
    data["replies-0-body"] = "Agreed, resolving."

    response = editor_client.post(change_url(note), data)

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == "Second thoughts."
    reply = note.replies.get()
    assert reply.body == "Agreed, resolving." and reply.author.username == "editor"
    updated, replied = note.revisions.order_by("id")
    assert updated.action == NoteRevision.Action.UPDATED
    assert updated.before["body"] == "First thoughts."
    assert updated.after["body"] == "Second thoughts."
    assert replied.action == NoteRevision.Action.REPLIED


def test_a_section_differing_only_by_capitals_is_refused(editor_client):
    """The importer files "World news" under "World News"; an editor cannot split it either,
    but may change a section's own capitals."""
    world = SectionFactory(name="World News", slug="world")
    response = editor_client.post(
        reverse("admin:articles_section_add"),
        {"name": "world news", "slug": "world-news", "position": 0},
    )
    assert response.status_code == 200
    assertContains(response, "There is already a section “World News”")
    assert Section.objects.count() == 1

    response = editor_client.post(
        reverse("admin:articles_section_change", args=[world.pk]),
        {"name": "World news", "slug": "world", "position": 0},
    )
    assert response.status_code == 302
    assert Section.objects.get().name == "World news"
