/*
 * The story form, made compact: body blocks are reordered with "Move up" / "Move down" buttons
 * (keyboard) or by dragging a block's handle (mouse); the blocks' hidden position fields are
 * renumbered in page order, so saving stores the order shown. Text areas grow with their text
 * by CSS (`field-sizing`, story-form.css).
 */
(function () {
  "use strict";

  // Form media load in the page's head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var group = document.getElementById("blocks-group");
    if (!group) {
      return;
    }
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    group.appendChild(status);
    group.classList.add("reorderable");

    function blocks() {
      return Array.prototype.filter.call(
        group.querySelectorAll(".inline-related"),
        function (block) {
          return !block.classList.contains("empty-form") && block.id.indexOf("-empty") === -1;
        },
      );
    }

    function renumber() {
      blocks().forEach(function (block, index) {
        var position = block.querySelector("input[name$='-position']");
        if (position) {
          position.value = String(index);
        }
        block.querySelectorAll(".block-move").forEach(function (button) {
          var up = button.dataset.direction === "up";
          button.setAttribute(
            "aria-label",
            (up ? "Move up" : "Move down") + " (block " + (index + 1) + ")",
          );
          button.disabled = up ? index === 0 : index === blocks().length - 1;
        });
      });
    }

    function move(block, direction) {
      var list = blocks();
      var index = list.indexOf(block);
      var other = list[index + (direction === "up" ? -1 : 1)];
      if (!other) {
        return;
      }
      if (direction === "up") {
        other.before(block);
      } else {
        other.after(block);
      }
      renumber();
      status.textContent = "Block moved to place " + (blocks().indexOf(block) + 1) + ".";
    }

    function button(block, direction) {
      var control = document.createElement("button");
      control.type = "button";
      control.className = "button block-move";
      control.dataset.direction = direction;
      var arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = direction === "up" ? "↑ " : "↓ ";
      control.append(arrow, direction === "up" ? "Move up" : "Move down");
      control.addEventListener("click", function () {
        move(block, direction);
        // At the top or bottom this button is disabled: keep the focus on the other one.
        var focus = control.disabled ? block.querySelector(".block-move:not([disabled])") : control;
        if (focus) {
          focus.focus();
        }
      });
      return control;
    }

    var dragged = null;

    function equip(block) {
      if (block.querySelector(".block-tools")) {
        return;
      }
      var heading = block.querySelector("h3");
      var tools = document.createElement("span");
      tools.className = "block-tools";
      var handle = document.createElement("span");
      handle.className = "block-handle";
      handle.textContent = "⠿";
      handle.title = "Drag to move";
      handle.setAttribute("aria-hidden", "true");
      tools.append(handle, button(block, "up"), button(block, "down"));
      (heading || block).appendChild(tools);
      block.draggable = true;
      block.addEventListener("dragstart", function (event) {
        if (event.target !== block) {
          return;
        }
        dragged = block;
        block.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
      });
      block.addEventListener("dragend", function () {
        block.classList.remove("dragging");
        dragged = null;
        renumber();
      });
      block.addEventListener("dragover", function (event) {
        if (!dragged || dragged === block) {
          return;
        }
        event.preventDefault();
        var box = block.getBoundingClientRect();
        if (event.clientY < box.top + box.height / 2) {
          block.before(dragged);
        } else {
          block.after(dragged);
        }
      });
    }

    blocks().forEach(equip);
    renumber();
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName === "blocks") {
        equip(event.target);
        renumber();
      }
    });
  }
})();
