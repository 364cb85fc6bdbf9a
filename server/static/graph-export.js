// The graph view's "Download PNG" and "Download SVG" buttons (served page and standalone file).
// It reads the network graph.js exposes as window.exportkgNetwork when a button is clicked, so the two
// scripts may load in either order. Labels are data and may hold markup: the SVG is built with DOM
// calls (createElementNS, setAttribute, textContent) and serialized by XMLSerializer, which escapes
// them, so a label can only ever become XML text. Nothing is fetched: both files are made in the page.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const FONT = "system-ui, sans-serif";
  const MARGIN = 40;

  // The file name: the view, and the entity (or regime) it shows, reduced to safe characters.
  function fileName(meta, ext) {
    const subject = String(meta.entity || meta.against || meta.regime || "").split(/[/#]/).pop();
    const parts = ["exportkg-graph", meta.view || "view", subject].map((p) =>
      String(p).toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "")).filter(Boolean);
    return `${parts.join("-")}.${ext}`;
  }

  function save(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked later: revoking at once can cancel the download before the browser has read the blob.
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  // PNG: vis-network's canvas as drawn (the current zoom and pan), over white: the canvas itself is
  // transparent, which most image viewers show as black or a checkerboard.
  function png(view) {
    const source = view.network.canvas?.frame?.canvas || document.querySelector("#graph-canvas canvas");
    const out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height;
    const context = out.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, out.width, out.height);
    context.drawImage(source, 0, 0);
    out.toBlob((blob) => save(blob, fileName(view.data.meta, "png")), "image/png");
  }

  // Coordinates to a tenth of a pixel: more digits only make the file larger.
  function round(value) { return typeof value === "number" ? Math.round(value * 10) / 10 : value; }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(round(value)));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // vis-network takes a colour as a string or as {background, border} (or {color} for edges).
  function colour(value, key, fallback) {
    if (typeof value === "string") return value;
    return (value && (value[key] || value.color || value.background)) || fallback;
  }

  // A node's drawn size; shapes other than boxes are approximated by circles of that radius.
  function radius(node, defaults) { return Number(node.size || defaults.size || 14); }

  function boxWidth(label, size) { return Math.max(20, 0.6 * size * label.length + 12); }

  function drawNode(group, node, at, defaults) {
    const font = Object.assign({}, defaults.font, node.font);
    const size = Number(font.size || 14);
    const label = node.label === undefined || node.label === null ? "" : String(node.label);
    const fill = colour(node.color, "background", "#97c2fc");
    const stroke = colour(node.color, "border", "#2b7ce9");
    const width = Number(node.borderWidth || 1);
    if (node.shape === "box") {  // the label sits inside the box
      const w = boxWidth(label, size);
      const h = size + 10;
      group.append(svgEl("rect", { x: at.x - w / 2, y: at.y - h / 2, width: w, height: h, rx: 3, fill: fill,
                                   stroke: stroke, "stroke-width": width }));
      if (label) group.append(svgEl("text", { x: at.x, y: at.y + size / 3, "text-anchor": "middle",
                                              "font-size": size, "font-family": FONT, fill: font.color || "#343434" }, label));
      return;
    }
    const r = radius(node, defaults);
    const shape = node.shape === "square"
      ? svgEl("rect", { x: at.x - r, y: at.y - r, width: 2 * r, height: 2 * r })
      : svgEl("circle", { cx: at.x, cy: at.y, r: r });
    for (const [key, value] of Object.entries({ fill: fill, stroke: stroke, "stroke-width": width })) {
      shape.setAttribute(key, String(value));
    }
    group.append(shape);
    if (label) {
      group.append(svgEl("text", { x: at.x, y: at.y + r + size + 2, "text-anchor": "middle", "font-size": size,
                                   "font-family": FONT, "font-weight": font.bold ? "bold" : "normal",
                                   fill: font.color || "#343434" }, label));
    }
  }

  // A line that stops at the target's rim, with a filled arrowhead there (every view's edges point "to").
  function drawEdge(group, labels, edge, from, to, targetRadius) {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy);
    if (length < 1e-6) return;  // a loop or two nodes on one point: nothing sensible to draw
    const ux = dx / length;
    const uy = dy / length;
    const tip = { x: to.x - ux * (targetRadius + 2), y: to.y - uy * (targetRadius + 2) };
    const stroke = colour(edge.color, "color", "#848484");
    const line = svgEl("line", { x1: from.x, y1: from.y, x2: tip.x, y2: tip.y, stroke: stroke, "stroke-width": 1 });
    if (edge.dashes) line.setAttribute("stroke-dasharray", "5 5");
    group.append(line);
    const back = { x: tip.x - ux * 9, y: tip.y - uy * 9 };
    const points = [[tip.x, tip.y], [back.x - uy * 4, back.y + ux * 4], [back.x + uy * 4, back.y - ux * 4]];
    group.append(svgEl("polygon", { points: points.map((p) => p.map(round).join(",")).join(" "), fill: stroke }));
    if (edge.label) {
      labels.append(svgEl("text", { x: (from.x + tip.x) / 2, y: (from.y + tip.y) / 2 - 3, "text-anchor": "middle",
                                    "font-size": 10, "font-family": FONT, fill: "#555" }, edge.label));
    }
  }

  // SVG: the nodes and edges now shown (filters respected), at their current layout positions.
  function svg(view) {
    const defaults = Object.assign({ font: {} }, view.data.options.nodes || {});
    const positions = view.network.getPositions();
    const nodes = view.nodes.get({ filter: (n) => !n.hidden && positions[n.id] });
    const shown = new Map(nodes.map((n) => [n.id, n]));
    const edges = view.edges.get({ filter: (e) => !e.hidden && shown.has(e.from) && shown.has(e.to) });
    let [minX, minY, maxX, maxY] = [0, 0, 0, 0];
    nodes.forEach((n, i) => {  // bounds, with room for labels below and beside each node
      const p = positions[n.id];
      const half = Math.max(radius(n, defaults), 0.3 * 13 * String(n.label || "").length);
      if (i === 0) [minX, minY, maxX, maxY] = [p.x, p.y, p.x, p.y];
      minX = Math.min(minX, p.x - half);
      maxX = Math.max(maxX, p.x + half);
      minY = Math.min(minY, p.y - radius(n, defaults));
      maxY = Math.max(maxY, p.y + radius(n, defaults) + 24);
    });
    const width = Math.ceil(maxX - minX + 2 * MARGIN);
    const height = Math.ceil(maxY - minY + 2 * MARGIN);
    const root = svgEl("svg", { width: width, height: height,
                                viewBox: `${minX - MARGIN} ${minY - MARGIN} ${width} ${height}` });
    root.append(svgEl("title", {}, view.data.meta.title || "exportkg graph"));
    root.append(svgEl("rect", { x: minX - MARGIN, y: minY - MARGIN, width: width, height: height, fill: "#ffffff" }));
    const edgeGroup = svgEl("g", { class: "edges" });
    const edgeLabels = svgEl("g", { class: "edge-labels" });
    const nodeGroup = svgEl("g", { class: "nodes" });
    for (const e of edges) {
      const target = shown.get(e.to);
      const rim = target.shape === "box" ? (String(target.label || "").length * 4 + 8) : radius(target, defaults);
      drawEdge(edgeGroup, edgeLabels, e, positions[e.from], positions[e.to], rim);
    }
    for (const n of nodes) drawNode(nodeGroup, n, positions[n.id], defaults);
    root.append(edgeGroup, edgeLabels, nodeGroup);  // nodes last: drawn over the edges
    const text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(root);
    save(new Blob([text], { type: "image/svg+xml" }), fileName(view.data.meta, "svg"));
  }

  function wire() {
    const buttons = { "graph-download-png": png, "graph-download-svg": svg };
    for (const [id, make] of Object.entries(buttons)) {
      const button = document.getElementById(id);
      if (!button) continue;
      button.disabled = false;
      button.addEventListener("click", () => {
        const view = window.exportkgNetwork;
        if (view && view.network) make(view);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
