"""Related stories: the ranked list at the end of each story, and target suggestions for asides.

- `scoring`: pure functions: tag rarity weights, picking a text's distinctive words, text
  similarity, recency, the combined score and the reason shown to editors.
- `matching`: the index-driven text queries on either engine (PostgreSQL's stored weighted
  `search_vector`, SQLite's FTS5 table; both kept by `articles.search`).
- `compute`: `recompute_related` and `recompute_related_bulk`, which store each story's list as
  `RelatedStory` rows (the task worker calls them after a change, see
  `articles.editing.refresh`); editors' pins and exclusions survive recomputes.
- `selectors`: the one query a story page spends on its list (public stories only, at most N).
- `suggest`: stories a "Read more" aside could link to, and accepting one.
"""
