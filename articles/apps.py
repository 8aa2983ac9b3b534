"""The articles app: stories, their authors, tags and notes."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # Purge the pages of sections, authors and their profiles saved by Django's own admin.
        from articles.caching import signals  # noqa: F401
