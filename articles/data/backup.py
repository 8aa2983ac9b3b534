"""Dumping the newsroom to a portable JSON file and restoring it.

A backup is a list of rows in Django's serialization format, with natural keys for people and
tags, so it restores into any database the project runs on (SQLite or PostgreSQL), migrated to
the same schema. What goes in: every story with its bylines, body blocks (paragraphs and
asides), tags, old slugs, related stories, every author, section and note with its anchor,
replies and history, the sources the newsroom follows; and, for the people the content refers
to (authors' logins, the authors of notes, replies and revisions, who added a followed source),
their username and name only. No password hashes, e-mail
addresses, permission flags, groups or permissions: a backup is content, not accounts. The file
is written with mode 0600, to a new file that replaces the old one only once it is complete.

A restore trusts nothing in the file. Every row is checked before anything is written: known
models and fields only, types, choices, lengths, the model's own validators and check
constraints, references (to rows of the file, or to people by username), uniqueness within the
file, and every anchored note's passage within its paragraph's text. Then, in one transaction,
into a newsroom that holds no content yet: people are matched by username, and an existing
login is reused exactly as it is; a missing one is created inactive, with no usable password,
no staff status and no permissions. Derived columns (rendered note HTML, the search index) are
rebuilt from the restored text, never taken from the file. A bad file changes nothing and is
reported as `BackupError`, naming the row.
"""

import bz2
import gzip
import io
import json
import lzma
import os
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, SuspiciousFileOperation, ValidationError
from django.core.files.utils import validate_file_name
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.data.renames import current_fields, current_label
from articles.ingest.sources import schedule_check
from articles.models import Story
from articles.notes.corrections import correction_time_error, latest_public_correction
from articles.notes.placement import is_placed
from articles.search.index import refresh_search_index_on_commit

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}

USER_LABEL = "auth.user"
# In dependency order: a row only refers to rows of models above it (or to itself).
CONTENT_LABELS = [
    "articles.section",
    "articles.author",
    "articles.socialprofile",
    "articles.tag",
    "articles.story",
    "articles.relatedstory",
    "articles.byline",
    "articles.taggedstory",
    "articles.oldslug",
    "articles.block",
    "articles.note",
    "articles.notereply",
    "articles.noterevision",
    "articles.storyversion",
    # The feeds and pages the newsroom follows (their next check is queued anew on restore).
    "articles.followedsource",
]
BACKUP_LABELS = [USER_LABEL, *CONTENT_LABELS]
# All a backup says about a person.
USER_FIELDS = ("username", "first_name", "last_name")
# Columns derived from others, rebuilt on restore: left out of backups, ignored in older ones.
DERIVED_FIELDS = {
    "articles.story": {"search_vector", "corrected_at"},
    "articles.note": {"body_html"},
    "articles.notereply": {"body_html"},
    "articles.followedsource": {"next_check_at"},
}
# Rows older backups carry (`dumpdata`) that a restore never applies: groups come from
# migrations, and a backup never grants anything.
IGNORED_LABELS = {"auth.group"}
BATCH = 1000


class BackupError(Exception):
    """A backup that cannot be written or restored; the message names the file and row."""


# Writing


def _private_file(path: Path) -> tuple[int, Path]:
    """A new file beside `path`, readable by its owner only from the moment it exists."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)  # whatever the umask
    return descriptor, temporary


def _content_fields(label: str) -> list[str]:
    model = apps.get_model(label)
    left_out = DERIVED_FIELDS.get(label, set())
    return [
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in left_out
    ]


def _user_fields(model) -> list[models.ForeignKey]:
    user_model = get_user_model()
    return [
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model
    ]


def _backup_rows():
    user_model = get_user_model()
    referenced: set[int] = set()
    for label in CONTENT_LABELS:
        model = apps.get_model(label)
        for user_field in _user_fields(model):
            referenced.update(
                model._base_manager.exclude(**{f"{user_field.attname}__isnull": True})
                .values_list(user_field.attname, flat=True)
                .distinct()
            )
    people = user_model._base_manager.filter(pk__in=referenced).order_by("username")
    for person in people.only(*USER_FIELDS).iterator(chunk_size=BATCH):
        yield {"model": USER_LABEL, "fields": {name: getattr(person, name) for name in USER_FIELDS}}
    for label in CONTENT_LABELS:
        model = apps.get_model(label)
        names = _content_fields(label)
        rows = model._base_manager.order_by("pk").only(*names).iterator(chunk_size=BATCH)
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                yield from serializers.serialize(
                    "python", batch, fields=names, use_natural_foreign_keys=True
                )
                batch = []
        yield from serializers.serialize(
            "python", batch, fields=names, use_natural_foreign_keys=True
        )


def _write_rows(stream) -> None:
    stream.write("[")
    for number, row in enumerate(_backup_rows()):
        stream.write(",\n" if number else "\n")
        stream.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
    stream.write("\n]\n")


def dump_newsroom(*, path: Path) -> None:
    """Write the newsroom's content to `path` (`.json`, or compressed: `.json.gz`, `.json.xz`…).

    The file is created with mode 0600 and replaces an existing one only once complete.
    """
    path = Path(path)
    descriptor, temporary = _private_file(path)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            opener = OPENERS.get(path.suffix)
            if opener:
                # Closing the compressor writes its trailer and leaves `raw` open.
                with opener(raw, "wt", encoding="utf-8") as stream:
                    _write_rows(stream)
            else:
                stream = io.TextIOWrapper(raw, encoding="utf-8")
                _write_rows(stream)
                stream.flush()
                stream.detach()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# Restoring


@dataclass
class Row:
    """One content row of the file, checked, as an unsaved instance."""

    number: int
    label: str
    instance: models.Model
    # Set from the file: restored after saving, which would stamp them with the present.
    automatic: dict = field(default_factory=dict)
    # attname -> username, filled in once people exist.
    people: dict = field(default_factory=dict)
    # attname -> (label of the target, its pk or natural key), checked once all rows are read.
    references: dict = field(default_factory=dict)


@dataclass
class RestoreResult:
    stories: int
    notes: int
    people_reused: int
    people_created: int


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read(path: Path) -> list:
    opener = OPENERS.get(path.suffix, open)
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            data = json.load(stream)
    except json.JSONDecodeError as error:
        raise BackupError(
            f"{path}: not a backup (invalid JSON at line {error.lineno}, column {error.colno})"
        ) from None
    except UnicodeDecodeError:
        raise BackupError(f"{path}: not a backup (not UTF-8 text)") from None
    except RecursionError:
        raise BackupError(f"{path}: not a backup (nested too deeply)") from None
    except (OSError, EOFError, lzma.LZMAError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise BackupError(f"{path}: cannot be read ({reason})") from None
    if not isinstance(data, list):
        raise BackupError(f"{path}: not a backup (expected a list of rows)")
    return data


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def _type_problem(model_field, value) -> str | None:
    """What is wrong with a JSON value's type for this field, if anything."""
    if value is None or isinstance(model_field, models.JSONField):
        return None
    if isinstance(
        model_field, models.CharField | models.TextField | models.FileField | models.DateField
    ):
        wanted, ok = "text", isinstance(value, str)
    elif isinstance(model_field, models.BooleanField):
        wanted, ok = "true or false", isinstance(value, bool)
    elif isinstance(model_field, models.IntegerField):
        wanted, ok = "a whole number", isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(model_field, models.FloatField):
        wanted = "a number"
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        return None
    return None if ok else f"expected {wanted}, got {_short(value)}"


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(_short(m, 200)[1:-1] for m in messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _upgraded(label: str, fields: dict) -> dict:
    """A row of an older backup in today's fields.

    Notes were "public" or "internal" (`visibility`) and "open" or "resolved" (`status`) before
    they went through review: a public note of a reader kind is published, anything else a
    draft, as migration 0013 maps them. Values of the wrong type are left for the checks.

    A backup written before migration 0023 names its fields and models as they were then:
    both take today's names (`articles.data.renames`; labels as rows are read).
    """
    fields = current_fields(fields)
    if label != "articles.note" or "state" in fields:
        return fields
    if "visibility" not in fields and "status" not in fields:
        return fields
    upgraded = {k: v for k, v in fields.items() if k not in ("visibility", "status")}
    public = fields.get("visibility") == "public" and fields.get("kind") != "internal"
    upgraded["state"] = "published" if public else "draft"
    return upgraded


class _Checker:
    """Reads every row of a backup into unsaved instances, or raises BackupError."""

    def __init__(self, path: Path):
        self.path = path
        self.user_model = get_user_model()
        self.people: dict[str, dict] = {}  # username -> first and last name
        self.rows: list[Row] = []

    def fail(self, number: int, message: str):
        raise BackupError(f"{self.path}: row {number}: {message}")

    def read(self, data: list) -> None:
        for number, record in enumerate(data, start=1):
            if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
                self.fail(number, 'expected {"model": …, "pk": …, "fields": {…}}')
            label = record.get("model")
            label = current_label(label.lower() if isinstance(label, str) else label)
            if label in IGNORED_LABELS:
                continue
            if label == USER_LABEL:
                self.read_person(number, record["fields"])
            elif label in CONTENT_LABELS:
                self.rows.append(self.read_row(number, label, record))
            else:
                self.fail(number, f"{_short(label)} is not something a backup holds")

    def read_person(self, number: int, fields: dict) -> None:
        """Username and name only: anything else (passwords, flags, groups) is never applied."""
        values = {}
        for name in USER_FIELDS:
            model_field = self.user_model._meta.get_field(name)
            value = fields.get(name, "")
            problem = _type_problem(model_field, value)
            if problem is None and _contains_nul(value):
                problem = "contains a NUL character"
            if problem is None:
                try:
                    value = model_field.clean(value, None)
                except ValidationError as error:
                    problem = _messages(error)
            if problem:
                self.fail(number, f"person's {name}: {problem}")
            values[name] = value
        username = values.pop("username")
        if username in self.people:
            self.fail(number, f"the person {_short(username)} appears twice")
        self.people[username] = values

    def read_row(self, number: int, label: str, record: dict) -> Row:
        model = apps.get_model(label)
        instance = model()
        row = Row(number=number, label=label, instance=instance)
        try:
            instance.pk = model._meta.pk.clean(record.get("pk"), None)
        except ValidationError as error:
            self.fail(number, f"{label} pk: {_messages(error)}")
        if isinstance(record.get("pk"), bool) or not isinstance(record.get("pk"), int | str):
            self.fail(number, f"{label} pk: expected a whole number")
        derived = DERIVED_FIELDS.get(label, set())
        foreign = []
        for name, value in _upgraded(label, record["fields"]).items():
            if name in derived:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
            if model_field is None or not model_field.concrete or model_field.primary_key:
                self.fail(number, f"{label} has no field {_short(name)}")
            where = f"{label} {instance.pk} {name}"
            if _contains_nul(value):
                self.fail(number, f"{where}: contains a NUL character")
            if model_field.is_relation:
                foreign.append(model_field.name)
                self.read_reference(row, model_field, value, where)
                continue
            problem = _type_problem(model_field, value)
            if problem:
                self.fail(number, f"{where}: {problem}")
            try:
                value = model_field.to_python(value)
            except ValidationError as error:
                self.fail(number, f"{where}: {_messages(error)}")
            if isinstance(model_field, models.DateTimeField) and value is not None:
                if timezone.is_naive(value):
                    self.fail(number, f"{where}: a time without a time zone")
                if model_field.auto_now or model_field.auto_now_add:
                    row.automatic[model_field.attname] = value
            if isinstance(model_field, models.FileField) and value:
                try:
                    validate_file_name(value, allow_relative_path=True)
                except SuspiciousFileOperation:
                    self.fail(number, f"{where}: not a file name inside the media folder")
            setattr(instance, model_field.attname, value)
        try:
            instance.clean_fields(exclude=foreign)
        except ValidationError as error:
            self.fail(number, f"{label} {instance.pk}: {_messages(error)}")
        return row

    def read_reference(self, row: Row, model_field, value, where: str) -> None:
        target = model_field.related_model
        if value is None:
            if not model_field.null:
                self.fail(row.number, f"{where}: this field cannot be empty")
            setattr(row.instance, model_field.attname, None)
            return
        if target is self.user_model:
            if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)):
                self.fail(row.number, f"{where}: expected a person as [username]")
            row.people[model_field.attname] = value[0]
            setattr(row.instance, model_field.attname, None)
            return
        target_label = target._meta.label_lower
        if target_label not in CONTENT_LABELS:
            self.fail(row.number, f"{where}: refers to {target_label}, which a backup never holds")
        if isinstance(value, list):
            if not all(isinstance(part, str) for part in value):
                self.fail(row.number, f"{where}: expected a natural key of text")
            row.references[model_field.attname] = (target_label, tuple(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            row.references[model_field.attname] = (target_label, value)
        else:
            self.fail(row.number, f"{where}: expected the id of a {target._meta.verbose_name}")

    def check(self, data: list) -> None:
        self.read(data)
        by_pk: dict[str, dict] = defaultdict(dict)
        by_natural_key: dict[str, dict] = defaultdict(dict)
        for row in self.rows:
            if row.instance.pk in by_pk[row.label]:
                self.fail(row.number, f"{row.label} {row.instance.pk} appears twice")
            by_pk[row.label][row.instance.pk] = row
        needs_natural_keys = {
            label
            for row in self.rows
            for label, key in row.references.values()
            if isinstance(key, tuple)
        }
        for row in self.rows:
            if row.label in needs_natural_keys:
                if not hasattr(row.instance, "natural_key"):
                    self.fail(row.number, f"{row.label} has no natural key to refer to it by")
                by_natural_key[row.label][tuple(row.instance.natural_key())] = row
        existing_people = set(
            self.user_model._base_manager.filter(
                username__in={u for row in self.rows for u in row.people.values()}
            ).values_list("username", flat=True)
        )
        for row in self.rows:
            for username in row.people.values():
                if username not in self.people and username not in existing_people:
                    self.fail(
                        row.number,
                        f"refers to the person {_short(username)}, who is not in the file",
                    )
            for attname, (target_label, key) in row.references.items():
                index = by_natural_key if isinstance(key, tuple) else by_pk
                target = index[target_label].get(key)
                if target is None:
                    self.fail(
                        row.number,
                        f"{row.label} {row.instance.pk} {attname} refers to {target_label} "
                        f"{_short(key)}, which is not in the file",
                    )
                setattr(row.instance, attname, target.instance.pk)
        for row in self.rows:
            self.check_constraints(row)
        self.check_unique()
        for row in self.rows:
            if row.label == "articles.note":
                self.check_anchor(row, by_pk["articles.block"])
                self.check_correction_time(row, by_pk["articles.story"])

    def check_correction_time(self, row: Row, stories: dict) -> None:
        """The same range the editors' screens keep: from the story's publication to now."""
        note = row.instance
        story = stories[note.story_id].instance
        problem = correction_time_error(corrected_at=note.corrected_at, story=story)
        if problem:
            self.fail(row.number, f"note {note.pk}: {problem}")

    def check_constraints(self, row: Row) -> None:
        model = type(row.instance)
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                try:
                    constraint.validate(model, row.instance)
                except ValidationError as error:
                    self.fail(row.number, f"{row.label} {row.instance.pk}: {_messages(error)}")

    def check_unique(self) -> None:
        """Unique fields and constraints, within the file (the database holds no content)."""
        by_label = defaultdict(list)
        for row in self.rows:
            by_label[row.label].append(row)
        for label, rows in by_label.items():
            meta = apps.get_model(label)._meta
            groups = [(f,) for f in meta.concrete_fields if f.unique and not f.primary_key]
            groups += [tuple(meta.get_field(n) for n in names) for names in meta.unique_together]
            groups += [
                tuple(meta.get_field(n) for n in c.fields)
                for c in meta.constraints
                if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
            ]
            for group in groups:
                seen = {}
                for row in rows:
                    key = tuple(
                        row.people.get(f.attname, getattr(row.instance, f.attname)) for f in group
                    )
                    if None in key:
                        continue
                    if key in seen:
                        names = ", ".join(f.name for f in group)
                        self.fail(
                            row.number,
                            f"{label} {row.instance.pk}: the same {names} as row {seen[key]}",
                        )
                    seen[key] = row.number

    def check_anchor(self, row: Row, blocks: dict) -> None:
        note = row.instance
        if note.paragraph_id is None:
            return
        block = blocks[note.paragraph_id].instance
        if block.story_id != note.story_id:
            self.fail(row.number, f"note {note.pk}: its paragraph is in another story")
        if note.anchor_state != note.AnchorState.ANCHORED:
            return
        if not is_placed(note, block.annotatable_text):
            self.fail(
                row.number,
                f"note {note.pk}: its anchor ({note.start}-{note.end}) is not its quoted "
                "passage in its paragraph's text",
            )


def _content_present() -> list[str]:
    found = []
    for label in CONTENT_LABELS:
        model = apps.get_model(label)
        if model._base_manager.exists():
            found.append(str(model._meta.verbose_name_plural))
    return found


def restore_newsroom(*, path: Path) -> RestoreResult:
    """Load a backup into this migrated newsroom, which must hold no content yet; all or nothing.

    Raises BackupError, naming the row, for anything the file gets wrong; nothing is written
    then. People are matched by username: see the module's docstring.
    """
    path = Path(path)
    data = _read(path)
    try:
        with transaction.atomic():
            present = _content_present()
            if present:
                raise BackupError(
                    f"{path}: not restored, this database already holds {', '.join(present)}; "
                    "restore into a freshly migrated database"
                )
            checker = _Checker(path)
            checker.check(data)
            result = _write(checker)
            # The newsroom was empty: its pages were empty lists, cached under these keys
            # (every other page was a 404, which is never kept).
            content_changed(
                [keys.FRONT, keys.SECTION_MENU, keys.EVERY_STORY, keys.EVERY_TAG, keys.EVERY_AUTHOR]
            )
    except DatabaseError as error:
        raise BackupError(
            f"{path}: not restored, the database refused it ({type(error).__name__}); "
            "nothing was written"
        ) from error
    return result


def _write(checker: _Checker) -> RestoreResult:
    user_model = checker.user_model
    needed = set(checker.people) | {u for row in checker.rows for u in row.people.values()}
    ids = dict(user_model._base_manager.filter(username__in=needed).values_list("username", "pk"))
    reused = len(ids)
    for username in sorted(needed - set(ids)):
        names = checker.people.get(username, {})
        person = user_model(username=username, is_active=False, is_staff=False, **names)
        person.is_superuser = False
        person.set_unusable_password()
        person.save()
        ids[username] = person.pk
    restored = set()
    for row in checker.rows:
        for attname, username in row.people.items():
            setattr(row.instance, attname, ids[username])
        # save(), not a raw save: the model derives its own columns (rendered HTML, slugs).
        row.instance.save(force_insert=True)
        restored.add(type(row.instance))
        if row.automatic:
            type(row.instance)._base_manager.filter(pk=row.instance.pk).update(**row.automatic)
    statements = connection.ops.sequence_reset_sql(no_style(), sorted(restored, key=str))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    story_ids = [row.instance.pk for row in checker.rows if row.label == "articles.story"]
    for story_id in story_ids:
        # "Updated" follows the restored corrections, as after any change to a note; the
        # story's own modification time is the file's.
        Story.objects.filter(pk=story_id).update(
            corrected_at=latest_public_correction(story_id=story_id)
        )
    refresh_search_index_on_commit(story_ids=story_ids)
    # The sources the newsroom follows are checked again from now on.
    for row in checker.rows:
        if row.label == "articles.followedsource":
            schedule_check(row.instance)
    return RestoreResult(
        stories=len(story_ids),
        notes=sum(row.label == "articles.note" for row in checker.rows),
        people_reused=reused,
        people_created=len(needed) - reused,
    )
