"""The names files written before migration 0023 use for today's models, fields and lists.

Until then the models were named Article, TaggedArticle, Annotation, AnnotationReply and
AnnotationRevision, and their foreign keys `article`, `target_article`, `annotation` (with
`annotation_ref`). A backup names rows by model label and fields by name, so an older file says
`articles.article` and `"article": 12`; restoring reads those as today's names. No model has a
field under both an old and a new name, so one table of field names serves every model.

A note file for `manage.py load_notes` (`seeds/notes/`) lists its notes under "notes"; one
written before lists them under "annotations", which the loader reads too.
"""

OLD_LABELS = {
    "articles.article": "articles.story",
    "articles.taggedarticle": "articles.taggedstory",
    "articles.annotation": "articles.note",
    "articles.annotationreply": "articles.notereply",
    "articles.annotationrevision": "articles.noterevision",
}
OLD_FIELDS = {
    "article": "story",
    "target_article": "target_story",
    "annotation": "note",
    "annotation_ref": "note_ref",
}

OLD_NOTE_FILE_KEY = "annotations"


def current_label(label):
    """Today's label for a model label of an older backup (any other value as it is)."""
    return OLD_LABELS.get(label, label) if isinstance(label, str) else label


def current_fields(fields: dict) -> dict:
    """A row's fields under today's names (a name that is not an old one, as it is)."""
    return {OLD_FIELDS.get(name, name): value for name, value in fields.items()}
