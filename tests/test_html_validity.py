"""Reader pages are valid HTML5, checked by the Nu HTML Checker (vnu.jar, run with java).

The checker is first shown to catch a known-bad document, and its runner to fail when the
checker's answer is missing or incomplete: a checker that cannot see errors passes every page.
"""

import subprocess

import pytest
from django.urls import reverse

from articles.data.plaintext import import_story_file
from articles.editing.history import record_version
from articles.notes.loading import load_note_file
from tests import tools
from tests.factories import AsideFactory, AuthorFactory, StoryFactory, TagFactory
from tests.tools import html_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_pages(client, seed_dir):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    tag = TagFactory(name="Peru", slug="peru", description="News from Peru.")
    story.tags.add(tag, "coca")
    author = AuthorFactory(name="Ana <b>Pérez</b>", bio="Bio with <script>x</script>")
    other = StoryFactory(authors=[author], tags=[tag], headline='A "quoted" & <odd> headline')
    AsideFactory(story=other, target_story=story)
    paragraph = story.blocks.filter(kind="paragraph").first()
    paragraph.text += " A sentence added later."
    paragraph.save()
    record_version(story=story)
    urls = {
        "front": reverse("articles:front"),
        "story": story.get_absolute_url(),
        "other story": other.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "not found": "/stories/no-such-story/",
        "changes": reverse("articles:story-changes", kwargs={"slug": story.slug}),
        "version": reverse("articles:story-version", kwargs={"slug": story.slug, "number": 1}),
        "corrections": reverse("articles:corrections"),
        "policy": reverse("articles:policy", kwargs={"kind": "corrections-policy"}),
        "search": reverse("articles:search") + "?q=coca",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), name
        pages[name] = response.content
    return pages


CONTROL = (
    '<!DOCTYPE html><html lang="en"><head><title>Control</title></head>\n'
    "<body><p>A stray end tag</span></p>\n"
    "<ul><p>A paragraph where only list items belong</p></ul></body></html>\n"
)


def test_the_checker_reports_the_errors_of_a_known_bad_document(tmp_path):
    control = tmp_path / "control.html"
    control.write_text(CONTROL, encoding="utf-8")

    assert html_errors([control]) == [
        "control.html:2: Stray end tag “span”.",
        "control.html:3: Element “p” not allowed as child of element “ul” in this context. "
        "(Suppressing further errors from this subtree.)",
    ]


def test_a_document_the_checker_never_read_fails_the_check(tmp_path):
    """The checker itself passes a missing file in silence."""
    with pytest.raises(pytest.fail.Exception, match="The HTML checker checked"):
        html_errors([tmp_path / "missing.html"])


@pytest.mark.parametrize(
    ("returncode", "stderr"),
    [(0, ""), (0, "Exception in thread main"), (1, '{"messages": []}'), (2, '{"messages": []}')],
    ids=["no report", "no JSON", "exit 1 without errors", "crash"],
)
def test_an_incomplete_answer_from_the_checker_fails_the_check(
    tmp_path, monkeypatch, returncode, stderr
):
    page = tmp_path / "page.html"
    page.write_text(CONTROL, encoding="utf-8")
    answer = subprocess.CompletedProcess([], returncode, stdout=f"{page}\n", stderr=stderr)
    monkeypatch.setattr(tools.subprocess, "run", lambda *args, **kwargs: answer)

    with pytest.raises(pytest.fail.Exception, match="The HTML checker"):
        html_errors([page])


def test_reader_pages_are_valid_html(site_pages, tmp_path):
    paths = []
    for name, content in site_pages.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_bytes(content)
        paths.append(path)

    assert html_errors(paths) == []
