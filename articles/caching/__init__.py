"""Caching reader pages: the content generation every page is validated against, the page
cache and its keys, and the conditional-request headers."""
