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
  // A field longer than its data-maxlength is said before sending (nothing typed is lost to a
  // request too large to read): the error beside it, the field marked, the form not sent.
  document.addEventListener("submit", function (e) {
    var fields = e.target.querySelectorAll("[data-maxlength]"), first = null;
    Array.prototype.forEach.call(fields, function (f) {
      var max = parseInt(f.dataset.maxlength, 10), err = document.getElementById("err-" + f.name);
      var over = f.value.length > max;
      if (over) {
        first = first || f;
        f.setAttribute("aria-invalid", "true");
        if (err) {
          err.hidden = false;
          err.textContent = "Too long: " + f.value.length.toLocaleString("en") + " characters, at most " + max.toLocaleString("en") + ". Shorten it, or send the rest as an attachment.";
        }
      }
    });
    if (first) { e.preventDefault(); first.focus(); }
  }, true);
  // An error page's "Go back": the previous page when there is one (its link is the start).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-back]");
    if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  // The collision warning (console ticket page): "replying" while the message box has text;
  // the change is reported at once, not at the next 10-s refresh.
  document.addEventListener("input", function (e) {
    if (e.target.id !== "id_body") { return; }
    var state = document.getElementById("presence-state"), region = document.getElementById("presence");
    if (!state || !region) { return; }
    var now = e.target.value.trim() ? "replying" : "viewing";
    if (state.value !== now) { state.value = now; region.dispatchEvent(new Event("presence-changed")); }
  });
  // A table box that scrolls sideways can be scrolled from the keyboard: focusable, named.
  function scrollers() {
    document.querySelectorAll(".scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        var heading = box.closest("section") && box.closest("section").querySelector("h2, h1");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") + "table, scrolls sideways");
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", scrollers); } else { scrollers(); }
  window.addEventListener("resize", scrollers);
  document.addEventListener("htmx:afterSettle", scrollers);
  // A form that cannot be undone asks first (data-confirm: the question).
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) { e.preventDefault(); }
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
      case "x": if (r[current]) { var c = r[current].querySelector("input[type=checkbox]"); if (c) { c.checked = !c.checked; } } break;
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
})();
