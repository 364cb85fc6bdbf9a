"""The shape of the code: imports flow one way (data -> store -> rules -> answers -> server), no cycles,
small modules, and rules that declare every parameter they use."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from exportkg.graph.config import PACKAGE_ROOT, Settings
from exportkg.queries.catalog import catalog

PARTS = ("graph", "server", "queries", "ontology")
MAX_LINES = 400


def product_modules() -> dict[str, Path]:
    """exportkg module name -> file, for every Python file of the product (not tests, not bench)."""
    found = {}
    for part in PARTS:
        for path in sorted((PACKAGE_ROOT / part).rglob("*.py")):
            rel = path.relative_to(PACKAGE_ROOT).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            found[".".join(["exportkg", *parts])] = path
    return found


MODULES = product_modules()


def imports_of(name: str, path: Path) -> set[str]:
    """The exportkg modules a module imports anywhere in its body (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                out.add(candidate if candidate in MODULES else base)
    return {m for m in out if m.startswith("exportkg.")}


GRAPH = {name: {m for m in imports_of(name, path) if m in MODULES and m != name} for name, path in MODULES.items()}


def test_the_graph_layer_never_imports_the_web_layer() -> None:
    offenders = {name: sorted(m for m in deps if m.startswith("exportkg.server"))
                 for name, deps in GRAPH.items() if not name.startswith("exportkg.server")}
    assert not {k: v for k, v in offenders.items() if v}


def test_no_import_cycles() -> None:
    """Depth-first search for a back edge; the cycle is named if there is one."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(GRAPH[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state:
            cycle = visit(module)
            assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines (split it: ARCHITECTURE.md)"


def test_every_placeholder_of_a_rule_is_a_declared_parameter() -> None:
    """Rules are rendered through the catalog's typed parameters: a `$name` the header does not
    declare would silently stay a SPARQL variable."""
    for rule in catalog(Settings().queries_dir).rules.values():
        used = set(re.findall(r"\$([A-Za-z_]\w*)", rule.text))
        declared = {p.name for p in rule.params}
        assert used == declared, f"{rule.path.name}: uses {sorted(used)}, declares {sorted(declared)}"


def test_the_store_interface_is_the_only_way_to_oxigraph() -> None:
    """Only graph/store/ imports pyoxigraph or oxrdflib for the product's answers; the SPARQL worker
    (which must stay small to start fast), the results writer and the executors use pyoxigraph's
    terms and read-only stores directly, by design."""
    allowed = ("exportkg.graph.store.", "exportkg.graph.render.results", "exportkg.server.sparql.")
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import pyoxigraph|from oxrdflib)", text, re.M):
            assert name.startswith(allowed), f"{name} talks to Oxigraph outside graph/store"
