"""Scenarios: a small YAML file that derives a what-if regime from a shipped one.

A scenario becomes a regime node `id/regime/scenario-<name>` that `extends` its base (so it inherits
every parameter it does not override) with its own copy of the base's tier lists, plus, when it changes
facts (ownership, data centers), a delta applied to the facts of the scenario's own store. The rules
then run on it unchanged. This module reads and checks the file; graph/impact/scenario_rdf.py turns it into
RDF and graph/impact/scenario_store.py applies it.

Format (queries/scenarios/*.yaml are examples):

    name: pl-ch-tier1                 # slug; the regime is scenario-<name>
    base: ifr-jan2025                 # a regime of the graph
    title: Poland and Switzerland in Tier 1
    description: ...                  # optional
    changes:                          # each item has exactly one of these keys
      - {tier: 1, countries: [PL, CH]}                      # move countries into a tier
      - {group: "D:5", remove: [KH], add: []}              # take countries out of / into a group
      - {parameter: model_weights_training_ops, value: 1.0e+25}   # or {parameter: x, unset: true}
      - {authorization: LPP, available: false}             # AIA, ACM, LPP, VEU
      - {ownership: tiktok-pte-ltd, parent: null}          # divestment (or a new controlling parent)
      - {datacenter: my-dc, country: PL, owner: microsoft, h100e: 5000}  # add or move a data center
      - {list: EL, add: [deepseek], policy: presumption_of_denial}   # list organizations (or remove: [...])

A `list` change lists organizations on a BIS list from the scenario's day (an entry per organization,
all items subject to the EAR, the policy given) or takes every entry of that list off them. It changes
no rule's inferences: the report shows the parties whose answers it changes (the listed organizations,
what they control, their stakes and data centers).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportkg.graph.errors import DataError, Problem
from exportkg.graph.impact import scenario_checks
from exportkg.graph.loaders.yamlio import LINE_KEY, Lines, read_yaml

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
TOP_KEYS = {"name", "base", "title", "description", "changes", LINE_KEY}
#: change kind -> (allowed keys, required keys)
KINDS: dict[str, tuple[set[str], set[str]]] = {
    "tier": ({"tier", "countries", "note"}, {"tier", "countries"}),
    "group": ({"group", "add", "remove", "note"}, {"group"}),
    "parameter": ({"parameter", "value", "unset", "note"}, {"parameter"}),
    "authorization": ({"authorization", "available", "value", "note"}, {"authorization", "available"}),
    "ownership": ({"ownership", "parent", "share", "note"}, {"ownership", "parent"}),
    "datacenter": ({"datacenter", "country", "owner", "h100e", "name", "note"}, {"datacenter"}),
    "list": ({"list", "add", "remove", "policy", "note"}, {"list"}),
}
#: changes to facts: they reach the global inferences (ultimate parents, headquarters profiles)
FACT_KINDS = {"ownership", "datacenter"}
#: changes to where countries stand: they reach only those countries' keys (graph/reasoning/reach.py)
COUNTRY_KINDS = {"tier", "group"}
#: authorization -> (parameter that switches it, value when made available)
AUTHORIZATIONS: dict[str, tuple[str, object]] = {
    "AIA": ("aia_available_tier1", True),
    "ACM": ("acm_available", True),
    "VEU": ("dc_veu_authorization", True),
    "LPP": ("lpp_tpp_per_year_per_consignee", 26_900_000),
}


@dataclass
class Change:
    """One change of a scenario, with the line it starts on (for error messages)."""

    kind: str
    line: int
    data: dict[str, Any]


@dataclass
class Scenario:
    """A parsed, structurally valid scenario file (checked against a store by scenario_graphs)."""

    name: str
    base: str
    title: str
    file: str
    description: str = ""
    changes: list[Change] = field(default_factory=list)
    digest: str = ""
    #: the line of each top-level key, so `base:` problems point at it
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def regime_id(self) -> str:
        return f"scenario-{self.name}"

    @property
    def changes_facts(self) -> bool:
        """Whether the global inferences must be recomputed (else only the scenario's regime rules run)."""
        return any(c.kind in FACT_KINDS for c in self.changes)

    @property
    def moves_countries_only(self) -> bool:
        """Tier and group moves only: the changes reach a few countries' keys (graph/reasoning/reach.py)."""
        return bool(self.changes) and all(c.kind in COUNTRY_KINDS for c in self.changes)

    def problem(self, line: int | None, reason: str) -> Problem:
        return Problem(self.file, line, reason)


def load(path: Path) -> Scenario:
    """Read and check the structure, types and ranges of a scenario file (scenario_checks.py); every
    problem is reported with its line, and nothing is written."""
    path = Path(path)
    data = read_yaml(path, str(path))
    if not isinstance(data, dict):
        raise DataError.single(str(path), 1, "a scenario is a mapping with name, base, title and changes")
    problems: list[Problem] = []
    lines = _key_lines(path)
    for key in sorted(set(data) - TOP_KEYS, key=str):
        problems.append(Problem(str(path), data.get(LINE_KEY, 1), f"unknown key {scenario_checks.shown(key)} "
                                "(expected: name, base, title, description, changes)"))
    name = data.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(Problem(str(path), lines.get("name", 1),
                                f"name: expected a slug such as pl-ch-tier1, got {scenario_checks.shown(name)}"))
    for key in ("base", "title", "description"):
        value = data.get(key)
        if (value is None or value == "") and key != "description":
            problems.append(Problem(str(path), lines.get(key, 1), f"{key}: required"))
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(str(path), lines.get(key, 1),
                                    f"{key}: expected text, got {scenario_checks.shown(value)}"))
    scenario = Scenario(name if isinstance(name, str) else "", _str(data.get("base")), _str(data.get("title")),
                        str(path), _str(data.get("description")).strip(),
                        digest=hashlib.sha256(path.read_bytes()).hexdigest(), lines=lines)
    changes = data.get("changes")
    if not isinstance(changes, list) or not changes:
        problems.append(Problem(str(path), lines.get("changes", 1), "changes: expected a non-empty list"))
        changes = []
    for index, item in enumerate(changes):
        line = changes.line(index) if isinstance(changes, Lines) else None
        change = _change(scenario, item, line, problems)
        if change is not None:
            scenario.changes.append(change)
    if problems:
        raise DataError(problems)
    return scenario


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _key_lines(path: Path) -> dict[str, int]:
    """Top-level keys start a line at column 0 (yaml keeps only each mapping's first line)."""
    found: dict[str, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        match = re.match(r"^([a-z_]+)\s*:", text)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _change(scenario: Scenario, item: Any, item_line: int | None, problems: list[Problem]) -> Change | None:
    """One entry of `changes`: exactly one kind key, only that kind's keys, the required ones present,
    every value of its type and range."""
    if not isinstance(item, dict):
        problems.append(scenario.problem(item_line, "changes: each change is a mapping such as "
                                                    f"{{tier: 1, countries: [PL]}}, got {scenario_checks.shown(item)}"))
        return None
    line = int(item.get(LINE_KEY, item_line or 0))
    keys = set(item) - {LINE_KEY}
    kinds = [k for k in KINDS if k in keys]
    if len(kinds) != 1:
        got = ", ".join(scenario_checks.shown(k) for k in sorted(keys, key=str))
        problems.append(scenario.problem(line, f"a change needs exactly one of {', '.join(KINDS)}; got keys {got}"))
        return None
    allowed, required = KINDS[kinds[0]]
    for key in sorted(keys - allowed):
        problems.append(scenario.problem(line, f"{kinds[0]} change: unknown key {key!r} "
                                               f"(allowed: {', '.join(sorted(allowed))})"))
    for key in sorted(required - keys):
        problems.append(scenario.problem(line, f"{kinds[0]} change: {key} is required"))
    data = {k: v for k, v in item.items() if k != LINE_KEY}
    reasons = scenario_checks.problems(kinds[0], data)
    problems.extend(scenario.problem(line, reason) for reason in reasons)
    return None if reasons else Change(kinds[0], line, data)


def as_list(value: Any) -> list[str]:
    """Country lists may be written as a list or a single code."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
