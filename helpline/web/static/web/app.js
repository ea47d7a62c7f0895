// Helpline: the issue type suggests a priority; keyboard shortcuts for the common moves.
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.id === "id_issue_type" && t.dataset.suggest) {
      var opt = t.options[t.selectedIndex];
      var p = document.getElementById(t.dataset.suggest);
      if (p && opt && opt.dataset.priority) { p.value = opt.dataset.priority; }
    }
    if (t.dataset.fills) {
      var chosen = t.options[t.selectedIndex], box = document.getElementById(t.dataset.fills);
      if (box && chosen && chosen.dataset.text) {
        box.value = box.value ? box.value + "\n\n" + chosen.dataset.text : chosen.dataset.text;
        box.focus();
      }
      t.selectedIndex = 0;
    }
  });
  function typing(e) {
    var el = e.target;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr[data-ticket]")); }
  var current = -1;
  function mark(i) {
    var r = rows();
    if (!r.length) { return; }
    current = Math.max(0, Math.min(i, r.length - 1));
    r.forEach(function (row, n) { row.classList.toggle("current", n === current); });
    var link = r[current].querySelector("a.open");
    if (link) { link.focus(); }
  }
  // The 30-s refresh swaps the rows: keep what the agent chose (the ticked rows, the current
  // row and its focus), so that a refresh never loses a selection under the keyboard.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "queue-rows") { return; }
    var r = rows(), active = document.activeElement;
    kept = {
      ticked: r.filter(function (row) { return row.querySelector("input[type=checkbox]:checked"); })
        .map(function (row) { return row.dataset.ticket; }),
      current: r[current] ? r[current].dataset.ticket : null,
      focused: active && active.closest && active.closest("#queue-rows tr[data-ticket]")
        ? { ticket: active.closest("tr").dataset.ticket, tag: active.tagName } : null
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!kept) { return; }
    var r = rows(), was = kept;
    kept = null;
    current = -1;
    r.forEach(function (row, n) {
      var box = row.querySelector("input[type=checkbox]");
      if (box && was.ticked.indexOf(row.dataset.ticket) >= 0) { box.checked = true; }
      if (row.dataset.ticket === was.current) { current = n; row.classList.add("current"); }
      if (was.focused && row.dataset.ticket === was.focused.ticket) {
        var target = was.focused.tag === "INPUT" ? box : row.querySelector("a.open");
        if (target) { target.focus(); }
      }
    });
  });
  // A region htmx is replacing says so to assistive technology while it waits.
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target) { e.detail.target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.target) { e.detail.target.removeAttribute("aria-busy"); }
  });
  function focus(id) { var el = document.getElementById(id); if (el) { el.focus(); return true; } return false; }
  // r / n: the same message box, marked as a reply or a note; Ctrl+Enter sends it that way.
  function compose(mode) {
    var form = document.getElementById("reply-form");
    if (!form || !focus("id_body")) { return false; }
    form.dataset.mode = mode;
    return true;
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.id === "id_body") {
      var form = document.getElementById("reply-form");
      if (!form) { return; }
      var button = form.dataset.mode === "note" ? document.getElementById("send-note")
        : form.querySelector("button.primary") || document.getElementById("send-note");
      if (button) { e.preventDefault(); form.requestSubmit(button); }
    }
  });
  function help() {
    var dialog = document.getElementById("keys");
    if (!dialog || dialog.open) { return false; }
    dialog.showModal();
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e) || document.querySelector("dialog[open]")) {
      return;
    }
    var r = rows();
    switch (e.key) {
      case "j": mark(current + 1); break;
      case "k": mark(current - 1); break;
      case "o": if (r[current]) { r[current].querySelector("a.open").click(); } break;
      case "x": if (r[current]) { var c = r[current].querySelector("input[type=checkbox]"); c.checked = !c.checked; } break;
      case "/": if (!focus("f-store")) { return; } break;
      case "r": if (!compose("reply")) { return; } break;
      case "n": if (!compose("note")) { return; } break;
      case "a": if (!focus("id_assignee")) { return; } break;
      case "g": window.location.href = "/console/"; break;
      case "?": if (!help()) { return; } break;
      default: return;
    }
    e.preventDefault();
  });
  // A survey link's page: the person's one click in the mail records the answer (a mail
  // scanner that only fetches the link runs no script, so it records nothing).
  var answer = document.querySelector("form[data-autosubmit]");
  if (answer) { answer.submit(); }
})();
