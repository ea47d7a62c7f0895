// Draws the report charts from the tables the page already shows (Chart.js, vendored).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof Chart === "undefined") return;
    var data = JSON.parse(node.textContent);
    var backlog = data["backlog"];
    var el = document.getElementById("chart-backlog");
    if (backlog && el) {
      new Chart(el, {
        type: "line",
        data: {
          labels: backlog.rows.map(function (r) { return r[0]; }),
          datasets: [1, 2, 3].map(function (i) {
            return { label: backlog.columns[i], data: backlog.rows.map(function (r) { return r[i]; }) };
          }),
        },
        options: { animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false } },
      });
    }
    var comp = data["compliance-month"] || data["compliance-priority"];
    el = document.getElementById("chart-compliance");
    if (comp && el) {
      new Chart(el, {
        type: "bar",
        data: {
          labels: comp.rows.map(function (r) { return r[0]; }),
          datasets: [3, 6].map(function (i) {
            return { label: comp.columns[i], data: comp.rows.map(function (r) { return r[i]; }) };
          }),
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
