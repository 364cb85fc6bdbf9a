// The graph view: vis-network over the JSON data island #graph-data (no inline script, so the strict
// Content-Security-Policy holds). Labels and tooltips are data: they reach the page only as text
// (canvas labels, textContent, DOM text tooltips), never as HTML. Physics runs until the layout is
// stable, then stops. window.exportkgNetwork exposes the network and its DataSets (tests read them).
"use strict";

(function () {
  const view = { network: null, nodes: null, edges: null, data: null, stable: false,
                 startedAt: performance.now(), stabilizedAt: null, hiddenKinds: new Set(),
                 hiddenEdges: new Set(), onlyChanges: false, matches: [], matchIndex: -1 };

  function byId(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // vis-network may render a string title as HTML: hand it a DOM element holding text only.
  function textTitle(text) { return el("div", String(text), "graph-tooltip"); }

  function prepare(item) {
    const copy = Object.assign({}, item);
    if (typeof copy.title === "string") copy.title = textTitle(copy.title);
    return copy;
  }

  function status(text) { byId("graph-status").textContent = text; }

  function markStable() {
    view.network.setOptions({ physics: { enabled: false } });
    view.stable = true;
    view.stabilizedAt = performance.now();
    document.body.dataset.graphStable = "true";
    status(`${view.nodes.length} nodes, ${view.edges.length} links; layout stable.`);
  }

  function restartPhysics() {
    view.stable = false;
    document.body.dataset.graphStable = "false";
    view.network.setOptions({ physics: { enabled: true } });
    view.network.stabilize(200);
  }

  function showDetails(id) {
    const box = byId("graph-details");
    box.replaceChildren();
    const node = view.nodes.get(id);
    if (!node) { box.append(el("p", "Nothing selected.", "hint")); return; }
    box.append(el("p", node.fullLabel || node.label, "graph-details-label"));
    const pre = el("p", node.title ? node.title.textContent : "", "graph-tooltip");
    box.append(pre);
    if (node.href && node.href.startsWith("/")) {
      const link = el("a", "Open its page", "graph-open");
      link.href = node.href;
      box.append(link);
    }
    if (view.data.meta.dataUrl) {
      const button = el("button", node.more ? `Expand (+${node.more})` : "Expand", "graph-expand");
      button.type = "button";
      button.addEventListener("click", () => expand(id));
      box.append(" ", button);
    }
  }

  function openPage(id, newTab) {
    const node = view.nodes.get(id);
    if (!node || !node.href || !node.href.startsWith("/")) { showDetails(id); return; }
    if (newTab) window.open(node.href, "_blank", "noopener");
    else window.location.assign(node.href);
  }

  async function expand(id) {
    const meta = view.data.meta;
    if (!meta.dataUrl) { status("Expanding needs the exportkg server."); return; }
    const url = new URL(meta.dataUrl, window.location.href);
    url.searchParams.set("entity", id);
    url.searchParams.set("regime", meta.regime || "");
    url.searchParams.set("cap", String(meta.expandCap || 40));
    status("Fetching neighbours…");
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const more = await response.json();
    if (!response.ok) { status(more.error || `error ${response.status}`); return; }
    const origin = view.network.getPosition(id);
    const fresh = more.nodes.filter((n) => !view.nodes.get(n.id)).map((n, i) =>
      Object.assign(prepare(n), { x: origin.x + 60 * Math.cos(i), y: origin.y + 60 * Math.sin(i) }));
    const self = more.nodes.find((n) => n.id === id);
    view.nodes.add(fresh);
    if (self) view.nodes.update({ id: id, label: self.label, more: self.more, title: textTitle(self.title) });
    view.edges.update(more.edges.filter((e) => !view.edges.get(e.id)).map(prepare));
    applyFilters();
    status(`Added ${fresh.length} nodes.`);
    restartPhysics();
  }

  function onClick(params) {
    if (!params.nodes.length) return;
    const id = params.nodes[0];
    const event = params.event && params.event.srcEvent ? params.event.srcEvent : {};
    const mode = document.querySelector("input[name=graph-click]:checked");
    if (event.shiftKey || (mode && mode.value === "expand")) expand(id);
    else openPage(id, event.ctrlKey || event.metaKey);
  }

  function search(event) {
    event.preventDefault();
    const text = byId("graph-search-text").value.trim().toLowerCase();
    const out = byId("graph-search-status");
    if (!text) { out.textContent = ""; return; }
    const label = (n) => String(n.fullLabel || n.label || "").toLowerCase();
    if (view.matchText !== text) {
      view.matchText = text;
      view.matches = view.nodes.get({ filter: (n) => label(n).includes(text) || String(n.id).toLowerCase() === text })
        .sort((a, b) => Number(!label(a).startsWith(text)) - Number(!label(b).startsWith(text))
          || label(a).length - label(b).length).map((n) => n.id);
      view.matchIndex = -1;
    }
    if (!view.matches.length) { out.textContent = "No node matches."; return; }
    view.matchIndex = (view.matchIndex + 1) % view.matches.length;
    const id = view.matches[view.matchIndex];
    view.network.selectNodes([id]);
    view.network.focus(id, { scale: 1.2, animation: { duration: 300 } });
    showDetails(id);
    out.textContent = `${view.matchIndex + 1} of ${view.matches.length}: ${view.nodes.get(id).fullLabel}`;
  }

  function applyFilters() {
    view.nodes.update(view.nodes.get().map((n) => ({ id: n.id,
      hidden: view.hiddenKinds.has(n.kind) || (view.onlyChanges && n.kind === "country" && !n.changed) })));
    view.edges.update(view.edges.get().map((e) => ({ id: e.id, hidden: view.hiddenEdges.has(e.kind) })));
  }

  function checkbox(text, onChange) {
    const label = el("label", undefined, "graph-filter");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => { onChange(box.checked); applyFilters(); });
    label.append(box, " ", text);
    return label;
  }

  function buildSide(data) {
    const legend = byId("graph-legend");
    const filters = byId("graph-filters");
    for (const row of data.legend) {
      const item = el("li", undefined, `legend-${row.group}`);
      const swatch = el("span", undefined, row.group === "edge" ? "swatch swatch-edge" : "swatch");
      swatch.style.backgroundColor = row.colour;  // CSSOM, allowed by the CSP (no inline style attribute)
      item.append(swatch, el("span", row.text));
      legend.append(item);
      if (row.group === "node" && row.key !== "changed") {
        filters.append(checkbox(row.text, (on) => { if (on) view.hiddenKinds.delete(row.key); else view.hiddenKinds.add(row.key); }));
      } else if (row.group === "edge") {
        filters.append(checkbox(row.text, (on) => { if (on) view.hiddenEdges.delete(row.key); else view.hiddenEdges.add(row.key); }));
      }
    }
    if (data.meta.changes && data.meta.changes.length) {
      filters.append(checkbox("countries whose tier does not change", (on) => { view.onlyChanges = !on; }));
      byId("graph-changes-section").hidden = false;
      for (const text of data.meta.changes) byId("graph-changes").append(el("li", text));
    }
    for (const text of data.meta.notes || []) byId("graph-notes").append(el("li", text));
    byId("graph-title").textContent = data.meta.title || "";
  }

  function start() {
    const island = byId("graph-data");
    if (!island) return;
    const data = JSON.parse(island.textContent);
    view.data = data;
    buildSide(data);
    view.nodes = new vis.DataSet(data.nodes.map(prepare));
    view.edges = new vis.DataSet(data.edges.map(prepare));
    view.network = new vis.Network(byId("graph-canvas"), { nodes: view.nodes, edges: view.edges }, data.options);
    view.network.on("stabilizationIterationsDone", markStable);
    view.network.on("stabilizationProgress", (p) => status(`Laying out… ${Math.round(100 * p.iterations / p.total)} %`));
    view.network.on("click", onClick);
    view.network.on("selectNode", (p) => showDetails(p.nodes[0]));
    byId("graph-search").addEventListener("submit", search);
    if (!data.nodes.length) markStable();
    window.exportkgNetwork = view;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
