// The query UI: YASGUI (served from /static/vendor) over this server's /sparql, and the gallery of
// named queries that load into the editor. No request leaves this origin: LOV autocompletion is off.
"use strict";

function startYasgui() {
  const el = document.getElementById("yasgui");
  const endpoint = new URL(el.dataset.endpoint, window.location.href).href;
  const yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { autocompleters: ["prefixes", "variables"] },
  });
  for (const button of document.querySelectorAll("#gallery button.load")) {
    button.addEventListener("click", () => {
      const tab = yasgui.getTab();
      tab.setEndpoint(endpoint);
      tab.setQuery(button.dataset.query);
      tab.setName(button.dataset.title.slice(0, 40));
      el.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }
  const showGraph = document.getElementById("show-graph");
  if (showGraph) {
    // "Show as graph": the current query goes to /graph/construct, which vets and runs it like /sparql.
    showGraph.addEventListener("submit", () => { showGraph.elements.query.value = yasgui.getTab().getQuery(); });
  }
  window.exportkgYasgui = yasgui;
}

document.addEventListener("DOMContentLoaded", startYasgui);
