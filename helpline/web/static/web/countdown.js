// Helpline: live countdowns between the server's refreshes.
//
// Every `.countdown[data-due]` holds the deadline as an ISO instant; the server already wrote
// its text ("due in 1 h 20 min", "overdue by 5 min"), so the page reads right without script.
// Here the text is recomputed every 30 s (not while the tab is hidden; at once when it shows
// again, and after every htmx swap). The ticking text is aria-live="off"; the moment a target
// becomes overdue is said once, politely, through the page's #announce status region.
(function () {
  "use strict";
  var PERIOD = 30000;
  var known = {}; // data-key -> overdue as last seen, so a breach is announced once

  function durationText(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), rest = minutes % 1440;
    var hours = Math.floor(rest / 60), mins = rest % 60;
    if (days) { return hours ? days + " d " + hours + " h" : days + " d"; }
    if (hours) { return mins ? hours + " h " + mins + " min" : hours + " h"; }
    return mins ? mins + " min" : "under a minute";
  }

  function announce(text) {
    var region = document.getElementById("announce");
    if (!region) { return; }
    region.textContent = "";
    // A fresh text node after the clear, so that screen readers notice the change.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function tick() {
    var now = Date.now(), breaches = [];
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) { return; }
      var key = el.dataset.key;
      var before = key && key in known ? known[key] : el.classList.contains("breached");
      var left = due - now, overdue = left <= 0;
      var text = overdue ? "overdue by " + durationText(left) : "due in " + durationText(left);
      var words = el.querySelector(".words") || el;
      if (words.textContent !== text) { words.textContent = text; }
      el.classList.toggle("breached", overdue);
      var scope = el.closest("tr, .card, .clock");
      if (scope && overdue) { scope.classList.add("breached"); }
      if (overdue && !before) { breaches.push(el.dataset.name || key || "A target"); }
      if (key) { known[key] = overdue; }
    });
    if (breaches.length) {
      announce(breaches.join("; ") + (breaches.length === 1 ? " is" : " are") + " now overdue.");
    }
  }

  window.setInterval(function () { if (!document.hidden) { tick(); } }, PERIOD);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { tick(); } });
  document.addEventListener("htmx:afterSettle", tick);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tick);
  } else {
    tick();
  }
  window.helplineCountdown = { tick: tick, durationText: durationText };
})();
