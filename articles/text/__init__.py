"""Editors' text made safe and addressable: Markdown to clean HTML, slugs for any name, and
how a person is named on a page."""
