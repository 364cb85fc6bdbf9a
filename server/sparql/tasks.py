"""Named tasks: the Python work of a page or an API call, run in a query worker like a query.

Every page and API call that evaluates anything (entity pages, search, determinations, named
queries, the graph views, impact reports) reads the store through several system queries and shapes
the rows in Python; `/graph?depth=3&cap=1000` takes seconds. Run on a web thread, that work had no
timeout. So a view hands its work here by name (`ServerState.run`), the executor sends it to a worker
process with the same timeout and memory limit as a /sparql query (server/sparql/executor.py), and
the view only renders what comes back. A task is a function `(store, settings, **params)` returning
picklable data, or raising HttpError with the status the client should see; the registry below is
the only way to name one (a request can never name a module).
"""

from __future__ import annotations

import importlib
from typing import Any

from exportkg.server.sparql.jobs import TaskJob

#: task name -> "module:function"
TASKS: dict[str, str] = {
    "determine": "exportkg.server.views.work:determine_json",
    "determine-page": "exportkg.server.views.determine_work:determine_page",
    "named-query": "exportkg.server.views.work:named_query",
    "entity-known": "exportkg.server.views.work:entity_known",
    "entity-page": "exportkg.server.views.work:entity_page",
    "entity-rdf": "exportkg.server.views.work:entity_rdf",
    "search": "exportkg.server.views.work:search",
    "impact": "exportkg.server.views.work:impact_report",
    "tier-map": "exportkg.server.views.work:tier_map",
    "map-regimes": "exportkg.server.views.work:map_regimes",
    "graph-neighbourhood": "exportkg.server.viz.work:neighbourhood",
    "graph-expand": "exportkg.server.viz.work:expand",
    "graph-tiers": "exportkg.server.viz.work:tiers",
    "graph-impact": "exportkg.server.viz.work:impact",
    "graph-ownership": "exportkg.server.viz.work:ownership",
    "graph-construct": "exportkg.server.viz.work:construct",
    "graph-regimes": "exportkg.server.viz.work:regime_ids",
}


def run(job: TaskJob, store: Any) -> object:
    """Run one task on a store (the worker's read-only published store, or a remote store)."""
    module, _, function = TASKS[job.name].partition(":")
    return getattr(importlib.import_module(module), function)(store, job.settings, **dict(job.params))


def modules() -> list[str]:
    """Every task's module (the forkserver imports them once, so a new worker starts ready)."""
    return sorted({target.partition(":")[0] for target in TASKS.values()})
