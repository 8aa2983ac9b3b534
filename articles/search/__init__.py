"""Searching the published stories.

- `query`: turning what a reader typed into safe search terms (phrases, exclusions, OR).
- `forms`: the search box and its filters (section, tag, author, dates).
- `selectors`: the ranked results page and each hit's best matching paragraph.
- `index`: keeping the search index current (`index_story`, `refresh_search_index_on_commit`).
- `postgres`, `sqlite`: the two engines: a weighted tsvector with a GIN index, or FTS5 tables;
  `backends.current()` picks the one for the database in use.
- `schema`: the PostgreSQL-only GIN index the Story model declares.
- `views`: the search page.
"""
