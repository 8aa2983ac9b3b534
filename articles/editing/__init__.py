"""Editors' writes: publishing, tagging and read-more asides as services, edit conflicts
(versions), slug history, and the search and related-story refreshes that follow a change."""
