"""Determinations shown on a party's page: one per version of the text and item, at the party's own
location, and the law in force today.

They come from graph/answers/determine.py, the same API as `exportkg determine`, so the page and the CLI never
disagree. A party whose location is unknown gets the reason instead of a determination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exportkg.graph.answers.determine import Determination, DeterminationError, determine
from exportkg.graph.config import Settings
from exportkg.graph.loaders.law import STATE_PREFIX
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import rows
from exportkg.server.views.terms import TermView, view

#: the chips class most rules are about (every version), and the model-weights class of the January
#: 2025 rule (the law today only: one row per version would double the page's work for a class most
#: versions do not have)
ITEMS = ("3A090.a", "4E091")


@dataclass
class DeterminationRow:
    regime: TermView
    item: str
    result: Determination | None
    error: str = ""

    @property
    def policy(self) -> str:
        return self.result.review_policy.replace("_", " ") if self.result else ""

    @property
    def license(self) -> str:
        if self.result is None:
            return ""
        return {True: "required", False: "not required", None: "undetermined"}[self.result.license_required]


def regimes(store: KnowledgeStore, settings: Settings) -> list[tuple[str, TermView]]:
    """(regime id, its view) in date order: the versions, not the legal states derived between them
    (one row per day something changed would bury the page; today's law gets a row of its own)."""
    found = []
    for row in rows(store, settings, "rule-regimes"):
        rid = str(row["r"]).rsplit("/regime/", 1)[1]
        if not rid.startswith(STATE_PREFIX):
            found.append((rid, view(row["r"])))
    return found


def determinations(store: KnowledgeStore, settings: Settings, iri: str) -> list[DeterminationRow]:
    table = []
    today = date.today().isoformat()
    asked = [(rid, regime_view, None) for rid, regime_view in regimes(store, settings)]
    asked.append(("", TermView(f"the law on {today}", None), today))
    for regime_id, regime_view, on in asked:
        regime_view.text = regime_view.text if on else regime_id
        for item in ITEMS if on else ITEMS[:1]:
            try:
                result = determine(store, settings, iri, item, None, regime_id or None, on)
                table.append(DeterminationRow(regime_view, item, result))
            except DeterminationError as exc:
                table.append(DeterminationRow(regime_view, item, None, str(exc)))
    return table
