"""Database objects that search needs and that not every database can hold."""

from django.contrib.postgres.indexes import GinIndex
from django.db.backends.ddl_references import Statement


class PostgresGinIndex(GinIndex):
    """A GIN index on PostgreSQL; elsewhere (SQLite) a no-op, so migrations run on both.

    A plain `GinIndex` in `Meta.indexes` would emit `CREATE INDEX … USING gin` on SQLite, which
    fails there, and not only in the migration that adds it: SQLite rebuilds a table with all its
    indexes whenever a later migration alters one of its columns.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _skipped(self, schema_editor)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _skipped(self, schema_editor)
        return super().remove_sql(model, schema_editor, **kwargs)


def _skipped(index: GinIndex, schema_editor) -> Statement:
    # An SQL comment: the schema editor executes it harmlessly and `sqlmigrate` shows why.
    return Statement(
        "-- %(name)s: a GIN index exists on PostgreSQL only, not on %(vendor)s",
        name=index.name,
        vendor=schema_editor.connection.vendor,
    )
