// Draws the cooperation funnel with Chart.js from the table the server rendered.
// Without JavaScript (or without the vendored library) the table is the chart.
(function () {
  "use strict";
  const canvas = document.getElementById("funnel-chart");
  const box = document.getElementById("funnel-box");
  const table = document.getElementById("funnel-table");
  if (!canvas || !box || !table || typeof window.Chart !== "function") { return; }
  const rows = Array.from(table.querySelectorAll("tbody tr"));
  box.hidden = false;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((r) => r.dataset.label),
      datasets: [{
        label: "Count",
        data: rows.map((r) => Number(r.dataset.count)),
        backgroundColor: ["#0b5cad", "#1a7f37", "#b35c00", "#6f2dbd"],
      }],
    },
    options: {
      indexAxis: "y",
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  document.body.dataset.chartsReady = "1";
})();
