"""The accountable record: a story's Changes page and versions, classifying a change, the
corrections page and its feed, the policy pages, the structured data that names them, and
the W3C export's pointer to the text a note was written on."""

import io
import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.editing.history import record_version
from articles.models import Note, PolicyPage, Story, StoryVersion
from articles.notes.w3c import xsd_datetime
from articles.pages.images import make_lead_image_renditions
from articles.record.diff import Piece, word_diff
from articles.record.services import classify_version
from tests import schema_org, w3c
from tests.factories import (
    CorrectionNoteFactory,
    FactCheckNoteFactory,
    NoteFactory,
    ParagraphFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db


def whole_seconds(moment):
    return moment.replace(microsecond=0)


def edit(paragraph, text, *, at):
    """Change a paragraph of a published story and record the version, at a given time."""
    paragraph.text = text
    paragraph.save()
    version = record_version(story=paragraph.story)
    StoryVersion.objects.filter(pk=version.pk).update(created_at=at)
    version.created_at = at
    return version


@pytest.fixture
def story():
    story = StoryFactory(
        headline="Soldier killed in coca raid",
        published_at=whole_seconds(timezone.now() - timedelta(days=3)),
    )
    ParagraphFactory(story=story, position=0, text="A soldier was killed on Wednesday.")
    ParagraphFactory(story=story, position=1, text="The raid seized 660 pounds of paste.")
    first = record_version(story=story)
    StoryVersion.objects.filter(pk=first.pk).update(created_at=story.published_at)
    return story


def paragraphs(story):
    return list(story.blocks.order_by("position"))


def changes_url(story):
    return reverse("articles:story-changes", kwargs={"slug": story.slug})


def json_ld_documents(content: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    return [json.loads(script) for script in scripts]


# The diff -------------------------------------------------------------------------------------


def test_word_diff_marks_only_the_words_that_changed():
    assert word_diff("seized 660 pounds of paste", "seized about 660 pounds of paste") == [
        Piece("same", "seized"),
        Piece("added", " about"),
        Piece("same", " 660 pounds of paste"),
    ]


def test_word_diff_keeps_punctuation_apart_from_its_word():
    assert word_diff("the other assailants.", "the other assailants. Officials spoke.") == [
        Piece("same", "the other assailants."),
        Piece("added", " Officials spoke."),
    ]


# The Changes page ------------------------------------------------------------------------------


def test_story_edited_twice_shows_both_changes_dated_newest_first(client, story):
    first, second = paragraphs(story)
    now = whole_seconds(timezone.now())
    edit(second, "The raid seized about 660 pounds of paste.", at=now - timedelta(hours=2))
    edit(first, "A Peruvian soldier was killed on Wednesday.", at=now - timedelta(hours=1))

    response = client.get(changes_url(story))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('<li class="version') == 3
    assert content.index('id="v3"') < content.index('id="v2"') < content.index('id="v1"')
    assert "A<ins> Peruvian</ins> soldier was killed on Wednesday." in content
    assert "The raid seized<ins> about</ins> 660 pounds of paste." in content
    assert f'href="{story.get_absolute_url()}#p-{first.key}"' in content


def test_removed_and_added_paragraphs_are_listed_whole(client, story):
    first, second = paragraphs(story)
    second.delete()
    ParagraphFactory(story=story, position=2, text="Officials said the operation goes on.")
    record_version(story=story)
    content = client.get(changes_url(story)).content.decode()
    assert "<del>The raid seized 660 pounds of paste.</del>" in content
    assert "<ins>Officials said the operation goes on.</ins>" in content


def test_updated_line_links_to_the_changes_page(client, story):
    Story.objects.filter(pk=story.pk).update(updated_at=timezone.now())
    content = client.get(story.get_absolute_url()).content.decode()
    assert f'<span class="updated"><a href="{changes_url(story)}">Updated' in content


def test_a_version_page_shows_the_text_as_it_was(client, story):
    _, second = paragraphs(story)
    edit(second, "The raid seized 300 kilograms of paste.", at=whole_seconds(timezone.now()))
    url = reverse("articles:story-version", kwargs={"slug": story.slug, "number": 1})
    content = client.get(url).content.decode()
    assert "The raid seized 660 pounds of paste." in content
    assert "300 kilograms" not in content
    assert '<meta name="robots" content="noindex">' in content


@pytest.mark.parametrize("page", ["changes", "version"])
def test_a_draft_has_no_public_record(client, story, page):
    Story.objects.filter(pk=story.pk).update(status=Story.Status.DRAFT)
    url = (
        changes_url(story)
        if page == "changes"
        else reverse("articles:story-version", kwargs={"slug": story.slug, "number": 1})
    )
    assert client.get(url).status_code == 404


def test_changes_page_queries_do_not_grow_with_versions(client, story, django_assert_num_queries):
    _, second = paragraphs(story)
    now = whole_seconds(timezone.now())
    for n in range(20):
        edit(second, f"The raid seized {n} pounds of paste.", at=now - timedelta(minutes=30 - n))
    # the story with its section, its versions, the section menu
    with django_assert_num_queries(3):
        response = client.get(changes_url(story))
    assert response.content.decode().count('<li class="version') == 21


# Classifying a change ------------------------------------------------------------------------


def test_a_typo_fix_is_listed_but_not_announced(client, story):
    _, second = paragraphs(story)
    version = edit(second, "The raid seized 660 pounds of coca paste.", at=timezone.now())
    classify_version(version=version, kind=StoryVersion.Kind.TYPO, summary="")
    assert "Typo fix" in client.get(changes_url(story)).content.decode()
    assert "story-announcements" not in client.get(story.get_absolute_url()).content.decode()


def test_a_correction_is_announced_on_the_story_and_the_corrections_page(client, story):
    _, second = paragraphs(story)
    version = edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    classify_version(
        version=version,
        kind=StoryVersion.Kind.CORRECTION,
        summary="The seizure was 300 kilograms, not 660 pounds.",
    )
    page = client.get(story.get_absolute_url()).content.decode()
    assert "The seizure was 300 kilograms, not 660 pounds." in page
    assert f'href="{changes_url(story)}#v2">See what changed</a>' in page
    corrections = client.get(reverse("articles:corrections")).content.decode()
    assert "The seizure was 300 kilograms, not 660 pounds." in corrections
    assert story.headline in corrections


def test_classifying_a_change_purges_the_story_and_the_corrections_page(
    client, story, django_capture_on_commit_callbacks
):
    _, second = paragraphs(story)
    version = edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    corrections_url = reverse("articles:corrections")
    # Both pages are in the page cache now.
    assert "Weight corrected." not in client.get(story.get_absolute_url()).content.decode()
    assert "Weight corrected." not in client.get(corrections_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        classify_version(
            version=version, kind=StoryVersion.Kind.CORRECTION, summary="Weight corrected."
        )

    assert "Weight corrected." in client.get(story.get_absolute_url()).content.decode()
    assert "Weight corrected." in client.get(corrections_url).content.decode()


@pytest.mark.parametrize(
    ("number", "kind", "summary", "error"),
    [
        (2, StoryVersion.Kind.CORRECTION, " ", "Say what changed"),
        (2, StoryVersion.Kind.FIRST, "", "edit, a typo fix"),
        (1, StoryVersion.Kind.TYPO, "", "first published version"),
    ],
    ids=["correction-without-summary", "change-called-first", "first-called-typo"],
)
def test_classifications_that_would_mislead_readers_are_refused(
    story, number, kind, summary, error
):
    _, second = paragraphs(story)
    edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    version = StoryVersion.objects.get(story=story, number=number)
    with pytest.raises(ValidationError, match=error):
        classify_version(version=version, kind=kind, summary=summary)


def test_an_editor_classifies_a_change_in_the_admin(editor_client, story):
    _, second = paragraphs(story)
    version = edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    url = reverse("admin:articles_storyversion_change", args=[version.pk])
    response = editor_client.post(url, {"kind": "correction", "summary": "Weight corrected."})
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.kind, version.summary) == ("correction", "Weight corrected.")


def test_the_admin_refuses_a_correction_without_a_summary(editor_client, story):
    _, second = paragraphs(story)
    version = edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    url = reverse("admin:articles_storyversion_change", args=[version.pk])
    response = editor_client.post(url, {"kind": "correction", "summary": ""})
    assert response.status_code == 200
    assert "Say what changed" in response.content.decode()
    version.refresh_from_db()
    assert version.kind == "edit"


# The corrections page and its feed -------------------------------------------------------------


def test_corrections_page_lists_each_correction_with_story_date_and_what_was_wrong(client):
    note = CorrectionNoteFactory(corrected_at=whole_seconds(timezone.now()))
    hidden = CorrectionNoteFactory(state=Note.State.DRAFT, correction_wrong="SECRET")
    content = client.get(reverse("articles:corrections")).content.decode()
    assert note.story.headline in content
    assert f'href="{note.story.get_absolute_url()}#note-{note.pk}"' in content
    assert "The story said “The paste is made from poppies.”" in content
    assert timezone.localtime(note.corrected_at).strftime("%B %-d, %Y") in content
    assert "SECRET" not in content
    assert hidden.story.headline not in content


def test_corrections_feed_is_rss_with_one_item_per_correction(client):
    notes = [CorrectionNoteFactory() for _ in range(3)]
    response = client.get(reverse("articles:corrections-feed-rss"))
    feed = feedparser.parse(response.content)
    assert feed.version == "rss20"
    assert len(feed.entries) == 3
    links = {entry.link for entry in feed.entries}
    assert links == {f"http://testserver{n.story.get_absolute_url()}#note-{n.pk}" for n in notes}


def test_corrections_page_queries_do_not_grow(client, django_assert_num_queries):
    for _ in range(15):
        CorrectionNoteFactory()
    # correction notes with stories, correction versions with stories, the section menu
    with django_assert_num_queries(3):
        response = client.get(reverse("articles:corrections"))
    assert response.content.decode().count('<li class="correction-entry">') == 15


# Policy pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["publishing-principles", "corrections-policy"])
def test_policy_pages_exist_and_every_page_links_them(client, kind):
    response = client.get(reverse("articles:policy", kwargs={"kind": kind}))
    assert response.status_code == 200
    assert PolicyPage.objects.get(kind=kind).title in response.content.decode()
    front = client.get("/").content.decode()
    assert f'href="/about/{kind}/"' in front


def test_an_editor_rewrites_a_policy_page_in_the_admin(editor_client, client):
    page = PolicyPage.objects.get(kind="corrections-policy")
    url = reverse("admin:articles_policypage_change", args=[page.pk])
    response = editor_client.post(
        url, {"title": "How we correct", "body": "We fix errors **fast**."}
    )
    assert response.status_code == 302
    client.logout()
    content = client.get(page.get_absolute_url()).content.decode()
    assert "How we correct" in content
    assert "We fix errors <strong>fast</strong>." in content


# Structured data -----------------------------------------------------------------------------


def test_story_json_ld_lists_corrections_and_a_claim_review_per_fact_check(client, story):
    first, second = paragraphs(story)
    correction = CorrectionNoteFactory(paragraph=first, start=2, end=9)
    check = FactCheckNoteFactory(paragraph=second, start=4, end=9)
    version = edit(second, "The raid seized 300 kilograms of paste.", at=timezone.now())
    classify_version(version=version, kind="correction", summary="The weight was wrong.")
    content = client.get(story.get_absolute_url()).content.decode()
    document, review = json_ld_documents(content)
    canonical = f"http://testserver{story.get_absolute_url()}"

    assert [c["text"] for c in document["correction"]] == [
        "An earlier version of this story said “The paste is made from poppies.” where it "
        "should have said “The paste is made from coca leaves.”.",
        "The weight was wrong.",
    ]
    assert document["correction"][0]["url"] == f"{canonical}#note-{correction.pk}"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == check.claim
    assert review["reviewRating"]["alternateName"] == "Mostly true"
    assert review["reviewRating"]["ratingValue"] == 4
    assert review["itemReviewed"]["appearance"]["url"] == f"{canonical}#p-{second.key}"
    assert review["author"]["name"] == "VICE News"
    for each in (document, review):
        assert schema_org.problems(each) == []


def test_schema_checker_refuses_what_schema_org_does_not_define():
    """The guard itself: a property on the wrong type, or a value of the wrong type."""
    assert schema_org.problems({"@type": "NewsArticle", "correctionsPolicy": "https://x.org/"})
    assert schema_org.problems({"@type": "Rating", "ratingValue": True})
    assert schema_org.problems({"@type": "ClaimReview", "itemReviewed": {"@type": "Nope"}})
    assert not schema_org.problems(
        {"@type": "NewsMediaOrganization", "correctionsPolicy": "https://x.org/"}
    )


# The W3C export: the text a note was written on ----------------------------------------------


def test_w3c_state_points_at_the_version_the_note_was_written_on(client, story):
    first, second = paragraphs(story)
    now = whole_seconds(timezone.now())
    note = NoteFactory(paragraph=first, start=2, end=9, created_at=now - timedelta(hours=2))
    edit(second, "The raid seized 300 kilograms of paste.", at=now - timedelta(hours=1))
    later = NoteFactory(paragraph=first, start=10, end=13, created_at=now)

    states = {}
    for each in (note, later):
        document = client.get(reverse("articles:annotation", args=[each.pk])).json()
        states[each.pk] = document["target"]["state"]
        assert w3c.failed_rules(document, w3c.ANNOTATION_MUSTS) == set()

    version_url = "http://testserver" + reverse(
        "articles:story-version", kwargs={"slug": story.slug, "number": 1}
    )
    assert states[note.pk] == {
        "type": "TimeState",
        "sourceDate": xsd_datetime(note.created_at),
        "cached": version_url,
    }
    assert states[later.pk]["cached"].endswith("/versions/2/")
    assert client.get(states[note.pk]["cached"]).status_code == 200


# Lead images -----------------------------------------------------------------------------------


def story_with_lead_image(width: int, height: int):
    """A story whose uploaded lead image is a JPEG of that size (MEDIA_ROOT set by the test)."""
    story = StoryFactory(image_alt="A valley")
    ParagraphFactory(story=story)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(buffer, "JPEG")
    story.lead_image.save("valley.jpg", ContentFile(buffer.getvalue()))
    return story


def test_lead_image_renditions_are_webp_with_width_and_height(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    story = story_with_lead_image(1800, 1200)

    made = make_lead_image_renditions(story=story)

    assert [(r.width, r.height) for r in made] == [
        (480, 320),
        (800, 533),
        (1200, 800),
        (1600, 1067),
    ]
    with Image.open(made[0].image.path) as image:
        assert image.format == "WEBP"
    content = client.get(story.get_absolute_url()).content.decode()
    assert 'width="1600" height="1067" alt="A valley"' in content
    assert f"{made[0].image.url} 480w" in content


def test_story_cards_offer_the_lead_image_renditions(client, settings, tmp_path):
    """The front page's and the section page's cards list every rendition in `srcset`."""
    settings.MEDIA_ROOT = tmp_path
    story = story_with_lead_image(1000, 500)
    made = make_lead_image_renditions(story=story)
    srcset = ", ".join(f"{r.image.url} {r.width}w" for r in made)
    assert [r.width for r in made] == [480, 800, 1000]

    for url in (reverse("articles:front"), story.section.get_absolute_url()):
        content = client.get(url).content.decode()
        assert f'srcset="{srcset}"' in content, url
        assert 'width="1000" height="500" alt="A valley"' in content, url
