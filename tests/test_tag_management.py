"""Tags as editors manage them: comma-separated names, synonyms, rename, merge (with 301s from
the merged tag's addresses), near-duplicates, suggestions, the autocomplete and the history."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.editing.tagging import add_tags, merge_tags
from articles.models import RelatedStory, Story, Tag, TagChange, TagRedirect, TagSynonym
from articles.related.tag_suggestions import suggest_tags
from articles.search.index import index_stories
from articles.text.tag_names import duplicate_key, format_tag_names, parse_tag_names
from tests.factories import ParagraphFactory, StoryFactory, TagFactory
from tests.tasks import queued, run_worker
from tests.test_admin import STORIES, change_url, form_data, messages_of
from tests.test_refresh_wiring import search

TAGS = reverse("admin:articles_tag_changelist")


# Names


def test_only_commas_separate_tag_names_and_no_quotes_are_needed():
    assert parse_tag_names("Latin America, Peru") == ["Latin America", "Peru"]
    assert parse_tag_names('"Drug war", peru, Peru ,, ') == ['"Drug war"', "peru"]
    assert parse_tag_names("Latin America") == ["Latin America"]


def test_tag_names_are_shown_comma_separated_without_quotes():
    assert format_tag_names(["Peru", "Drug war", "latin America"]) == (
        "Drug war, latin America, Peru"
    )


@pytest.mark.parametrize(
    "first, second",
    [("Protests", "protest"), ("Perú", "peru"), ("Drug Wars", "drug war"), ("Cities", "city")],
)
def test_names_differing_in_case_accents_or_plural_are_near_duplicates(first, second):
    assert duplicate_key(first) == duplicate_key(second)


def test_different_names_are_not_near_duplicates():
    assert duplicate_key("Peru") != duplicate_key("Paris")
    assert duplicate_key("Status") == duplicate_key("status")  # "us" is no plural to strip


def test_story_form_takes_two_tags_one_with_a_space_and_shows_them_without_quotes(editor_client):
    story = StoryFactory()
    ParagraphFactory(story=story)
    data = form_data(editor_client.get(change_url(story)), "story_form")
    data["tags"] = "Latin America, Peru"

    response = editor_client.post(change_url(story), data)

    assert response.status_code == 302
    assert sorted(story.tags.names()) == ["Latin America", "Peru"]
    page = editor_client.get(change_url(story))
    assertContains(page, 'value="Latin America, Peru"')
    assert sorted(TagChange.objects.values_list("tag_name", "action", "user__username")) == [
        ("Latin America", "created", "editor"),
        ("Peru", "created", "editor"),
    ]


def test_a_synonym_tags_the_story_with_its_tag(editor, editor_client):
    peru = TagFactory(name="Peru")
    TagSynonym.objects.create(tag=peru, name="Perú")
    story = StoryFactory()

    add_tags(story_ids=[story.pk], names=["perú"], user=editor)

    assert list(story.tags.names()) == ["Peru"]
    assert not Tag.objects.filter(name__iexact="perú").exists()


# Merging


@pytest.fixture
def merge_pair(db):
    peru = TagFactory(name="Peru", slug="peru")
    peru_accented = TagFactory(name="Perú", slug="peru-accented")
    both = StoryFactory(tags=[peru, peru_accented])
    only_accented = StoryFactory(tags=[peru_accented])
    only_peru = StoryFactory(tags=[peru])
    return peru, peru_accented, both, only_accented, only_peru


def test_merge_moves_stories_and_keeps_one_tag_per_story(editor, merge_pair):
    peru, accented, both, only_accented, only_peru = merge_pair
    moved = merge_tags(sources=[accented], target=peru, user=editor)

    assert moved == 2
    assert not Tag.objects.filter(pk=accented.pk).exists()
    for story in (both, only_accented, only_peru):
        assert list(story.tags.names()) == ["Peru"]
    assert list(peru.synonyms.values_list("name", flat=True)) == ["Perú"]
    assert TagRedirect.objects.get(slug="peru-accented").tag == peru
    history = list(
        TagChange.objects.filter(tag=peru).values_list("tag_name", "action", "user__username")
    )
    assert ("Perú", "merged", "editor") in history
    assert ("Peru", "merged-in", "editor") in history


def test_a_story_form_opened_before_a_merge_saves_the_kept_tag(editor, editor_client, merge_pair):
    peru, accented, both, only_accented, _ = merge_pair
    stale = form_data(editor_client.get(change_url(only_accented)), "story_form")
    assert stale["tags"] == ["Perú"]

    merge_tags(sources=[accented], target=peru, user=editor)
    response = editor_client.post(change_url(only_accented), stale)

    assert response.status_code == 302
    assert list(only_accented.tags.names()) == ["Peru"]
    assert not Tag.objects.filter(name="Perú").exists()


@pytest.mark.parametrize(
    "name, suffix", [("tag", ""), ("tag-feed-rss", "feed/rss/"), ("tag-feed-atom", "feed/atom/")]
)
def test_merged_tags_page_and_feeds_answer_301_to_the_kept_tags(
    client, editor, merge_pair, name, suffix, django_capture_on_commit_callbacks
):
    peru, accented, *_ = merge_pair
    old_url = reverse(f"articles:{name}", kwargs={"slug": "peru-accented"})
    assert client.get(old_url).status_code == 200  # and cached until the merge purges it

    with django_capture_on_commit_callbacks(execute=True):
        merge_tags(sources=[accented], target=peru, user=editor)

    response = client.get(old_url, {"page": "1"})
    assert response.status_code == 301
    assert response["Location"] == f"/tags/peru/{suffix}?page=1"
    assert client.get(f"/tags/peru/{suffix}").status_code == 200


def test_an_unknown_tag_address_is_still_404(client, merge_pair):
    assert client.get("/tags/never-was/").status_code == 404
    assert client.get("/tags/never-was/feed/rss/").status_code == 404


def test_a_merged_tag_leading_to_a_tag_of_drafts_only_stays_secret(client, editor):
    secret = TagFactory(name="Secret", slug="secret")
    StoryFactory(tags=[secret], status=Story.Status.DRAFT)
    old = TagFactory(name="Old", slug="old")
    merge_tags(sources=[old], target=secret, user=editor)

    assert client.get("/tags/old/").status_code == 404


def test_editor_merges_selected_tags_from_the_tag_list(editor_client, merge_pair):
    peru, accented, both, *_ = merge_pair
    ids = [peru.pk, accented.pk]
    page = editor_client.post(
        TAGS, {"action": "merge_selected_tags", "_selected_action": ids, "index": 0}
    )
    assertContains(page, "<h1>Merge tags</h1>", html=True)
    data = form_data(page, "merge-tags-form")
    # The most used tag is chosen already.
    assert data["target"] == [str(peru.pk)]
    data["apply"] = "Merge tags"

    response = editor_client.post(TAGS, data)

    assert response.status_code == 302
    assert messages_of(response) == [
        "Merged “Perú” into “Peru”: 2 stories moved; the old addresses redirect there."
    ]
    assert list(Tag.objects.values_list("name", flat=True)) == ["Peru"]


def test_a_merge_queues_the_moved_stories_reindexing_for_the_worker(
    editor_client, monkeypatch, django_capture_on_commit_callbacks
):
    """However many stories move, the request re-indexes none; the worker, in chunks, does."""
    monkeypatch.setattr("articles.editing.refresh.CHUNK_SIZE", 2)
    kept = TagFactory(name="Ayacucho", slug="ayacucho")
    merged = TagFactory(name="Huamanga", slug="huamanga")
    moved = [
        StoryFactory(headline=f"Story from the highlands {n}", tags=[merged]) for n in range(3)
    ]
    ids = sorted(story.pk for story in moved)
    index_stories(story_ids=ids)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            TAGS,
            {
                "action": "merge_selected_tags",
                "_selected_action": [kept.pk, merged.pk],
                "target": kept.pk,
                "apply": "Merge tags",
            },
        )

    assert messages_of(response) == [
        "Merged “Huamanga” into “Ayacucho”: 3 stories moved; the old addresses redirect there."
    ]
    assert queued() == [
        ("reindex_stories", {"story_ids": ids[:2]}),
        ("reindex_stories", {"story_ids": ids[2:]}),
    ]
    assert "Story from the highlands" not in search("ayacucho")  # not re-indexed in the request

    assert run_worker(django_capture_on_commit_callbacks) == 2

    results = search("ayacucho")
    assert all(story.headline in results for story in moved)


def test_renaming_a_tags_slug_leaves_the_old_address_redirecting(client, editor_client):
    tag = TagFactory(name="Drug war", slug="drug-war")
    StoryFactory(tags=[tag])
    data = form_data(editor_client.get(change_url(tag)), "tag_form")
    data.update(name="War on drugs", slug="war-on-drugs")

    assert editor_client.post(change_url(tag), data).status_code == 302

    response = client.get("/tags/drug-war/")
    assert response.status_code == 301
    assert response["Location"] == "/tags/war-on-drugs/"
    change = TagChange.objects.get(tag=tag)
    assert (change.action, change.detail, change.user.username) == (
        "renamed",
        "Renamed from “Drug war”.",
        "editor",
    )


def test_near_duplicates_are_listed_with_their_usage_for_merging(editor_client):
    protests = TagFactory(name="Protests", slug="protests")
    protest = TagFactory(name="protest", slug="protest")
    TagFactory(name="Peru", slug="peru")
    StoryFactory.create_batch(2, tags=[protests])
    StoryFactory(tags=[protest])

    response = editor_client.get(reverse("admin:articles_tag_near_duplicates"))

    groups = response.context["groups"]
    assert [[tag.name for tag in group] for group in groups] == [["Protests", "protest"]]
    assertContains(response, '<span class="tag-usage">2 stories</span>', html=True)
    assertContains(response, '<span class="tag-usage">1 story</span>', html=True)
    assertContains(response, "Merge these…")


def test_synonyms_added_on_the_tag_page_are_recorded(editor_client):
    tag = TagFactory(name="Peru", slug="peru")
    data = form_data(editor_client.get(change_url(tag)), "tag_form")
    data["synonyms-0-name"] = "Perú"

    response = editor_client.post(change_url(tag), data)

    assert response.status_code == 302
    assert list(tag.synonyms.values_list("name", flat=True)) == ["Perú"]
    assert TagChange.objects.filter(tag=tag, action="synonym-added", detail="“Perú”").exists()


def test_a_synonym_cannot_be_another_tags_name(editor_client):
    tag = TagFactory(name="Peru", slug="peru")
    TagFactory(name="Lima", slug="lima")
    data = form_data(editor_client.get(change_url(tag)), "tag_form")
    data["synonyms-0-name"] = "lima"

    response = editor_client.post(change_url(tag), data)

    assertContains(response, "A tag is called “lima”")


def test_a_tag_name_cannot_hold_a_comma(editor_client):
    tag = TagFactory(name="Peru", slug="peru")
    data = form_data(editor_client.get(change_url(tag)), "tag_form")
    data["name"] = "Lima, Peru"

    response = editor_client.post(change_url(tag), data)

    assertContains(response, "Commas separate tags, so a tag&#x27;s name cannot hold one.")


def test_tag_list_shows_usage_counts_and_synonyms_in_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries
):
    for number in range(30):
        tag = TagFactory(name=f"Topic {number}", slug=f"topic-{number}")
        TagSynonym.objects.create(tag=tag, name=f"Subject {number}")
        StoryFactory.create_batch(number % 3, tags=[tag])

    # Session, user, the user's and groups' permissions, the two counts of the list, the page
    # of tags with their story counts, their synonyms, the inbox's unread count: the same for
    # 30 tags as for 3.
    with django_assert_num_queries(9):
        response = editor_client.get(TAGS)

    assert response.status_code == 200
    assertContains(response, '<td class="field-story_count">2</td>', html=True)
    assertContains(response, '<td class="field-synonym_list">Subject 5</td>', html=True)


# Autocomplete


def test_autocomplete_offers_existing_tags_starting_with_what_was_typed_first(editor_client):
    latin = TagFactory(name="Latin America", slug="latin-america")
    TagFactory(name="Music of Latin America", slug="music-latin")
    TagFactory(name="Peru", slug="peru")
    StoryFactory.create_batch(2, tags=[latin])

    response = editor_client.get(reverse("admin:articles_tag_names"), {"q": "latin"})

    assert response.json() == {
        "results": [
            {"name": "Latin America", "stories": 2},
            {"name": "Music of Latin America", "stories": 0},
        ]
    }


def test_autocomplete_finds_a_tag_by_its_synonym(editor_client):
    peru = TagFactory(name="Peru", slug="peru")
    TagSynonym.objects.create(tag=peru, name="Perú")

    response = editor_client.get(reverse("admin:articles_tag_names"), {"q": "perú"})

    assert response.json() == {"results": [{"name": "Peru", "stories": 0}]}


def test_autocomplete_is_for_staff_only(client):
    response = client.get(reverse("admin:articles_tag_names"), {"q": "a"})
    assert response.status_code == 302  # to the sign-in page


# Suggestions


def test_suggestions_come_from_the_text_and_from_similar_stories_rare_tags_first(editor):
    common = TagFactory(name="News", slug="news")
    cocaine = TagFactory(name="Cocaine", slug="cocaine")
    TagFactory(name="VRAEM", slug="vraem")
    andes = TagFactory(name="Andes", slug="andes")
    StoryFactory.create_batch(20, tags=[common])
    story = StoryFactory(headline="Soldier killed in the VRAEM", tags=[andes])
    ParagraphFactory(story=story, text="News of cocaine seizures and News of the valley.")
    similar = StoryFactory(tags=[cocaine, andes])
    RelatedStory.objects.create(
        story=story, related=similar, source=RelatedStory.Source.COMPUTED, score=0.9
    )

    suggestions = suggest_tags(story=story)

    names = [suggestion.tag.name for suggestion in suggestions]
    # "News", on nearly every story, is named twice but says too little to be offered.
    assert names == ["Cocaine", "VRAEM"]
    reasons = {s.tag.name: s.reason for s in suggestions}
    assert reasons["Cocaine"] == "named in the text, on 1 similar story"
    assert reasons["VRAEM"] == "named in the text"
    assert "Andes" not in names  # the story has it already


def test_story_form_offers_suggested_tags_as_buttons_that_add_nothing_by_themselves(
    editor_client,
):
    TagFactory(name="Cocaine", slug="cocaine")
    story = StoryFactory(headline="Cocaine on the river")
    ParagraphFactory(story=story)

    response = editor_client.get(change_url(story))

    assertContains(
        response,
        '<button type="button" class="button tag-suggestion" data-tag-name="Cocaine">'
        "Add “Cocaine”</button>",
        html=True,
    )
    assert not story.tags.exists()


def test_bulk_action_takes_latin_america_as_one_tag(editor_client):
    stories = StoryFactory.create_batch(2)
    response = editor_client.post(
        STORIES,
        {
            "action": "add_tags_to_stories",
            "_selected_action": [s.pk for s in stories],
            "tags": "Latin America, Peru",
            "apply": "Add tags",
        },
    )

    assert response.status_code == 302
    for story in stories:
        assert sorted(story.tags.names()) == ["Latin America", "Peru"]
    assert not Tag.objects.filter(name__in=["Latin", "America"]).exists()


def test_admin_is_named_after_the_newsroom_and_has_its_icon(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assertNotContains(response, "Django administration")
    assertContains(
        response, '<div id="site-name"><a href="/admin/">VICE News newsroom</a></div>', html=True
    )
    assertContains(response, '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">')
