"""The annotate screen: editors select a passage of a story and write a note on it.

An admin page (the story's blocks with every note highlighted, a side panel, the story's
orphaned notes), a picker of stories to annotate, and the JSON endpoints the page's script calls,
all hung off the story admin by `annotate_urls()`:

    annotate/                                       stories to annotate
    <story_id>/annotate/                          the screen
    <story_id>/annotate/notes/              GET the story's notes, POST a new note
    <story_id>/annotate/notes/<id>/         GET one note with its thread and history,
                                                    POST changes to it, DELETE it
    <story_id>/annotate/notes/<id>/replies/   POST a reply
    <story_id>/annotate/notes/<id>/replies/<reply_id>/   POST its new text, DELETE it
    <story_id>/annotate/notes/<id>/reattach/  POST a new passage for it
    <story_id>/annotate/notes/<id>/review/    POST a move: submit, publish, send back,
                                                    withdraw (`notes.review`)
    <story_id>/annotate/preview/                  POST a body, get its clean HTML back

Everything needs `view_story` and `add_note` (Editors and Annotators have both); changing,
deleting and replying need `change_note`, `delete_note` and `add_notereply`;
the review services decide who may move a note (`notes.permissions`).
Annotators change and delete only their own notes, and everyone only their own replies
(`notes.permissions`): each note and reply says what its reader may do with it, for the
script to offer just that, and the endpoints refuse the rest.
The endpoints take and give JSON, and answer bad input with a 400 saying what is wrong: a body
that is not a JSON object, a value of the wrong JSON type (a number, true, null, a list or an
object where text is expected, anything but a whole number where one is), a value out of range.
"""

import json
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.http import Http404, HttpResponse, RawPostDataException
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from articles.models import Block, Note, NoteReply, NoteRevision, Story
from articles.notes.anchoring import codepoint_to_utf16
from articles.notes.editing import (
    NOTE_FIELDS,
    EditConflict,
    Selection,
    SelectionError,
    create_note,
    delete_note,
    delete_reply,
    edit_reply,
    reattach_note,
    reply_to_note,
    update_note,
)
from articles.notes.highlighting import highlight_segments
from articles.notes.permissions import (
    PUBLISH_PERMISSION,
    can_change_note,
    can_change_reply,
    can_delete_note,
    can_delete_reply,
    publish_refusal,
    send_back_refusal,
    submit_refusal,
    withdraw_refusal,
)
from articles.notes.placement import is_placed
from articles.notes.review import publish_note, send_back_note, submit_note, withdraw_note
from articles.notes.services import SNAPSHOT_FIELDS
from articles.pages.pagination import requested_page
from articles.text.markup import render_markdown, sanitize_html, script_safe_json
from articles.text.people import NO_LONGER_HERE, display_name

SCREEN_PERMISSIONS = ("articles.view_story", "articles.add_note")
CHANGE_PERMISSION = "articles.change_note"
DELETE_PERMISSION = "articles.delete_note"
REPLY_PERMISSION = "articles.add_notereply"
HISTORY_PERMISSION = "articles.view_noterevision"

MAX_OFFSET = 2**31 - 1

# The review moves the screen offers, each with the question `notes.permissions` answers
# and the service that makes it.
REVIEW_MOVES = {
    "submit": submit_refusal,
    "publish": publish_refusal,
    "send-back": send_back_refusal,
    "withdraw": withdraw_refusal,
}
REVIEW_SERVICES = {
    "submit": submit_note,
    "publish": publish_note,
    "send-back": send_back_note,
    "withdraw": withdraw_note,
}

# The HTML parser turns "\r\n" into "\n"; a character reference keeps the text as stored, so that
# offsets counted in the browser match the block's text.
CARRIAGE_RETURN = mark_safe("&#13;")  # noqa: S308 - a constant, no user text


def annotate_urls(model_admin) -> list:
    """The annotate screen's URLs, for the story admin's `get_urls()`."""
    return AnnotateViews(model_admin).urls


# Forms: JSON objects in, cleaned values out.


class JSONForm(forms.Form):
    """A form bound to a decoded JSON object, each of whose values must have its field's JSON type.

    Django's fields read form posts, where every value is a string: given a number, `true`, null,
    a list or an object some turn it into text ("True") and others fail with a server error. So
    the type is checked first, and a field given the wrong type refuses it with a field error.
    """

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name, field in self.fields.items():
            if name in self.data:
                problem = json_type_error(field, self.data[name])
                if problem:
                    self.fields[name] = RefusedField(problem)


class RefusedField(forms.Field):
    """Stands in for a field whose value had the wrong JSON type: refuses it, saying why."""

    def __init__(self, message: str):
        super().__init__(required=False)
        self.message = message

    def clean(self, value):
        raise ValidationError(self.message, code="wrong_type")


def json_type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text"


def json_type_error(field: forms.Field, value) -> str:
    """What is wrong with the JSON type of `value` for `field`; "" when nothing is."""
    if isinstance(field, forms.IntegerField | forms.ModelChoiceField):
        if isinstance(value, int) and not isinstance(value, bool):
            return ""
        return f"Expected a whole number, not {json_type_name(value)}."
    if not isinstance(value, str):
        return f"Expected text, not {json_type_name(value)}."
    if not _is_text(value):
        return "This contains characters that are not text."
    return ""


def _is_text(value: str) -> bool:
    # JSON can carry lone surrogates ("\ud800"), which no database can store.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _max_length(name: str, model=Note) -> int:
    return model._meta.get_field(name).max_length


class HttpURLField(forms.URLField):
    """Only web links: readers follow them (no javascript:, data: or ftp:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class NoteForm(JSONForm):
    """What an editor writes about a passage; which fields are needed depends on the kind."""

    kind = forms.ChoiceField(choices=Note.Kind.choices)
    body = forms.CharField(
        required=False,
        strip=False,
        max_length=_max_length("body"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: *emphasis*, **strong**, [links](https://…).",
    )
    source_url = HttpURLField(
        label="Source link",
        required=False,
        max_length=_max_length("source_url"),
        assume_scheme="https",
    )
    source_title = forms.CharField(required=False, max_length=_max_length("source_title"))
    claim = forms.CharField(
        required=False, max_length=_max_length("claim"), widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(choices=[("", "—"), *Note.Verdict.choices], required=False)
    correction_wrong = forms.CharField(
        label="What was wrong", required=False, max_length=_max_length("correction_wrong")
    )
    correction_right = forms.CharField(
        label="What is right", required=False, max_length=_max_length("correction_right")
    )
    corrected_at = forms.DateTimeField(
        label="Corrected at",
        required=False,
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    REQUIRED_BY_KIND = {
        Note.Kind.CONTEXT: {"body": "A context note needs some text."},
        Note.Kind.INTERNAL: {"body": "An internal note needs some text."},
        Note.Kind.SOURCE: {"source_url": "A source needs its link."},
        Note.Kind.FACT_CHECK: {
            "claim": "A fact-check needs the claim it checks.",
            "verdict": "A fact-check needs a verdict.",
        },
        Note.Kind.CORRECTION: {
            "correction_wrong": "Say what the story got wrong.",
            "correction_right": "Say what is right.",
        },
    }

    def clean(self):
        cleaned_data = super().clean()
        for name, message in self.REQUIRED_BY_KIND.get(cleaned_data.get("kind"), {}).items():
            if name in cleaned_data and not str(cleaned_data[name]).strip():
                self.add_error(name, message)
        return cleaned_data


class SelectionForm(JSONForm):
    """A passage selected in a block, in the browser's UTF-16 offsets, with its text."""

    block = forms.ModelChoiceField(
        queryset=Block.objects.none(),
        error_messages={"invalid_choice": "This story has no such paragraph."},
    )
    start = forms.IntegerField(min_value=0, max_value=MAX_OFFSET)
    end = forms.IntegerField(min_value=1, max_value=MAX_OFFSET)
    exact = forms.CharField(strip=False)

    def __init__(self, *args, story_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = Block.objects.filter(story_id=story_id)

    @property
    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(start=data["start"], end=data["end"], exact=data["exact"])


class VersionForm(JSONForm):
    """The version of the note the editor last saw."""

    version = forms.IntegerField(min_value=1, max_value=MAX_OFFSET)


class ReattachForm(SelectionForm, VersionForm):
    pass


class ReviewForm(VersionForm):
    """A move through review (submit, publish, send back, withdraw) of the version seen."""

    move = forms.ChoiceField(choices=[(move, move) for move in REVIEW_MOVES])


class PreviewForm(JSONForm):
    body = forms.CharField(required=False, strip=False, max_length=_max_length("body"))


class ReplyForm(JSONForm):
    body = forms.CharField(max_length=_max_length("body", NoteReply))


# JSON in and out.


def json_response(data, *, status: int = 200) -> HttpResponse:
    # No response ever carries markup, even one a browser were tricked into reading as HTML.
    text = script_safe_json(data)
    return HttpResponse(text, status=status, content_type="application/json")


def json_error(status: int, message: str, **extra) -> HttpResponse:
    return json_response({"error": message, **extra}, status=status)


def form_errors(*forms_: forms.Form) -> HttpResponse:
    errors = {}
    for form in forms_:
        for name, messages in form.errors.get_json_data().items():
            errors.setdefault(name, []).extend(message["message"] for message in messages)
    return json_error(400, "Please correct the errors below.", errors=errors)


def read_json(request) -> dict:
    """The request's JSON object; BadRequest for anything else (never a server error)."""
    try:
        data = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        raise BadRequest("The request is too large.") from None
    except RawPostDataException:
        raise BadRequest("Send the data as JSON.") from None
    except (ValueError, RecursionError):
        raise BadRequest("The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object.")
    return data


def json_endpoint(view):
    """Answer errors in JSON, as the page's script expects: 400, 403, 404."""

    @wraps(view)
    def endpoint(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return json_error(400, str(error))
        except ValidationError as error:
            # A rule the services keep whoever calls (a correction's time, say).
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            return json_error(400, "Please correct the errors below.", errors=errors)
        except PermissionDenied:
            return json_error(403, "You do not have permission to do that.")
        except (Http404, Note.DoesNotExist, NoteReply.DoesNotExist):
            return json_error(404, "This note or story no longer exists. Reload the page.")

    return endpoint


def json_endpoint_methods(*methods: str):
    """For the views' methods: only these HTTP methods, errors answered in JSON."""
    return method_decorator([require_http_methods(list(methods)), json_endpoint])


def require_permissions(request, *permissions: str) -> None:
    if not request.user.has_perms([*SCREEN_PERMISSIONS, *permissions]):
        raise PermissionDenied


def require(allowed: bool) -> None:
    """Refuse the request unless `allowed` (an answer from `notes.permissions`)."""
    if not allowed:
        raise PermissionDenied


# What the screen shows, as JSON for the script and as highlighted text for the page.


def note_json(note: Note, *, text: str | None, user) -> dict:
    """A note as the script reads it; `text` is its block's text, to place it in UTF-16.

    It says whether `user` may change and delete it, for the script to offer only that.
    """
    placed = is_placed(note, text)
    return {
        "id": note.pk,
        "block": note.paragraph_id,
        "kind": note.kind,
        "kind_label": note.get_kind_display(),
        "state": note.state,
        "state_label": state_label(note),
        "anchor_state": note.anchor_state,
        "quote": note.quote_exact,
        "start16": codepoint_to_utf16(text, note.start) if placed else None,
        "end16": codepoint_to_utf16(text, note.end) if placed else None,
        "body": note.body,
        "body_html": sanitize_html(note.body_html),
        "source_url": note.source_url,
        "source_title": note.source_title,
        "claim": note.claim,
        "verdict": note.verdict,
        "verdict_label": note.get_verdict_display() if note.verdict else "",
        "correction_wrong": note.correction_wrong,
        "correction_right": note.correction_right,
        "corrected_at": note.corrected_at,
        "author": display_name(note.author),
        "created_at": note.created_at,
        "modified_at": note.modified_at,
        "version": note.version,
        "is_public": note.is_public,
        "can_change": can_change_note(user, note),
        "can_delete": can_delete_note(user, note),
        # Each review move the user may make now: "" when they may, else why not.
        "review": {move: refusal(user, note) for move, refusal in REVIEW_MOVES.items()},
    }


def state_label(note: Note) -> str:
    """The note's place in review as editors read it; internal notes are never for readers."""
    if note.kind == Note.Kind.INTERNAL:
        return "Internal: editors only"
    return note.get_state_display()


# Fields of notes before review (migration 0013), which older history entries still show.
LEGACY_FIELDS = {"visibility": "visibility", "status": "status"}


def _field_label(name: str) -> str:
    if name == "paragraph_id":
        return "paragraph"
    if name in LEGACY_FIELDS:
        return LEGACY_FIELDS[name]
    return str(Note._meta.get_field(name).verbose_name)


def _shown(name: str, value):
    if name == "paragraph_id" or name in LEGACY_FIELDS or value in (None, ""):
        return value
    field = Note._meta.get_field(name)
    return str(dict(field.choices).get(value, value)) if field.choices else value


def revision_changes(before: dict | None, after: dict | None) -> list[dict]:
    """The fields a revision changed, each with its value before and after, as shown."""
    before, after = before or {}, after or {}
    if "reply_id" in before:
        # A reply edited or deleted (`services.reply_snapshot`): what it said, and whose it was.
        label = f"reply by {before.get('reply_author') or NO_LONGER_HERE}"
        return [
            {"field": label, "before": before.get("reply_body"), "after": after.get("reply_body")}
        ]
    changes = []
    for name in (*SNAPSHOT_FIELDS, *LEGACY_FIELDS):
        old, new = before.get(name), after.get(name)
        if old != new and not (old in (None, "") and new in (None, "")):
            changes.append(
                {
                    "field": _field_label(name),
                    "before": _shown(name, old),
                    "after": _shown(name, new),
                }
            )
    return changes


def note_detail_json(note: Note, *, user) -> dict:
    """A note with its discussion and, for those who may see it, its history (3 queries)."""
    paragraph = note.paragraph
    text = paragraph.annotatable_text if paragraph else None
    detail = note_json(note, text=text, user=user)
    replies = NoteReply.objects.filter(note=note).select_related("author")
    detail["replies"] = [
        {
            "id": reply.pk,
            "author": display_name(reply.author),
            "created_at": reply.created_at,
            "edited_at": reply.edited_at,
            "body": reply.body,
            "body_html": sanitize_html(reply.body_html),
            "can_change": can_change_reply(user, reply),
            "can_delete": can_delete_reply(user, reply),
        }
        for reply in replies
    ]
    if user.has_perm(HISTORY_PERMISSION):
        revisions = NoteRevision.objects.filter(note_ref=note.pk)
        detail["history"] = [
            {
                "id": revision.pk,
                "user": display_name(revision.user),
                "created_at": revision.created_at,
                "action": revision.action,
                "action_label": revision.get_action_display(),
                "changes": revision_changes(revision.before, revision.after),
            }
            for revision in revisions.select_related("user")
        ]
    return detail


def story_notes(story: Story) -> tuple[list[Block], list[Note]]:
    """The story's blocks in order and all its notes, internal and orphaned ones too (2 queries)."""
    blocks = list(Block.objects.filter(story=story).order_by("position", "id"))
    notes = list(
        Note.objects.filter(story=story)
        .select_related("author")
        .order_by("paragraph_id", "start", "end", "id")
    )
    return blocks, notes


def annotate_screen_state(*, blocks: list[Block], notes: list[Note], user) -> dict:
    """Everything the screen's script draws: blocks, placed notes, notes to re-attach, and
    which kind of note has which fields of its own (`Note.Kind.own_fields`)."""
    texts = {block.pk: block.annotatable_text for block in blocks}
    placed, orphaned = [], []
    for note in notes:
        text = texts.get(note.paragraph_id)
        (placed if is_placed(note, text) else orphaned).append(
            note_json(note, text=text, user=user)
        )
    return {
        "blocks": [
            {"id": block.pk, "kind": block.kind, "text": texts[block.pk]} for block in blocks
        ],
        "notes": placed,
        "orphaned": orphaned,
        "kind_fields": {kind.value: list(kind.own_fields) for kind in Note.Kind},
        "permissions": {
            "change": user.has_perm(CHANGE_PERMISSION),
            "delete": user.has_perm(DELETE_PERMISSION),
            "reply": user.has_perm(REPLY_PERMISSION),
            "history": user.has_perm(HISTORY_PERMISSION),
            "publish": user.has_perm(PUBLISH_PERMISSION),
        },
        # Kinds whose author may not publish them (a second person does): a new note of these
        # is offered "Submit for review", not "Publish".
        "second_person_kinds": sorted(settings.NEWSROOM_NOTES_SECOND_PERSON),
    }


def _escaped(text: str) -> SafeString:
    return format_html_join(CARRIAGE_RETURN, "{}", ((piece,) for piece in text.split("\r")))


def mark_state_class(note: Note) -> str:
    """How a highlight is drawn: live when readers see the note, outlined while it is not."""
    if note.kind == Note.Kind.INTERNAL:
        return "is-internal"
    return f"is-{note.state}"


def highlighted_text(text: str, notes: list[Note]) -> SafeString:
    """The block's text with each placed note's passage in a <mark>; overlaps are split."""
    placed = [a for a in notes if is_placed(a, text)]
    parts = []
    for segment in highlight_segments(text, placed, span=lambda a: (a.start, a.end)):
        covering = segment.covering
        escaped = _escaped(segment.text)
        if not covering:
            parts.append(escaped)
            continue
        # The innermost note gives the colour; it is the one a click opens.
        top = min(covering, key=lambda a: (a.end - a.start, a.pk))
        classes = [f"annotate-mark kind-{top.kind}", mark_state_class(top)]
        if len(covering) > 1:
            classes.append("is-overlap")
        parts.append(
            format_html(
                '<mark class="{}" data-note-ids="{}" title="{}">{}</mark>',
                " ".join(classes),
                " ".join(str(a.pk) for a in covering),
                ", ".join(a.get_kind_display() for a in covering),
                escaped,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


# The views.


class AnnotateViews:
    """The annotate screen's views, hung off the story admin."""

    def __init__(self, model_admin):
        self.admin_site = model_admin.admin_site
        self.opts = model_admin.model._meta
        self.url_name = f"{self.opts.app_label}_{self.opts.model_name}_annotate"

    @property
    def urls(self) -> list:
        wrap, name = self.admin_site.admin_view, self.url_name
        notes = "<int:story_id>/annotate/notes/"
        note = f"{notes}<int:note_id>/"
        return [
            path("annotate/", wrap(self.index_view), name=f"{name}_index"),
            path("<int:story_id>/annotate/", wrap(self.screen_view), name=name),
            path(notes, wrap(self.notes_view), name=f"{name}_notes"),
            path(note, wrap(self.note_view), name=f"{name}_note"),
            path(f"{note}replies/", wrap(self.replies_view), name=f"{name}_replies"),
            path(f"{note}replies/<int:reply_id>/", wrap(self.reply_view), name=f"{name}_reply"),
            path(f"{note}reattach/", wrap(self.reattach_view), name=f"{name}_reattach"),
            path(f"{note}review/", wrap(self.review_view), name=f"{name}_review"),
            path(
                "<int:story_id>/annotate/preview/",
                wrap(self.preview_view),
                name=f"{name}_preview",
            ),
        ]

    # Pages.

    @method_decorator(require_GET)
    def index_view(self, request):
        """Stories to annotate, newest first, searchable by headline."""
        require_permissions(request)
        query = request.GET.get(SEARCH_VAR, "").strip()[:200]
        stories = Story.objects.only("pk", "headline", "status", "published_at").order_by(
            "-created_at", "-id"
        )
        if query:
            stories = stories.filter(headline__icontains=query)
        page = requested_page(request, Paginator(stories, 50))
        context = {"title": "Annotate a story", "page": page, "query": query}
        return self._render(request, "admin/articles/story/annotate_index.html", context)

    @method_decorator(require_GET)
    def screen_view(self, request, story_id):
        require_permissions(request)
        story = get_object_or_404(Story.objects.only("pk", "headline", "slug"), pk=story_id)
        blocks, notes = story_notes(story)
        state = annotate_screen_state(blocks=blocks, notes=notes, user=request.user)
        by_block: dict[int, list[Note]] = {}
        for note in notes:
            by_block.setdefault(note.paragraph_id, []).append(note)
        orphaned_ids = {note["id"] for note in state["orphaned"]}
        changelist = reverse(f"{self.admin_site.name}:articles_note_changelist")
        context = {
            "title": f"Annotate “{story.headline}”",
            "story": story,
            "blocks": [
                (block, highlighted_text(block.annotatable_text, by_block.get(block.pk, [])))
                for block in blocks
            ],
            "orphaned": [a for a in notes if a.pk in orphaned_ids],
            "state": state,
            "note_form": NoteForm(auto_id="note-%s"),
            "can_change_story": request.user.has_perm("articles.change_story"),
            "notes_url": reverse(f"{self.admin_site.name}:{self.url_name}_notes", args=[story.pk]),
            "preview_url": reverse(
                f"{self.admin_site.name}:{self.url_name}_preview", args=[story.pk]
            ),
            "all_orphaned_url": f"{changelist}?anchor_state__exact=orphaned",
        }
        return self._render(request, "admin/articles/story/annotate.html", context)

    def _render(self, request, template: str, context: dict) -> TemplateResponse:
        request.current_app = self.admin_site.name
        context = {**self.admin_site.each_context(request), "opts": self.opts, **context}
        return TemplateResponse(request, template, context)

    # JSON endpoints.

    @json_endpoint_methods("GET", "POST")
    def notes_view(self, request, story_id):
        require_permissions(request)
        story = get_object_or_404(Story.objects.only("pk"), pk=story_id)
        if request.method == "GET":
            return self._list(request, story)
        return self._create(request, story)

    @json_endpoint_methods("GET", "POST", "DELETE")
    def note_view(self, request, story_id, note_id):
        handler, permissions, allowed = {
            "GET": (self._detail, [], None),
            "POST": (self._update, [CHANGE_PERMISSION], can_change_note),
            "DELETE": (self._delete, [DELETE_PERMISSION], can_delete_note),
        }[request.method]
        require_permissions(request, *permissions)
        note = _note(story_id, note_id)
        if allowed is not None:
            require(allowed(request.user, note))
        return handler(request, note)

    @json_endpoint_methods("POST")
    def replies_view(self, request, story_id, note_id):
        require_permissions(request, REPLY_PERMISSION)
        note = _note(story_id, note_id)
        form = ReplyForm(read_json(request))
        if not form.is_valid():
            return form_errors(form)
        reply_to_note(note=note, body=form.cleaned_data["body"], user=request.user)
        return json_response(note_detail_json(note, user=request.user), status=201)

    @json_endpoint_methods("POST", "DELETE")
    def reply_view(self, request, story_id, note_id, reply_id):
        """Rewrite (POST) or delete (DELETE) a reply: its author only."""
        require_permissions(request)
        note = _note(story_id, note_id)
        reply = get_object_or_404(
            NoteReply.objects.select_related("author"), pk=reply_id, note=note
        )
        if request.method == "DELETE":
            require(can_delete_reply(request.user, reply))
            delete_reply(reply=reply, user=request.user)
        else:
            require(can_change_reply(request.user, reply))
            form = ReplyForm(read_json(request))
            if not form.is_valid():
                return form_errors(form)
            edit_reply(reply=reply, body=form.cleaned_data["body"], user=request.user)
        return json_response(note_detail_json(note, user=request.user))

    @json_endpoint_methods("POST")
    def reattach_view(self, request, story_id, note_id):
        require_permissions(request, CHANGE_PERMISSION)
        note = _note(story_id, note_id)
        require(can_change_note(request.user, note))
        form = ReattachForm(read_json(request), story_id=story_id)
        if not form.is_valid():
            return form_errors(form)
        try:
            note = reattach_note(
                note=note,
                paragraph=form.cleaned_data["block"],
                selection=form.selection,
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict as conflict:
            return conflict_response(request, conflict)
        except SelectionError as error:
            return json_error(400, str(error), errors={"exact": [str(error)]})
        return self._detail(request, _note(story_id, note.pk))

    @json_endpoint_methods("POST")
    def review_view(self, request, story_id, note_id):
        """Submit, publish, send back or withdraw a note; the service checks who may."""
        require_permissions(request)
        note = _note(story_id, note_id)
        form = ReviewForm(read_json(request))
        if not form.is_valid():
            return form_errors(form)
        move = REVIEW_SERVICES[form.cleaned_data["move"]]
        try:
            note = move(note=note, version=form.cleaned_data["version"], user=request.user)
        except EditConflict as conflict:
            return conflict_response(request, conflict)
        except PermissionDenied as refusal:
            return json_error(403, str(refusal) or "You do not have permission to do that.")
        return self._detail(request, _note(story_id, note.pk))

    @json_endpoint_methods("POST")
    def preview_view(self, request, story_id):
        """A note's body as readers would see it, while the editor writes: clean HTML only."""
        require_permissions(request)
        form = PreviewForm(read_json(request))
        if not form.is_valid():
            return form_errors(form)
        return json_response({"html": sanitize_html(render_markdown(form.cleaned_data["body"]))})

    @staticmethod
    def _list(request, story: Story) -> HttpResponse:
        """The story's blocks and notes, to redraw the screen."""
        blocks, notes = story_notes(story)
        return json_response(annotate_screen_state(blocks=blocks, notes=notes, user=request.user))

    @staticmethod
    def _create(request, story: Story) -> HttpResponse:
        """Annotate a selected passage."""
        data = read_json(request)
        selection_form = SelectionForm(data, story_id=story.pk)
        note_form = NoteForm(data)
        if not all([selection_form.is_valid(), note_form.is_valid()]):  # every error at once
            return form_errors(selection_form, note_form)
        try:
            note = create_note(
                paragraph=selection_form.cleaned_data["block"],
                selection=selection_form.selection,
                fields=note_form.cleaned_data,
                user=request.user,
            )
        except SelectionError as error:
            return json_error(400, str(error), errors={"exact": [str(error)]})
        detail = note_detail_json(_note(story.pk, note.pk), user=request.user)
        return json_response(detail, status=201)

    @staticmethod
    def _detail(request, note: Note) -> HttpResponse:
        """A note with its thread and history."""
        return json_response(note_detail_json(note, user=request.user))

    @classmethod
    def _update(cls, request, note: Note) -> HttpResponse:
        """Change what a note says; fields left out keep their stored values."""
        data = read_json(request)
        version_form = VersionForm(data)
        note_form = NoteForm({**note_values(note), **data})
        if not all([version_form.is_valid(), note_form.is_valid()]):
            return form_errors(version_form, note_form)
        try:
            note = update_note(
                note=note,
                version=version_form.cleaned_data["version"],
                fields=note_form.cleaned_data,
                user=request.user,
            )
        except EditConflict as conflict:
            return conflict_response(request, conflict)
        return cls._detail(request, _note(note.story_id, note.pk))

    @staticmethod
    def _delete(request, note: Note) -> HttpResponse:
        form = VersionForm(read_json(request))
        if not form.is_valid():
            return form_errors(form)
        try:
            delete_note(note=note, version=form.cleaned_data["version"], user=request.user)
        except EditConflict as conflict:
            return conflict_response(request, conflict)
        return json_response({"deleted": note.pk})


def _note(story_id: int, note_id: int) -> Note:
    queryset = Note.objects.select_related("author", "paragraph")
    return get_object_or_404(queryset, pk=note_id, story_id=story_id)


def note_values(note: Note) -> dict:
    """The note's stored fields, as a NoteForm would be sent them."""
    values = {name: getattr(note, name) for name in NOTE_FIELDS}
    corrected_at = values["corrected_at"]
    values["corrected_at"] = corrected_at.isoformat() if corrected_at is not None else ""
    return values


def conflict_response(request, conflict: EditConflict) -> HttpResponse:
    """409, with the note as the other editor left it, so that nobody overwrites blindly."""
    current = _note(conflict.current.story_id, conflict.current.pk)
    return json_error(
        409,
        "Someone else changed this note since you opened it.",
        conflict=True,
        note=note_detail_json(current, user=request.user),
    )
