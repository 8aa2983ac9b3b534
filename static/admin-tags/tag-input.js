/*
 * Tag fields: comma-separated names, with the existing tags offered as the editor types.
 *
 * Each input marked `data-tag-names-url` becomes an ARIA combobox (the WAI-ARIA "list
 * autocomplete" pattern): typing asks the server for tags whose name holds the name being
 * typed (the text after the last comma); Down and Up move through the offers, Enter or a click
 * takes one (it replaces the name being typed, and a comma follows for the next), Escape
 * closes the list. Typing goes on as in any text field: nothing is added unless chosen.
 *
 * Suggested tags (buttons marked `data-tag-name`, on the story form) add their tag to the
 * story's tags field in one click; the editor saves the story as usual.
 *
 * Safety: names only reach the page through textContent.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;

  function segments(value) {
    return value.split(",").map(function (part) {
      return part.trim();
    });
  }

  function hasName(input, name) {
    var wanted = name.toLowerCase();
    return segments(input.value).some(function (part) {
      return part.toLowerCase() === wanted;
    });
  }

  function withName(value, name) {
    var kept = segments(value).filter(function (part) {
      return part !== "";
    });
    kept.push(name);
    return kept.join(", ") + ", ";
  }

  function combobox(input, number) {
    var url = input.dataset.tagNamesUrl;
    var listbox = document.createElement("ul");
    var status = document.createElement("div");
    var options = [];
    var active = -1;
    var timer = null;
    var asked = "";

    listbox.id = input.id + "-tag-offers";
    listbox.className = "tag-offers";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Existing tags");
    listbox.hidden = true;
    status.className = "tag-status";
    status.setAttribute("role", "status");
    status.id = "tag-offers-status-" + number;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    // The field and its list share a positioned wrapper: the list opens right under the field.
    var wrapper = document.createElement("span");
    wrapper.className = "tag-field";
    input.before(wrapper);
    wrapper.append(input, listbox);
    wrapper.after(status);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(name) {
      var parts = input.value.split(",");
      parts.pop();
      input.value = withName(parts.join(","), name);
      close();
      status.textContent = "Added " + name + ".";
      input.focus();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(results) {
      listbox.textContent = "";
      options = results.map(function (result, index) {
        var option = document.createElement("li");
        var count = document.createElement("span");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.name;
        count.className = "tag-offer-count";
        count.textContent =
          " (" + result.stories + (result.stories === 1 ? " story)" : " stories)");
        option.appendChild(count);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // Keep the focus in the field.
          choose(result.name);
        });
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent =
          options.length +
          (options.length === 1 ? " existing tag" : " existing tags") +
          " offered; Down arrow to choose.";
      } else {
        close();
        status.textContent = "";
      }
    }

    function ask() {
      var typed = segments(input.value).pop();
      if (typed === asked) {
        return;
      }
      asked = typed;
      if (!typed) {
        close();
        return;
      }
      fetch(url + "?q=" + encodeURIComponent(typed), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (asked === typed) {
            show(
              data.results.filter(function (result) {
                return (
                  !hasName(input, result.name) || result.name.toLowerCase() === typed.toLowerCase()
                );
              }),
            );
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (listbox.hidden) {
          asked = "";
          ask();
        } else {
          highlight(Math.min(active + 1, options.length - 1));
        }
        event.preventDefault();
      } else if (event.key === "ArrowUp" && !listbox.hidden) {
        highlight(Math.max(active - 1, 0));
        event.preventDefault();
      } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
        event.preventDefault(); // Take the tag, do not submit the form.
        choose(options[active].firstChild.textContent);
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        close();
      }
    });
  }

  function suggestionButtons() {
    var field = document.getElementById("id_tags");
    document.querySelectorAll("button[data-tag-name]").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.dataset.tagName;
        if (field && !hasName(field, name)) {
          field.value = withName(field.value, name);
        }
        button.disabled = true;
        button.setAttribute("aria-pressed", "true");
        button.textContent = "Added " + name;
        var status = document.getElementById("tag-suggestions-status");
        if (status) {
          status.textContent = name + " added to the tags; save the story to keep it.";
        }
      });
    });
  }

  function start() {
    document.querySelectorAll("input[data-tag-names-url]").forEach(combobox);
    suggestionButtons();
  }

  // Form media load in the page's head, before the fields exist.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
