"""The articles app: stories, their authors, tags and annotations."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from articles.caching import generation

        # Every write to what readers see moves the content generation on (see `generation`).
        connection_created.connect(generation.install, dispatch_uid="newsroom-content-generation")
        for connection in connections.all(initialized_only=True):
            generation.install(connection)
        pre_migrate.connect(generation.pause_during_migrations, dispatch_uid="newsroom-pause")
        post_migrate.connect(generation.resume_after_migrations, dispatch_uid="newsroom-resume")
