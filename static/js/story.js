/*
 * Story page enhancements. The page is complete without this script: notes are numbered
 * footnotes with links both ways, and margin notes are <details> a reader can open.
 * With it, margin notes open by themselves on wide screens (where they sit beside the text),
 * and a note and its highlighted passage light up together.
 */
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 75rem)");
  var notes = document.querySelectorAll(".margin-note");

  var body = document.querySelector(".story-body");
  var GAP = 12;

  // Beside the text, each paragraph's notes start level with it, pushed down just enough not
  // to overlap the notes above; the text itself never moves.
  function layoutSidenotes() {
    if (!body) {
      return;
    }
    var groups = body.querySelectorAll(".margin-notes");
    body.classList.toggle("js-sidenotes", wide.matches);
    var bottom = 0;
    groups.forEach(function (group) {
      if (!wide.matches) {
        group.style.top = "";
        return;
      }
      var top = Math.max(group.parentElement.offsetTop, bottom ? bottom + GAP : 0);
      group.style.top = top + "px";
      bottom = top + group.offsetHeight;
    });
    body.style.minHeight = wide.matches && bottom ? bottom + "px" : "";
  }

  function syncOpenState() {
    notes.forEach(function (note) {
      note.open = wide.matches;
    });
    layoutSidenotes();
  }

  notes.forEach(function (note) {
    note.addEventListener("toggle", layoutSidenotes);
  });
  window.addEventListener("resize", layoutSidenotes);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(layoutSidenotes);
  }

  function marksFor(noteId) {
    return document.querySelectorAll('mark.annotated[data-notes~="' + noteId + '"]');
  }

  function setActive(noteId, active) {
    marksFor(noteId).forEach(function (mark) {
      mark.classList.toggle("is-active", active);
    });
    document.querySelectorAll('.margin-note[data-note="' + noteId + '"]').forEach(function (note) {
      note.classList.toggle("is-active", active);
    });
  }

  notes.forEach(function (note) {
    var noteId = note.getAttribute("data-note");
    ["mouseenter", "focusin"].forEach(function (type) {
      note.addEventListener(type, function () {
        setActive(noteId, true);
      });
    });
    ["mouseleave", "focusout"].forEach(function (type) {
      note.addEventListener(type, function () {
        setActive(noteId, false);
      });
    });
  });

  // A reference number in the text opens its margin note where one is shown beside the text,
  // instead of jumping to the footnote at the end.
  document.querySelectorAll("a.note-ref").forEach(function (ref) {
    ref.addEventListener("click", function (event) {
      var noteId = ref.getAttribute("href").slice(1);
      var note = document.querySelector('.margin-note[data-note="' + noteId + '"]');
      if (!note || note.offsetParent === null) {
        return;
      }
      event.preventDefault();
      note.open = true;
      var summary = note.querySelector("summary");
      summary.focus();
      setActive(noteId, true);
    });
  });

  syncOpenState();
  if (wide.addEventListener) {
    wide.addEventListener("change", syncOpenState);
  }
})();
