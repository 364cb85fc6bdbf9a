"""Determinations shown on a party's page: one per regime and item, at the party's own location.

They come from graph/answers/determine.py, the same API as `exportkg determine`, so the page and the CLI never
disagree. A party whose location is unknown gets the reason instead of a determination.
"""

from __future__ import annotations

from dataclasses import dataclass

from exportkg.graph.answers.determine import Determination, DeterminationError, determine
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import rows
from exportkg.server.views.terms import TermView, view

#: the chips class most rules are about, and the model-weights class of the January 2025 rule
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
        return {True: "required", False: "not required", None: "unknown"}[self.result.license_required]


def regimes(store: KnowledgeStore, settings: Settings) -> list[tuple[str, TermView]]:
    """(regime id, its view) in date order."""
    found = []
    for row in rows(store, settings, "rule-regimes"):
        iri = str(row["r"])
        found.append((iri.rsplit("/regime/", 1)[1], view(row["r"])))
    return found


def determinations(store: KnowledgeStore, settings: Settings, iri: str) -> list[DeterminationRow]:
    table = []
    for regime_id, regime_view in regimes(store, settings):
        regime_view.text = regime_id
        for item in ITEMS:
            try:
                result = determine(store, settings, iri, item, None, regime_id)
                table.append(DeterminationRow(regime_view, item, result))
            except DeterminationError as exc:
                table.append(DeterminationRow(regime_view, item, None, str(exc)))
    return table
