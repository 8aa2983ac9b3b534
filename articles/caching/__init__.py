"""Caching reader pages: the surrogate keys pages are built from and writes purge, the page
cache and its keyed store, purge backends (the page cache, Varnish), and cache headers."""
