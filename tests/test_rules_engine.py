"""The rule files and the engine: headers complete, one stratified pass reaches the fixpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportkg.graph.build import load_all, named_graphs, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.rules import as_construct, body_query, plan, render, rules, run_rules
from exportkg.graph.store import KnowledgeStore

RULES = rules(Settings())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_header(rule) -> None:  # type: ignore[no-untyped-def]
    for key in ("name", "title", "description", "citation", "confidence", "regimes"):
        assert rule.meta.get(key), f"{rule.path.name}: header lacks {key}"
    assert rule.meta["confidence"] in {"P", "S", "U", "C", "D"}
    assert rule.path.name[:2].isdigit(), "rule files start with their stratum number"
    assert "INSERT" in rule.text and "\nWHERE" in rule.text


def test_rule_ids_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_documented_rule_ids_exist() -> None:
    readme = (Settings().queries_dir / "rules" / "README.md").read_text(encoding="utf-8")
    for name in ("hq-d5m", "destination-2023", "tiers-2025", "aia", "lpp", "veu", "acm", "h200",
                 "model-weights", "draft-2024"):
        assert f"`{name}`" in readme
        assert name in {r.name for r in RULES}


def test_one_pass_is_the_fixpoint(tmp_path: Path) -> None:
    """Rules read only what earlier strata wrote: a second pass infers nothing new."""
    settings = Settings(home=tmp_path)
    ctx = load_all(settings)
    store = KnowledgeStore.create(tmp_path / "store")
    for name, graph in named_graphs(ctx, ontology_graph(settings)).items():
        store.load_graph(graph, name)
    sizes = run_rules(store, settings, verify=True)
    assert sum(sizes.values()) > 100_000
    step_rule, step_regime = plan(store, settings)[-1]
    assert "CONSTRUCT" in as_construct(step_rule, step_regime)
    assert "USING <" in render(store, step_rule, step_regime)  # the portable form for remote stores
    assert int(next(iter(store.query(body_query(store, step_rule, step_regime))))[0]) > 0
    store.close()
