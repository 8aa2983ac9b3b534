/*
 * The annotate screen. Editors select a passage within one block (or take the whole block),
 * write a note in the side panel, and open existing notes by clicking their highlights.
 *
 * Offsets: the browser counts UTF-16 code units, and so does this script; the server converts
 * them to code points and checks the selected text is still there. Each block's element holds
 * nothing but its text and <mark> highlights, so a Range from the block's start measures the
 * offset in the block's raw text, whatever highlights are drawn.
 *
 * Safety: user text only ever reaches the page through textContent; the exceptions are a
 * note's body_html (and a reply's) and the preview written while typing, all HTML the server
 * has rendered from Markdown and sanitised (nh3).
 *
 * Review: a note is a draft, submitted for review, published or withdrawn. The server says
 * which moves this editor may make on each note (`review`: "" when allowed, else why not);
 * the buttons offer just those, and the server checks again.
 *
 * Keyboard: a paragraph takes the focus; arrows move a one-word selection, Shift with an arrow
 * extends it word by word, Enter writes a note on it.
 */
(function () {
  "use strict";

  var root = document.getElementById("annotate");
  var stateScript = document.getElementById("annotate-state");
  if (!root || !stateScript) {
    return;
  }

  var state = JSON.parse(stateScript.textContent);
  var notesUrl = root.dataset.notesUrl;
  var previewUrl = root.dataset.previewUrl;
  var csrfToken = root.querySelector("input[name=csrfmiddlewaretoken]").value;

  var story = document.getElementById("annotate-story");
  var form = document.getElementById("note-form");
  var idle = document.getElementById("panel-idle");
  var heading = document.getElementById("note-heading");
  var quote = document.getElementById("note-quote");
  var meta = document.getElementById("note-meta");
  var message = document.getElementById("note-message");
  var others = document.getElementById("note-others");
  var preview = document.getElementById("note-preview");
  var previewBody = document.getElementById("note-preview-body");
  var saveButton = document.getElementById("note-save");
  var stateLine = document.getElementById("note-state");
  var reviewHelp = document.getElementById("note-review-help");
  var live = document.getElementById("annotate-live");
  var moveButtons = Array.prototype.slice.call(form.querySelectorAll("button[data-move]"));
  var deleteButton = document.getElementById("note-delete");
  var closeButton = document.getElementById("note-close");
  var thread = document.getElementById("note-thread");
  var replyList = document.getElementById("reply-list");
  var replyForm = document.getElementById("reply-form");
  var replyBody = document.getElementById("reply-body");
  var replyErrors = document.getElementById("reply-errors");
  var history = document.getElementById("note-history");
  var historyList = document.getElementById("history-list");
  var orphanList = document.getElementById("orphan-list");
  var staleNotice = document.getElementById("annotate-stale");

  // Which kind of note has which fields of its own, as the server declares them on the kind
  // (`Note.Kind.own_fields`) and sends in the page's state: {kind: [field, ...]}.
  var OWNER_KIND = {}; // field name -> the one kind that uses it
  Object.keys(state.kind_fields).forEach(function (kind) {
    state.kind_fields[kind].forEach(function (name) {
      OWNER_KIND[name] = kind;
    });
  });
  var NOTE_FIELDS = ["kind", "body"].concat(Object.keys(OWNER_KIND));
  var MOVE_DONE = {
    submit: "Submitted for review.",
    publish: "Published: readers see it.",
    "send-back": "Sent back to draft.",
    withdraw: "Withdrawn: readers no longer see it.",
  };

  var selection = null; // {block, start, end, exact}: the passage a new note would go on
  var current = null; // the note open in the panel, as the server last sent it
  var version = null; // the version a save claims to change

  function field(name) {
    return form.elements[name];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  // A button that does `onClick` (not a form submit).
  function actionButton(className, text, onClick) {
    var button = el("button", className, text);
    button.type = "button";
    button.addEventListener("click", onClick);
    return button;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  // Talking to the server.

  function send(method, url, data) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    };
    if (data !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    return fetch(url, options).then(
      function (response) {
        return response.json().then(
          function (body) {
            return { status: response.status, ok: response.ok, body: body };
          },
          function () {
            // Not JSON: most likely the login page, after the session ended.
            return {
              status: response.status,
              ok: false,
              body: {
                error:
                  "Unexpected answer from the server. Reload the page (you may have been logged out).",
              },
            };
          },
        );
      },
      function () {
        return { status: 0, ok: false, body: { error: "The server could not be reached." } };
      },
    );
  }

  function noteUrl(id, action) {
    return notesUrl + encodeURIComponent(id) + "/" + (action ? action + "/" : "");
  }

  function refresh() {
    return send("GET", notesUrl).then(function (result) {
      if (result.ok) {
        state = result.body;
        render();
      }
    });
  }

  // Drawing the blocks with their highlights.

  function blockElements() {
    return story.querySelectorAll(".annotate-text[data-block-id]");
  }

  function blockOf(node) {
    var element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest(".annotate-text[data-block-id]") : null;
  }

  function findNote(id) {
    var all = state.notes.concat(state.orphaned);
    for (var i = 0; i < all.length; i++) {
      if (all[i].id === id) {
        return all[i];
      }
    }
    return null;
  }

  function innermost(notes) {
    return notes.slice().sort(function (a, b) {
      return a.end16 - a.start16 - (b.end16 - b.start16) || a.id - b.id;
    })[0];
  }

  function drawBlock(element, text, notes) {
    var bounds = [0, text.length];
    notes.forEach(function (note) {
      bounds.push(note.start16, note.end16);
    });
    bounds = bounds
      .filter(function (value, index) {
        return bounds.indexOf(value) === index;
      })
      .sort(function (a, b) {
        return a - b;
      });

    var fragment = document.createDocumentFragment();
    for (var i = 0; i + 1 < bounds.length; i++) {
      var start = bounds[i];
      var end = bounds[i + 1];
      var segment = text.slice(start, end);
      var covering = notes.filter(function (note) {
        return note.start16 <= start && note.end16 >= end;
      });
      if (!covering.length) {
        fragment.appendChild(document.createTextNode(segment));
        continue;
      }
      var top = innermost(covering);
      var mark = el("mark", "annotate-mark kind-" + top.kind, segment);
      // Published notes are drawn live (filled); the rest outlined, internal ones dotted.
      mark.classList.add(top.kind === "internal" ? "is-internal" : "is-" + top.state);
      if (covering.length > 1) {
        mark.classList.add("is-overlap");
      }
      if (
        current &&
        covering.some(function (note) {
          return note.id === current.id;
        })
      ) {
        mark.classList.add("is-active");
      }
      mark.dataset.noteIds = covering
        .map(function (note) {
          return note.id;
        })
        .join(" ");
      mark.title = covering
        .map(function (note) {
          return note.kind_label;
        })
        .join(", ");
      mark.tabIndex = 0;
      mark.setAttribute("role", "button");
      fragment.appendChild(mark);
    }
    element.textContent = "";
    element.appendChild(fragment);
  }

  function render() {
    var byBlock = {};
    state.notes.forEach(function (note) {
      (byBlock[note.block] = byBlock[note.block] || []).push(note);
    });
    var texts = {};
    state.blocks.forEach(function (block) {
      texts[block.id] = block.text;
    });
    var stale = blockElements().length !== state.blocks.length;
    blockElements().forEach(function (element) {
      var text = texts[element.dataset.blockId];
      if (text === undefined || text !== element.textContent) {
        stale = true;
      }
      if (text !== undefined) {
        drawBlock(element, text, byBlock[element.dataset.blockId] || []);
      }
    });
    staleNotice.hidden = !stale;
    renderOrphans();
  }

  function renderOrphans() {
    orphanList.textContent = "";
    if (!state.orphaned.length) {
      orphanList.appendChild(el("li", "annotate-orphans__none", "None on this story."));
      return;
    }
    state.orphaned.forEach(function (note) {
      var item = el("li");
      item.dataset.noteId = note.id;
      var open = actionButton(
        "annotate-link",
        note.kind_label + " on “" + note.quote + "”",
        function () {
          openNote(note.id);
        },
      );
      item.appendChild(open);
      if (note.can_change) {
        var reattach = actionButton("button annotate-reattach", "Re-attach here", function () {
          reattachNote(note);
        });
        reattach.disabled = !selection;
        reattach.title = selection
          ? "Attach to “" + selection.exact + "”"
          : "Select a passage first";
        item.appendChild(reattach);
      }
      orphanList.appendChild(item);
    });
  }

  // Selecting a passage.

  function offsetIn(block, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(block);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function readSelection() {
    var chosen = window.getSelection();
    if (!chosen || !chosen.rangeCount || chosen.isCollapsed) {
      return null;
    }
    var range = chosen.getRangeAt(0);
    var block = blockOf(range.startContainer);
    if (!block) {
      return null;
    }
    var text = block.textContent;
    var start = offsetIn(block, range.startContainer, range.startOffset);
    var end;
    if (block.contains(range.endContainer)) {
      end = offsetIn(block, range.endContainer, range.endOffset);
    } else {
      // A triple click ends the range past the block; anything more spans two blocks.
      var tail = range.cloneRange();
      tail.setStart(block, block.childNodes.length);
      if (tail.toString().trim() !== "") {
        return { error: "Select a passage within one paragraph." };
      }
      end = text.length;
    }
    if (end <= start) {
      return null;
    }
    return {
      block: Number(block.dataset.blockId),
      start: start,
      end: end,
      exact: text.slice(start, end),
    };
  }

  function choose(passage) {
    if (passage.error) {
      showIdle(passage.error);
      return;
    }
    selection = passage;
    renderOrphans();
    if (!form.hidden && !current) {
      // Writing a new note: a new selection moves it, and keeps what was written.
      quote.textContent = selection.exact;
      return;
    }
    openNew();
  }

  story.addEventListener("mouseup", function () {
    var passage = readSelection();
    if (passage) {
      choose(passage);
    }
  });

  story.addEventListener("keyup", function (event) {
    if (event.target.classList && event.target.classList.contains("annotate-text")) {
      return; // a focused paragraph selects by words itself (below)
    }
    if (event.shiftKey || event.key === "Shift") {
      var passage = readSelection();
      if (passage) {
        choose(passage);
      }
    }
  });

  story.addEventListener("click", function (event) {
    var whole = event.target.closest(".annotate-whole");
    if (whole) {
      var block = story.querySelector(
        '.annotate-text[data-block-id="' + whole.dataset.blockId + '"]',
      );
      var text = block.textContent;
      window.getSelection().selectAllChildren(block);
      choose({ block: Number(whole.dataset.blockId), start: 0, end: text.length, exact: text });
      return;
    }
    var mark = event.target.closest("mark.annotate-mark[data-note-ids]");
    if (mark && window.getSelection().isCollapsed) {
      openMark(mark);
    }
  });

  story.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest("mark.annotate-mark[data-note-ids]");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openMark(mark);
    }
  });

  function openMark(mark) {
    var notes = mark.dataset.noteIds.split(" ").map(Number).map(findNote).filter(Boolean);
    if (notes.length) {
      openNote(innermost(notes).id, notes);
    }
  }

  // The panel.

  function clearErrors() {
    message.hidden = true;
    message.textContent = "";
    form.querySelectorAll("ul[data-errors-for]").forEach(function (list) {
      list.textContent = "";
      list.hidden = true;
    });
  }

  function showMessage(text, kind) {
    message.textContent = text;
    message.className = "annotate-message " + (kind || "is-error");
    message.hidden = false;
  }

  function showErrors(body) {
    clearErrors();
    var errors = body.errors || {};
    var shown = false;
    Object.keys(errors).forEach(function (name) {
      var list = form.querySelector('ul[data-errors-for="' + name + '"]');
      if (list && !list.closest("[hidden]")) {
        errors[name].forEach(function (text) {
          list.appendChild(el("li", null, text));
        });
        list.hidden = false;
        shown = true;
      }
    });
    var general = body.error || "Something went wrong.";
    if (!shown) {
      Object.keys(errors).forEach(function (name) {
        general += " " + errors[name].join(" ");
      });
    }
    showMessage(general);
  }

  function syncKindFields() {
    var kind = field("kind").value;
    form.querySelectorAll("[data-field]").forEach(function (row) {
      var only = OWNER_KIND[row.dataset.field];
      row.hidden = Boolean(only) && only !== kind;
    });
    if (!current) {
      offerMoves(null);
    }
    var bodyLabel = form.querySelector('label[for="note-body"]');
    bodyLabel.textContent = kind === "factcheck" ? "Explanation:" : "Body:";
  }

  function toLocalInput(iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    var local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 16);
  }

  function fillForm(note) {
    NOTE_FIELDS.forEach(function (name) {
      var value = note ? note[name] : "";
      if (name === "corrected_at") {
        value = toLocalInput(value);
      }
      field(name).value = value === null || value === undefined ? "" : value;
    });
    if (!note) {
      field("kind").value = "context";
    }
    syncKindFields();
  }

  function readForm() {
    var data = {};
    NOTE_FIELDS.forEach(function (name) {
      data[name] = field(name).value;
    });
    if (data.corrected_at) {
      // The editor's local time, sent with its offset so the server need not guess it.
      data.corrected_at = new Date(data.corrected_at).toISOString();
    }
    return data;
  }

  function showIdle(text) {
    current = null;
    form.hidden = true;
    thread.hidden = true;
    history.hidden = true;
    heading.textContent = "Note";
    idle.textContent = text || "No passage selected.";
    idle.hidden = false;
    markActive();
  }

  function openNew() {
    current = null;
    version = null;
    clearErrors();
    heading.textContent = "New note";
    quote.textContent = selection.exact;
    meta.textContent = "";
    others.hidden = true;
    stateLine.hidden = true;
    preview.hidden = true;
    previewBody.textContent = "";
    fillForm(null);
    form.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.readOnly = false;
    });
    saveButton.textContent = "Save draft";
    saveButton.hidden = false;
    deleteButton.hidden = true;
    thread.hidden = true;
    history.hidden = true;
    idle.hidden = true;
    form.hidden = false;
    markActive();
    field("kind").focus({ preventScroll: true });
  }

  function openNote(id, overlapping) {
    send("GET", noteUrl(id)).then(function (result) {
      if (!result.ok) {
        showIdle(result.body.error);
        return;
      }
      showNote(result.body, overlapping);
    });
  }

  function showNote(note, overlapping) {
    current = note;
    version = note.version;
    clearErrors();
    heading.textContent = note.kind_label;
    quote.textContent = note.quote;
    var where = note.anchor_state === "orphaned" ? " Orphaned: its passage was edited away." : "";
    meta.textContent = "By " + note.author + ", " + when(note.created_at) + "." + where;
    stateLine.textContent = note.state_label;
    stateLine.className =
      "annotate-state is-" + (note.kind === "internal" ? "internal" : note.state);
    stateLine.hidden = false;
    fillForm(note);
    showOthers(note, overlapping || []);
    previewBody.innerHTML = note.body_html; // sanitised by the server (nh3)
    preview.hidden = !note.body_html;
    // The server says what this editor may do with this note (annotators: their own notes).
    var canChange = note.can_change;
    saveButton.textContent = "Save changes";
    saveButton.hidden = !canChange;
    deleteButton.hidden = !note.can_delete;
    offerMoves(note);
    form.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.readOnly = !canChange;
    });
    renderThread(note);
    renderHistory(note);
    idle.hidden = true;
    form.hidden = false;
    markActive();
  }

  // The review buttons this editor may use on `note` (null: a note being written).
  function offerMoves(note) {
    var kind = field("kind").value;
    var allowed = {};
    var help = "";
    if (note) {
      Object.keys(note.review).forEach(function (move) {
        allowed[move] = note.review[move] === "";
      });
      if (note.kind !== "internal" && note.state !== "published" && !allowed.publish) {
        help = state.permissions.publish
          ? note.review.publish
          : note.state === "submitted"
            ? "Waiting for an editor to publish it."
            : "An editor publishes it once you submit it for review.";
      }
    } else if (kind !== "internal") {
      var secondPerson = state.second_person_kinds.indexOf(kind) !== -1;
      allowed.submit = true;
      allowed.publish = state.permissions.publish && !secondPerson;
      if (state.permissions.publish && secondPerson) {
        help = "A second person publishes this kind of note: submit it for review.";
      } else if (!state.permissions.publish) {
        help = "An editor publishes it once you submit it for review.";
      }
    }
    moveButtons.forEach(function (button) {
      button.hidden = !allowed[button.dataset.move];
    });
    reviewHelp.textContent = help;
    reviewHelp.hidden = !help;
  }

  function showOthers(note, overlapping) {
    others.textContent = "";
    var rest = overlapping.filter(function (other) {
      return other.id !== note.id;
    });
    others.hidden = !rest.length;
    if (!rest.length) {
      return;
    }
    others.appendChild(el("span", null, "Also on this passage: "));
    rest.forEach(function (other) {
      var button = actionButton(
        "annotate-link",
        other.kind_label + " on “" + other.quote + "”",
        function () {
          openNote(other.id, overlapping);
        },
      );
      others.appendChild(button);
    });
  }

  function renderThread(note) {
    replyList.textContent = "";
    note.replies.forEach(function (reply) {
      replyList.appendChild(replyItem(reply));
    });
    replyForm.hidden = !state.permissions.reply;
    replyErrors.hidden = true;
    thread.hidden = false;
  }

  function replyItem(reply) {
    var item = el("li", "annotate-reply");
    item.dataset.replyId = reply.id;
    var meta = el("p", "annotate-reply__meta", reply.author + ", " + when(reply.created_at));
    if (reply.edited_at) {
      meta.appendChild(
        el("span", "annotate-reply__edited", " (edited " + when(reply.edited_at) + ")"),
      );
    }
    item.appendChild(meta);
    var body = el("div", "annotate-reply__body");
    body.innerHTML = reply.body_html; // sanitised by the server (nh3)
    item.appendChild(body);
    // Only a reply's author may change it; the server says whose this is.
    if (reply.can_change || reply.can_delete) {
      var actions = el("p", "annotate-reply__actions");
      if (reply.can_change) {
        var edit = actionButton("annotate-link", "Edit", function () {
          editReply(item, reply);
        });
        actions.appendChild(edit);
      }
      if (reply.can_delete) {
        var remove = actionButton("annotate-link annotate-delete", "Delete", function () {
          deleteReply(reply);
        });
        actions.appendChild(remove);
      }
      item.appendChild(actions);
    }
    return item;
  }

  // A refused reply's errors, in the form's error `list`.
  function showReplyErrors(list, result) {
    list.textContent = "";
    var messages = (result.body.errors && result.body.errors.body) || [result.body.error];
    messages.forEach(function (message) {
      list.appendChild(el("li", null, message));
    });
    list.hidden = false;
  }

  function editReply(item, reply) {
    var editor = el("form", "annotate-reply__editor");
    editor.noValidate = true;
    var label = el("label", null, "Your reply");
    var text = el("textarea");
    text.rows = 3;
    text.value = reply.body;
    label.appendChild(text);
    var errors = el("ul", "errorlist");
    errors.hidden = true;
    var save = el("button", "button", "Save reply");
    save.type = "submit";
    var cancel = actionButton("button", "Cancel", function () {
      renderThread(current);
    });
    editor.appendChild(label);
    editor.appendChild(errors);
    editor.appendChild(save);
    editor.appendChild(cancel);
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      send("POST", replyUrl(reply), { body: text.value }).then(function (result) {
        if (!result.ok) {
          showReplyErrors(errors, result);
          return;
        }
        afterThreadChange(result.body);
      });
    });
    item.textContent = "";
    item.appendChild(editor);
    text.focus();
  }

  function deleteReply(reply) {
    if (!window.confirm("Delete your reply? The note's history keeps what it said.")) {
      return;
    }
    send("DELETE", replyUrl(reply)).then(function (result) {
      if (!result.ok) {
        replyErrors.textContent = "";
        replyErrors.appendChild(el("li", null, result.body.error));
        replyErrors.hidden = false;
        return;
      }
      afterThreadChange(result.body);
    });
  }

  function replyUrl(reply) {
    return noteUrl(current.id, "replies") + encodeURIComponent(reply.id) + "/";
  }

  function afterThreadChange(note) {
    current.replies = note.replies;
    current.history = note.history;
    renderThread(current);
    renderHistory(current);
  }

  function renderHistory(note) {
    historyList.textContent = "";
    history.hidden = !note.history;
    (note.history || []).forEach(function (revision) {
      var item = el("li", "annotate-revision");
      item.appendChild(
        el(
          "p",
          "annotate-revision__meta",
          revision.action_label + " by " + revision.user + ", " + when(revision.created_at),
        ),
      );
      if (revision.changes.length) {
        var changes = el("ul", "annotate-revision__changes");
        revision.changes.forEach(function (change) {
          var line = el("li");
          line.appendChild(el("span", "annotate-revision__field", change.field + ": "));
          if (change.before !== null && change.before !== "") {
            line.appendChild(el("del", null, String(change.before)));
            line.appendChild(document.createTextNode(" → "));
          }
          line.appendChild(el("ins", null, change.after === null ? "—" : String(change.after)));
          changes.appendChild(line);
        });
        item.appendChild(changes);
      }
      historyList.appendChild(item);
    });
  }

  function markActive() {
    story.querySelectorAll("mark.annotate-mark").forEach(function (mark) {
      var ids = mark.dataset.noteIds ? mark.dataset.noteIds.split(" ").map(Number) : [];
      mark.classList.toggle("is-active", Boolean(current) && ids.indexOf(current.id) !== -1);
    });
  }

  // Saving.

  function afterSave(result, done) {
    if (result.status === 409) {
      showConflict(result.body);
      return;
    }
    if (!result.ok) {
      if (result.body.note) {
        showNote(result.body.note);
      }
      showErrors(result.body);
      refresh();
      return;
    }
    if (result.body.deleted) {
      showIdle("Note deleted.");
    } else {
      showNote(result.body);
      showMessage(done || "Saved.", "is-success");
    }
    refresh();
  }

  function showConflict(body) {
    var theirs = body.note;
    clearErrors();
    message.className = "annotate-message is-error";
    message.textContent = "";
    message.appendChild(
      el(
        "p",
        null,
        "Someone else changed this note: it is now a " +
          theirs.kind_label.toLowerCase() +
          " (" +
          theirs.state_label +
          ")" +
          (theirs.body ? " saying “" + theirs.body + "”." : "."),
      ),
    );
    var load = actionButton("button", "Load their version", function () {
      showNote(theirs);
      refresh();
    });
    var keep = actionButton("button", "Keep my changes", function () {
      version = theirs.version;
      showMessage("Save again to replace their version with yours.", "is-warning");
    });
    message.appendChild(load);
    message.appendChild(keep);
    message.hidden = false;
  }

  // Save what the form says: a new note on the selection, or changes to the open note.
  function save() {
    var data = readForm();
    if (current) {
      data.version = version;
      return send("POST", noteUrl(current.id), data);
    }
    data.block = selection.block;
    data.start = selection.start;
    data.end = selection.end;
    data.exact = selection.exact;
    return send("POST", notesUrl, data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (current || selection) {
      save().then(function (result) {
        afterSave(result);
      });
    }
  });

  // A review move saves what was written first (when it may be changed), then moves the note.
  function makeMove(move) {
    var saving =
      !current || current.can_change
        ? save()
        : Promise.resolve({ ok: true, status: 200, body: current });
    saving.then(function (saved) {
      if (!saved.ok) {
        afterSave(saved);
        return;
      }
      var note = saved.body;
      send("POST", noteUrl(note.id, "review"), { move: move, version: note.version }).then(
        function (result) {
          if (!result.ok && !result.body.conflict) {
            result.body.note = note; // saved, but not moved: show it as it is
          }
          afterSave(result, MOVE_DONE[move]);
        },
      );
    });
  }

  moveButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      makeMove(button.dataset.move);
    });
  });

  field("kind").addEventListener("change", syncKindFields);

  // The preview, while writing: the server renders the Markdown and sanitises the HTML.
  var previewTimer = null;
  var previewAsked = 0;
  field("body").addEventListener("input", function () {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(function () {
      var asked = ++previewAsked;
      send("POST", previewUrl, { body: field("body").value }).then(function (result) {
        if (asked !== previewAsked || !result.ok) {
          return; // a later keystroke's preview is on its way
        }
        previewBody.innerHTML = result.body.html; // sanitised by the server (nh3)
        preview.hidden = !result.body.html;
      });
    }, 250);
  });

  deleteButton.addEventListener("click", function () {
    if (!current || !window.confirm("Delete this note and its discussion? Its history is kept.")) {
      return;
    }
    send("DELETE", noteUrl(current.id), { version: version }).then(afterSave);
  });

  closeButton.addEventListener("click", function () {
    selection = null;
    renderOrphans();
    showIdle();
  });

  replyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    send("POST", noteUrl(current.id, "replies"), { body: replyBody.value }).then(function (result) {
      if (!result.ok) {
        showReplyErrors(replyErrors, result);
        return;
      }
      replyBody.value = "";
      afterThreadChange(result.body);
    });
  });

  function reattachNote(note) {
    if (!selection) {
      return;
    }
    var data = {
      version: note.version,
      block: selection.block,
      start: selection.start,
      end: selection.end,
      exact: selection.exact,
    };
    send("POST", noteUrl(note.id, "reattach"), data).then(function (result) {
      if (result.ok) {
        selection = null;
      }
      afterSave(result);
    });
  }

  // Selecting words with the keyboard, inside a focused paragraph.

  var WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;
  var keyboard = null; // {element, words: [[start, end]], anchor, focus}: word indexes

  function wordsOf(text) {
    var words = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text))) {
      words.push([match.index, match.index + match[0].length]);
    }
    return words;
  }

  // The text node and offset at UTF-16 `offset` of the block's text, across its highlights.
  function pointAt(element, offset) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var node;
    var last = null;
    while ((node = walker.nextNode())) {
      if (offset <= node.data.length) {
        return { node: node, offset: offset };
      }
      offset -= node.data.length;
      last = node;
    }
    return { node: last || element, offset: last ? last.data.length : 0 };
  }

  function keyboardPassage() {
    var first = Math.min(keyboard.anchor, keyboard.focus);
    var last = Math.max(keyboard.anchor, keyboard.focus);
    var start = keyboard.words[first][0];
    var end = keyboard.words[last][1];
    var text = keyboard.element.textContent;
    return {
      block: Number(keyboard.element.dataset.blockId),
      start: start,
      end: end,
      exact: text.slice(start, end),
    };
  }

  function showKeyboardSelection() {
    var passage = keyboardPassage();
    var from = pointAt(keyboard.element, passage.start);
    var to = pointAt(keyboard.element, passage.end);
    window.getSelection().setBaseAndExtent(from.node, from.offset, to.node, to.offset);
    live.textContent = "Selected: " + passage.exact + ". Press Enter to write a note on it.";
  }

  story.addEventListener("focusin", function (event) {
    var element = event.target;
    if (!element.classList.contains("annotate-text")) {
      return;
    }
    if (!keyboard || keyboard.element !== element) {
      var words = wordsOf(element.textContent);
      keyboard = words.length
        ? { element: element, words: words, anchor: 0, focus: 0, shown: false }
        : null;
    }
    // Not selected yet: a mouse may be about to drag a selection of its own.
    live.textContent = "Paragraph. Use the arrow keys to select words, Enter to write a note.";
  });

  story.addEventListener("keydown", function (event) {
    var element = event.target;
    if (!element.classList || !element.classList.contains("annotate-text") || !keyboard) {
      return;
    }
    var last = keyboard.words.length - 1;
    var moves = {
      ArrowRight: Math.min(keyboard.focus + 1, last),
      ArrowLeft: Math.max(keyboard.focus - 1, 0),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      if (!keyboard.shown) {
        // The first key selects the word it points at from outside: the first or the last.
        keyboard.focus = event.key === "ArrowLeft" || event.key === "End" ? last : 0;
        keyboard.anchor = keyboard.focus;
        keyboard.shown = true;
      } else {
        keyboard.focus = moves[event.key];
        if (!event.shiftKey) {
          keyboard.anchor = keyboard.focus;
        }
      }
      showKeyboardSelection();
    } else if (event.key === "Enter" && keyboard.shown) {
      event.preventDefault();
      choose(keyboardPassage());
    } else if (event.key === "Escape") {
      window.getSelection().removeAllRanges();
      keyboard.shown = false;
      live.textContent = "";
    }
  });

  render();

  // The inbox links to a note as ?note=<id>: open it, as a click on its passage would.
  var linked = findNote(Number(new URLSearchParams(window.location.search).get("note")));
  if (linked) {
    openNote(linked.id, [linked]);
  }
})();
