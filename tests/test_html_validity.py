"""Reader pages are valid HTML5, checked by the Nu HTML Checker (vnu.jar, run with java)."""

import json
import subprocess

import pytest
from django.urls import reverse

from articles.annotations.loading import load_annotation_file
from articles.importer import import_story_file
from tests.factories import ArticleFactory, AsideFactory, AuthorFactory, TagFactory
from tests.tools import java, vnu_jar

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_pages(client, seed_dir):
    article = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").article
    load_annotation_file(seed_dir / "annotations" / "vice-2014-06-20-peruvian-soldier-killed.json")
    tag = TagFactory(name="Peru", slug="peru", description="News from Peru.")
    article.tags.add(tag, "coca")
    author = AuthorFactory(name="Ana <b>Pérez</b>", bio="Bio with <script>x</script>")
    other = ArticleFactory(authors=[author], tags=[tag], headline='A "quoted" & <odd> headline')
    AsideFactory(article=other, target_article=article)
    urls = {
        "front": reverse("articles:front"),
        "story": article.get_absolute_url(),
        "other story": other.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "not found": "/stories/no-such-story/",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        pages[name] = response.content
    return pages


def test_reader_pages_are_valid_html(site_pages, tmp_path):
    files = {}
    for name, content in site_pages.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_bytes(content)
        files[str(path)] = name
    result = subprocess.run(  # noqa: S603 - fixed arguments, files written above
        [java(), "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m.get('message')}"
        for m in messages
    ]
    assert problems == []
