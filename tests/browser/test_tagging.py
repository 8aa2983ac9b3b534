"""Tagging and the desk dashboard in a browser, as an editor does it; axe-core on those screens."""

import importlib
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Note, Story, Tag
from tests.factories import (
    AsideFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
    current_codenames,
)
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
# What later migrations grant Editors beyond 0002's (transactional tests flush migrated rows).
LATER_GRANTS = {
    "tagsynonym": ("add", "change", "delete", "view"),
    "tagredirect": ("view",),
    "tagchange": ("view",),
    "readmoreaside": ("add", "change", "delete", "view"),
}


@pytest.fixture
def editor_page(live_server, page):
    groups = importlib.import_module("articles.migrations.0002_groups")
    model_actions, extra = groups.GROUPS["Editors"]
    model_actions = {**model_actions, **LATER_GRANTS}
    codenames = {f"{a}_{model}" for model, actions in model_actions.items() for a in actions}
    codenames |= {*extra, "change_any_note"}
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles", codename__in=current_codenames(codenames)
        )
    )
    editor = StaffFactory(username="editor", groups=["Editors"])
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    return page


def open_story(page, live_server, story):
    page.goto(live_server.url + reverse("admin:articles_story_change", args=[story.pk]))


def save_story(page):
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_bulk_action_tags_two_stories_latin_america_and_peru(live_server, editor_page):
    page = editor_page
    first, second = StoryFactory(headline="Coca in the valley"), StoryFactory(headline="Lima")
    StoryFactory(headline="Left alone")
    page.goto(live_server.url + reverse("admin:articles_story_changelist"))
    for story in (first, second):
        page.check(f"input[name=_selected_action][value='{story.pk}']")
    page.select_option("select[name=action]", "add_tags_to_stories")
    page.click("button[name=index]")
    page.fill("#id_tags", "Latin America, Peru")
    page.click("input[name=apply]")

    expect(page.locator(".messagelist .success")).to_have_text(
        "Added “Latin America”, “Peru” to 2 stories."
    )
    row = page.locator("tr", has_text="Coca in the valley")
    expect(row.locator("td.field-tag_list")).to_have_text("Latin America, Peru")
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Latin America", "Peru"]


def test_story_form_takes_two_tags_one_with_a_space(live_server, editor_page):
    page = editor_page
    story = StoryFactory()
    ParagraphFactory(story=story)
    open_story(page, live_server, story)

    page.fill("#id_tags", "Latin America, Peru")
    save_story(page)

    expect(page.locator("#id_tags")).to_have_value("Latin America, Peru")
    assert sorted(Story.objects.get(pk=story.pk).tags.names()) == ["Latin America", "Peru"]


def test_autocomplete_offers_existing_tags_and_takes_one_by_keyboard(live_server, editor_page):
    page = editor_page
    TagFactory(name="Latin America", slug="latin-america")
    story = StoryFactory()
    ParagraphFactory(story=story)
    open_story(page, live_server, story)

    field = page.locator("#id_tags")
    field.focus()
    page.keyboard.type("Peru, lat")
    offers = page.get_by_role("listbox", name="Existing tags")
    expect(offers.get_by_role("option")).to_have_count(1)
    expect(field).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(offers.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    expect(field).to_have_value("Peru, Latin America, ")
    expect(offers).to_be_hidden()
    save_story(page)
    assert sorted(Story.objects.get(pk=story.pk).tags.names()) == ["Latin America", "Peru"]
    assert Tag.objects.count() == 2


def test_a_suggested_tag_is_added_in_one_click_and_kept_on_save(live_server, editor_page):
    page = editor_page
    TagFactory(name="Cocaine", slug="cocaine")
    story = StoryFactory(headline="Cocaine on the river")
    ParagraphFactory(story=story, text="Police seized cocaine near the border.")
    open_story(page, live_server, story)
    expect(page.locator("#id_tags")).to_have_value("")

    page.get_by_role("button", name="Add “Cocaine”").click()

    expect(page.locator("#id_tags")).to_have_value("Cocaine, ")
    expect(page.get_by_role("status").filter(has_text="Cocaine added")).to_have_count(1)
    assert not Story.objects.get(pk=story.pk).tags.exists()  # nothing without a save
    save_story(page)
    assert list(Story.objects.get(pk=story.pk).tags.names()) == ["Cocaine"]


def test_merging_tags_sends_the_old_tag_page_to_the_kept_one(live_server, editor_page, new_page):
    page = editor_page
    peru = TagFactory(name="Peru", slug="peru")
    accented = TagFactory(name="Perú", slug="peru-accented")
    StoryFactory.create_batch(2, tags=[peru])
    StoryFactory(tags=[accented], headline="Coca growers protest")
    page.goto(live_server.url + reverse("admin:articles_tag_changelist"))
    for tag in (peru, accented):
        page.check(f"input[name=_selected_action][value='{tag.pk}']")
    page.select_option("select[name=action]", "merge_selected_tags")
    page.click("button[name=index]")
    expect(page.get_by_role("radio", name="Peru (2 stories)")).to_be_checked()
    page.click("input[name=apply]")
    expect(page.locator(".messagelist .success")).to_contain_text("Merged “Perú” into “Peru”")

    reader = new_page()
    response = reader.goto(live_server.url + "/tags/peru-accented/")
    assert response.request.redirected_from.url == live_server.url + "/tags/peru-accented/"
    assert response.request.redirected_from.response().status == 301
    assert reader.url == live_server.url + "/tags/peru/"
    expect(reader.get_by_role("link", name="Coca growers protest")).to_be_visible()


@pytest.fixture
def desk():
    tagged = StoryFactory(tags=[TagFactory(name="Peru", slug="peru")])
    NoteFactory.create_batch(
        2, paragraph=ParagraphFactory(story=tagged), state=Note.State.SUBMITTED
    )
    NoteFactory(anchor_state=Note.AnchorState.ORPHANED, kind=Note.Kind.INTERNAL)
    AsideFactory.create_batch(3, story=tagged)


def test_dashboard_counts_lead_to_their_lists(live_server, editor_page, desk):
    page = editor_page
    page.goto(live_server.url + reverse("admin:index"))
    dashboard = page.get_by_role("region", name="Needs attention")
    expect(dashboard.get_by_role("link", name="2 Notes awaiting review")).to_be_visible()
    expect(dashboard.get_by_role("link", name="1 Orphaned notes")).to_be_visible()

    dashboard.get_by_role("link", name="3 Unresolved read-more asides").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Select read-more aside to change")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#content-main")).not_to_contain_text("hours ahead of server time")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "screen",
    ["story form", "dashboard", "tag list", "tag page", "merge tags", "near-duplicates"],
)
def test_editors_screens_have_no_accessibility_violations(
    live_server, chromium, desk, screen, scheme, tmp_path
):
    # Signed in by a session cookie in a context with the colour scheme and CSP bypassed.
    from django.test import Client

    editor = StaffFactory(username="editor", is_superuser=True)
    client = Client()
    client.force_login(editor)
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    story = Story.objects.filter(tags__isnull=False).first()
    TagFactory(name="Protests", slug="protests")
    TagFactory(name="protest", slug="protest")
    TagFactory(name="Cocaine", slug="cocaine")
    ParagraphFactory(story=story, text="Cocaine seized; protests followed.")
    peru = Tag.objects.get(name="Peru")
    urls = {
        "story form": reverse("admin:articles_story_change", args=[story.pk]),
        "dashboard": reverse("admin:index"),
        "tag list": reverse("admin:articles_tag_changelist"),
        "tag page": reverse("admin:articles_tag_change", args=[peru.pk]),
        "near-duplicates": reverse("admin:articles_tag_near_duplicates"),
    }
    if screen == "merge tags":
        page.goto(live_server.url + reverse("admin:articles_tag_near_duplicates"))
        page.get_by_role("button", name="Merge these…").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Merge tags")
    else:
        page.goto(live_server.url + urls[screen])
    if screen == "story form":
        page.fill("#id_tags", "")
        page.locator("#id_tags").focus()
        page.keyboard.type("Peru, pro")
        expect(
            page.get_by_role("listbox", name="Existing tags").get_by_role("option").first
        ).to_be_visible()
    page.screenshot(path=str(tmp_path / f"{screen}-{scheme}.png"), full_page=True)

    violations = axe_violations(page)
    context.close()
    assert violations == [], json.dumps(violations, indent=1)
