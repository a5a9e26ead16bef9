// The interactive network graph (Cytoscape.js, vendored from npm).
// The page is complete without this script: a table and plain links/forms.
// With it: pan, zoom, expand a node one hop in place, filter by schema.
import cytoscape from "/static/vendor/cytoscape.esm.min.js";

const COLOURS = {
  Person: "#0b5cad", Company: "#b35c00", Organization: "#1a7f37",
  UserAccount: "#6f2dbd", LegalEntity: "#5b6570", Address: "#8c564b",
  Hidden: "#c8ced6",
};

const box = document.getElementById("graph");
const statusLine = document.getElementById("graph-status");
const info = document.getElementById("node-info");
const picker = document.getElementById("node-pick");
const filter = document.getElementById("schema-filter");
const colourBy = document.getElementById("colour-by"); // the case graph only (groups)
const bySchema = () => !colourBy || colourBy.value === "schema";
const UNGROUPED = "#b8c0c8"; // nodes added by expanding have no group in this view
const initial = JSON.parse(document.getElementById("graph-data").textContent);

function say(text) { statusLine.textContent = text; }

for (const el of document.querySelectorAll(".js-only")) { el.hidden = false; }

const cy = cytoscape({
  container: box,
  elements: { nodes: initial.nodes, edges: initial.edges },
  wheelSensitivity: 0.3,
  minZoom: 0.1,
  maxZoom: 3,
  style: [
    { selector: "node", style: {
      "background-color": (n) => (bySchema() ? COLOURS[n.data("schema")] || "#8a96a3" : n.data("colour") || UNGROUPED),
      "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
      "width": (n) => n.data("size") || 18, "height": (n) => n.data("size") || 18,
      "color": "#1b1f24", "min-zoomed-font-size": 6 } },
    { selector: "node[?fictional]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#6f2dbd" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffbf47", "border-style": "solid" } },
    { selector: "edge", style: {
      "width": 1.2, "line-color": "#9aa5b1", "curve-style": "bezier",
      "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b1", "arrow-scale": 0.7,
      "label": "data(label)", "font-size": 7, "color": "#5b6570", "text-rotation": "autorotate" } },
    { selector: ".hidden-schema", style: { "display": "none" } },
  ],
  layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000 },
});
window.jointprobeGraph = cy;

function counts() {
  box.dataset.nodes = String(cy.nodes().length);
  box.dataset.edges = String(cy.edges().length);
}

function refreshPicker(selected) {
  const nodes = cy.nodes().map((n) => n.data()).sort((a, b) => a.label.localeCompare(b.label));
  picker.replaceChildren(...nodes.map((d) => {
    const option = new Option(`${d.label} (${d.schema})`, d.id);
    option.selected = d.id === selected;
    return option;
  }));
}

function showInfo(node) {
  const d = node.data();
  const caseLink = d.case_id ? `/cases/${encodeURIComponent(d.case_id)}#entity-${encodeURIComponent(d.id)}` : null;
  info.replaceChildren();
  const title = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = d.label;
  title.append(strong, ` (${d.schema}) TLP:${d.tlp}${d.grading ? " " + d.grading : ""}`);
  if (d.community) {
    title.append(` · group ${d.community}, degree ${d.degree}, betweenness ${d.betweenness.toFixed(3)}, PageRank ${d.pagerank.toFixed(3)}`);
  }
  if (d.fictional) {
    const tag = document.createElement("span");
    tag.className = "fictional";
    tag.textContent = "FICTIONAL";
    title.append(" ", tag);
  }
  info.append(title);
  if (caseLink) {
    const a = document.createElement("a");
    a.href = caseLink;
    a.textContent = "Open in its case";
    info.append(a);
  }
}

function applyFilter() {
  const shown = new Set(Array.from(filter.querySelectorAll("input[name=schema]:checked")).map((i) => i.value));
  cy.nodes().forEach((n) => { n.toggleClass("hidden-schema", !shown.has(n.data("schema"))); });
}

async function expand(id) {
  const node = cy.getElementById(id);
  const label = node.nonempty() ? node.data("label") : id;
  say(`Expanding ${label}…`);
  const param = box.dataset.aroundParam || "around";
  const url = `${box.dataset.json}${box.dataset.json.includes("?") ? "&" : "?"}${param}=${encodeURIComponent(id)}`;
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) { window.location.assign(`/signin?expired=1&next=${encodeURIComponent(location.pathname)}`); return; }
  if (!response.ok) { say(`Could not expand ${label} (${response.status}).`); return; }
  const data = await response.json();
  const fresh = [...data.nodes, ...data.edges].filter((el) => cy.getElementById(el.data.id).empty());
  const centre = cy.getElementById(id);
  const at = centre.nonempty() ? centre.position() : { x: 0, y: 0 };
  const ungrouped = (el) => ({ ...el, data: { ...el.data, colour: UNGROUPED, community: null, size: 14 } });
  const added = cy.add(fresh.map((el) => (el.data.source ? el : { ...ungrouped(el), position: { x: at.x + Math.random() * 40 - 20, y: at.y + Math.random() * 40 - 20 } })));
  const newNodes = added.nodes().length;
  if (newNodes > 0) {
    cy.layout({ name: "cose", animate: false, randomize: false, fit: true, nodeRepulsion: () => 9000 }).run();
  }
  applyFilter();
  refreshPicker(id);
  counts();
  cy.getElementById(id).select();
  say(newNodes ? `Added ${newNodes} entities and ${added.edges().length} relations around ${label} (grey: outside the groups drawn).` : `Nothing more around ${label}.`);
}

cy.on("tap", "node", (event) => { showInfo(event.target); picker.value = event.target.id(); });
cy.on("dbltap", "node", (event) => { expand(event.target.id()); });

document.getElementById("expand-button").addEventListener("click", () => expand(picker.value));
document.getElementById("zoom-in").addEventListener("click", () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 } }));
document.getElementById("zoom-out").addEventListener("click", () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 } }));
document.getElementById("zoom-fit").addEventListener("click", () => cy.fit(undefined, 20));
filter.addEventListener("change", applyFilter);
if (colourBy) { colourBy.addEventListener("change", () => { cy.style().update(); }); }
cy.resize();
cy.fit(undefined, 20);
applyFilter();
counts();
box.dataset.ready = "1";
say(`${cy.nodes().length} entities drawn. Double-click a node, or pick one and press "Expand one hop".`);
