// The money flow graph (Cytoscape.js, as the network graph): payer → beneficiary,
// arrow width by the flow's share of the largest flow in its currency.
// The page is complete without this script: the tables say the same.
import cytoscape from "/static/vendor/cytoscape.esm.min.js";

const box = document.getElementById("money-graph");
const data = JSON.parse(document.getElementById("money-data").textContent);
for (const el of document.querySelectorAll(".js-only")) { el.hidden = false; }

const cy = cytoscape({
  container: box,
  elements: data,
  wheelSensitivity: 0.3,
  minZoom: 0.2,
  maxZoom: 3,
  style: [
    { selector: "node", style: {
      "background-color": (n) => (n.data("schema") === "CryptoWallet" ? "#e69f00" : "#0072b2"),
      "shape": (n) => (n.data("schema") === "CryptoWallet" ? "round-rectangle" : "ellipse"),
      "label": "data(label)", "font-size": 9, "text-wrap": "wrap", "text-max-width": 140,
      "width": 20, "height": 20, "color": "#1b1f24" } },
    { selector: "node[?fictional]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#6f2dbd" } },
    { selector: "edge", style: {
      "width": "data(width)", "line-color": "#5b6570", "curve-style": "bezier",
      "target-arrow-shape": "triangle", "target-arrow-color": "#5b6570", "arrow-scale": 0.9,
      "label": "data(label)", "font-size": 8, "color": "#1b1f24", "text-rotation": "autorotate",
      "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
    { selector: "edge[kind = 'crypto']", style: { "line-style": "dashed", "line-color": "#e69f00", "target-arrow-color": "#e69f00" } },
  ],
  layout: { name: "breadthfirst", directed: true, spacingFactor: 1.3, animate: false },
});
window.jointprobeMoney = cy;
cy.fit(undefined, 30);
box.dataset.ready = "1";
