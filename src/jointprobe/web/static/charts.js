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
  const partnerBox = document.getElementById("partner-box");
  const partnerTable = document.getElementById("partner-table");
  if (partnerBox && partnerTable) {
    const peers = Array.from(partnerTable.querySelectorAll("tbody tr"));
    partnerBox.hidden = false;
    new window.Chart(document.getElementById("partner-chart"), {
      type: "bar",
      data: {
        labels: peers.map((r) => r.dataset.peer),
        datasets: [
          { label: "Sent", data: peers.map((r) => Number(r.dataset.sent)), backgroundColor: "#0b5cad" },
          { label: "Received", data: peers.map((r) => Number(r.dataset.received)), backgroundColor: "#b35c00" },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  document.body.dataset.chartsReady = "1";
})();
