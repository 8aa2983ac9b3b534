"""The importer under fuzzing: any file either imports whole or is rejected with a clear message.

Hypothesis builds files from the layout's own kinds of line in random order and mixes in
arbitrary text, so examples sit near the edge of valid far more often than random bytes would.
"""

from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.data.plaintext import ImportFormatError, import_story_file, parse_story
from articles.models import Author, Block, Byline, Note, Section, Story

LINES = st.one_of(
    st.just("This story is over 5 years old"),
    st.just("News by VICE"),
    st.sampled_from(["Headline about coca", "by Kayla Ruble", "by A, B and C", "by "]),
    st.sampled_from(["Jun 20 2014, 7:41pm", "Feb 30 2014, 7:41pm", "Jun 20 2014, 13:41pm"]),
    st.sampled_from(["Image via AP/Martin Mejia", "Image via "]),
    st.sampled_from(
        [
            "Meet the man who thrived in Bolivia's cocaine prison. Read more here.",
            "Read more here.",
            "Follow Kayla Ruble on Twitter: @RubleKB",
            "Follow Nobody on Twitter: @nobody",
        ]
    ),
    st.text(min_size=0, max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
)
FILES = st.lists(LINES, min_size=0, max_size=30).map("\n\n".join)
VALID_HEAD = "News by VICE\n\nHeadline\n\nA dek.\n\nby Kayla Ruble\nJun 20 2014, 7:41pm\n\n"


def table_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Story, Author, Section, Byline, Block, Note))


@settings(max_examples=300, deadline=None)
@given(text=FILES)
def test_parser_accepts_or_rejects_with_a_line_number(text):
    try:
        story = parse_story(text, source="fuzz.txt")
    except ImportFormatError as error:
        assert error.source == "fuzz.txt"
        assert 1 <= error.line <= max(1, text.count("\n") + 1)
        assert error.message
    else:
        assert story.headline and story.authors
        assert any(block.kind == Block.Kind.PARAGRAPH for block in story.blocks)


@settings(max_examples=300, deadline=None)
@given(body=st.lists(LINES, min_size=1, max_size=20).map("\n\n".join))
def test_parser_handles_any_body_after_a_valid_head(body):
    try:
        story = parse_story(VALID_HEAD + body, source="fuzz.txt")
    except ImportFormatError as error:
        assert error.line >= 8  # the head is valid, so the problem is at its end or after
    else:
        for block in story.blocks:
            assert (block.text if block.kind == Block.Kind.PARAGRAPH else block.teaser).strip()


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.lists(LINES, min_size=1, max_size=12).map("\n\n".join), raw=st.binary(max_size=64))
def test_import_writes_a_whole_story_or_nothing(tmp_path, body, raw):
    path = Path(tmp_path) / "fuzz.txt"
    path.write_bytes((VALID_HEAD + body).encode("utf-8") + raw)
    with transaction.atomic():
        before = table_counts()
        try:
            result = import_story_file(path)
        except ImportFormatError as error:
            assert str(path) in str(error)
            assert table_counts() == before
        else:
            story = result.story
            assert story.bylines.count() >= 1
            assert story.blocks.paragraphs().exists()
        transaction.set_rollback(True)
