/*
 * Story page notes. Without this script the page is complete: each note is a numbered footnote
 * at the end of the story (nojs.css), with links both ways. With it, the notes sit beside
 * their words instead, and the footnotes are not shown on screen (print keeps them):
 *
 * - From 1,024 px, every note is open in the margin, level with its paragraph, pushed down
 *   just enough not to overlap the one above; the text never moves.
 * - Below that, a note opens under its paragraph when its highlight is clicked, tapped or
 *   activated with Enter or Space, and shows the words it is about.
 * - Hovering or focusing a highlight lights up its note, and the other way round.
 * - A note's permanent address (#note-<id>) opens and shows its note, on arrival and after.
 */
(function () {
  "use strict";

  var body = document.querySelector(".story-body");
  if (!body) {
    return;
  }
  var wide = window.matchMedia("(min-width: 64rem)");
  var GAP = 12;
  var notes = Array.prototype.slice.call(body.querySelectorAll(".margin-note"));
  var marks = Array.prototype.slice.call(body.querySelectorAll("mark.annotated"));

  document.documentElement.classList.add("notes-enhanced");

  function noteFor(noteId) {
    return body.querySelector('.margin-note[data-note="' + noteId + '"]');
  }

  function marksFor(noteId) {
    return marks.filter(function (mark) {
      return (mark.getAttribute("data-notes") || "").split(" ").indexOf(noteId) !== -1;
    });
  }

  function layoutSidenotes() {
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

  function syncExpanded() {
    marks.forEach(function (mark) {
      var ids = (mark.getAttribute("data-notes") || "").split(" ");
      var open = ids.some(function (noteId) {
        var note = noteFor(noteId);
        return note && note.open;
      });
      mark.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function setActive(noteId, active) {
    marksFor(noteId).forEach(function (mark) {
      mark.classList.toggle("is-active", active);
    });
    var note = noteFor(noteId);
    if (note) {
      note.classList.toggle("is-active", active);
    }
  }

  function reveal(noteId, options) {
    var note = noteFor(noteId);
    if (!note) {
      return false;
    }
    note.open = true;
    layoutSidenotes();
    syncExpanded();
    setActive(noteId, true);
    var summary = note.querySelector("summary");
    summary.focus({ preventScroll: true });
    // Arriving at a note's address jumps to it at once, as a browser jumps to any anchor.
    var fromHash = options && options.fromHash;
    note.scrollIntoView({
      block: fromHash ? "start" : "nearest",
      behavior: fromHash ? "instant" : "auto",
    });
    return true;
  }

  // Highlights become the way into their notes.
  marks.forEach(function (mark) {
    var ids = (mark.getAttribute("data-notes") || "").split(" ");
    mark.setAttribute("tabindex", "0");
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-controls", mark.getAttribute("data-margin") || "");
    mark.setAttribute("aria-expanded", "false");

    function activate(event) {
      event.preventDefault();
      var first = noteFor(ids[0]);
      if (!wide.matches && first && first.open) {
        ids.forEach(function (noteId) {
          var note = noteFor(noteId);
          if (note) {
            note.open = false;
          }
        });
        syncExpanded();
        return;
      }
      ids.forEach(function (noteId) {
        var note = noteFor(noteId);
        if (note) {
          note.open = true;
        }
      });
      reveal(ids[0]);
    }

    mark.addEventListener("click", activate);
    mark.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        activate(event);
      }
    });
    ["mouseenter", "focus"].forEach(function (type) {
      mark.addEventListener(type, function () {
        ids.forEach(function (noteId) {
          setActive(noteId, true);
        });
      });
    });
    ["mouseleave", "blur"].forEach(function (type) {
      mark.addEventListener(type, function () {
        ids.forEach(function (noteId) {
          setActive(noteId, false);
        });
      });
    });
  });

  notes.forEach(function (note) {
    var noteId = note.getAttribute("data-note");
    note.addEventListener("toggle", function () {
      layoutSidenotes();
      syncExpanded();
    });
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

  // Links to a note (its permalink, a correction notice, an old footnote number) open it here.
  document.querySelectorAll('a[href^="#note-"]').forEach(function (link) {
    link.addEventListener("click", function (event) {
      var noteId = link.getAttribute("href").slice(1);
      if (noteFor(noteId)) {
        event.preventDefault();
        if (window.location.hash !== "#" + noteId) {
          history.pushState(null, "", "#" + noteId);
        }
        reveal(noteId);
      }
    });
  });

  function revealFromHash() {
    var noteId = window.location.hash.slice(1);
    if (/^note-\d+$/.test(noteId)) {
      reveal(noteId, { fromHash: true });
    }
  }

  function syncOpenState() {
    notes.forEach(function (note) {
      note.open = wide.matches;
    });
    layoutSidenotes();
    syncExpanded();
  }

  window.addEventListener("resize", layoutSidenotes);
  window.addEventListener("hashchange", revealFromHash);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(layoutSidenotes);
  }
  if (wide.addEventListener) {
    wide.addEventListener("change", syncOpenState);
  }
  syncOpenState();
  revealFromHash();
})();
