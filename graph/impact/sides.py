"""What `--base` and `--against` name: a regime of the published store, or a scenario with its own store.

A scenario is given as a file (`my.yaml`), as the name of a shipped one (queries/scenarios/<name>.yaml,
with or without the `scenario-` prefix), or as the name of one applied earlier. A scenario file is
applied (incrementally, see scenario_store.py) when its store is missing or stale.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.impact import scenario_store
from exportkg.graph.impact.compare import Report, compare
from exportkg.graph.impact.scenario import Scenario, load
from exportkg.graph.impact.snapshot import take, take_near
from exportkg.graph.reasoning.reach import reached
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records

HQ_CHUNK = 2000  # parties per focused query (a VALUES block of IRIs)

NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")
_APPLYING = threading.Lock()  # one scenario derivation at a time per process (the web service)


class ImpactError(ExportKGError):
    """A side of the comparison cannot be resolved."""


@dataclass
class Side:
    """A regime id and the store that holds its inferences (None: the published store). A scenario
    being derived keeps its `pending` store (scenario_store.Pending) until the report is made."""

    regime: str
    scenario: str | None = None
    pending: scenario_store.Pending | None = None
    base: str | None = None
    moves_countries_only: bool = False
    #: a scenario with a `list` change: only then can who a list entry reaches differ between the sides
    changes_lists: bool = False


def shipped(settings: Settings) -> dict[str, Path]:
    """The example scenarios by name."""
    return {p.stem: p for p in sorted((settings.queries_dir / "scenarios").glob("*.yaml"))}


def _regimes(store: Store, settings: Settings) -> set[str]:
    from exportkg.graph.impact.scenario_rdf import known

    return set(known(store, settings).regimes)


def resolve(settings: Settings, main: Store, spec: str, *, files: bool = True) -> Side:
    """A side from a regime id, a scenario name or (when `files`) a scenario file path."""
    spec = spec.strip()
    if files and (spec.endswith((".yaml", ".yml")) or Path(spec).is_file()):
        return _scenario(settings, load(Path(spec)), main)
    if not NAME.match(spec):
        raise ImpactError(f"{spec!r} is not a regime id or scenario name")
    if spec in _regimes(main, settings):
        return Side(spec)
    name = spec.removeprefix("scenario-")
    if name in shipped(settings):
        return _scenario(settings, load(shipped(settings)[name]), main)
    if scenario_store.derived(settings, name) is not None:
        return Side(f"scenario-{name}", name)
    raise ImpactError(f"unknown regime or scenario {spec!r} (regimes: `exportkg query regimes`; "
                      f"shipped scenarios: {', '.join(shipped(settings))})")


def _scenario(settings: Settings, scenario: Scenario, main: Store) -> Side:
    """A scenario side: its published store when current, else one being derived (`pending`)."""
    side = Side(scenario.regime_id, scenario.name, base=scenario.base,
                moves_countries_only=scenario.moves_countries_only,
                changes_lists=any(c.kind == "list" for c in scenario.changes))
    with _APPLYING:
        build = scenario_store.published_build(settings, main)
        if not scenario_store.is_current(settings, scenario, build):
            side.pending = scenario_store.prepare(settings, scenario, main, build)
    return side


def finish(side: Side) -> None:
    if side.pending is not None:
        pending, side.pending = side.pending, None
        with _APPLYING:
            pending.finish()


def discard(side: Side) -> None:
    if side.pending is not None:
        side.pending.discard()
        side.pending = None


@contextmanager
def opened(settings: Settings, side: Side, main: Store) -> Iterator[Store]:
    """The store a side is read from (the scenario's own, being derived or published, or the main one)."""
    if side.pending is not None:
        yield side.pending.store
        return
    if side.scenario is None:
        yield main
        return
    store = scenario_store.open_store(settings, side.scenario)
    try:
        yield store
    finally:
        store.close()


def _near(a: Side, b: Side) -> bool:
    """Whether b is a scenario of tier or group moves on a: then only what they reach can differ."""
    return b.scenario is not None and b.moves_countries_only and b.base == a.regime


def compare_sides(settings: Settings, main: Store, a: Side, b: Side) -> Report:
    report = _compare(settings, main, a, b)
    with opened(settings, b, main) as store:
        mark_unknown_hq(store, settings, report)
    return report


def mark_unknown_hq(store: Store, settings: Settings, report: Report) -> None:
    """Mark the changed parties with an unknown headquarters on their chain of control (queries/system/
    impact-hq-unknown.rq, focused on them a chunk at a time): a flag short of `d5m` is then a default."""
    changed = [p.party for p in report.parties]
    unknown: set[str] = set()
    for start in range(0, len(changed), HQ_CHUNK):
        focus = {"party": tuple(changed[start:start + HQ_CHUNK])}
        unknown |= {str(r.party) for r in records(store, settings, "impact-hq-unknown", focus)}
    for p in report.parties:  # HQ-D5M on both sides is shown whatever else is unknown
        p.hq_known = p.party not in unknown or p.flag_base == p.flag_against == "d5m"


def _compare(settings: Settings, main: Store, a: Side, b: Side) -> Report:
    if _near(a, b) or _near(b, a):
        base, scen = (a, b) if _near(a, b) else (b, a)
        with opened(settings, scen, main) as store:
            derivation = scen.pending.derivation if scen.pending is not None else None
            reach = derivation.reach if derivation else reached(store, settings, base.regime, scen.regime)
            near_base, near_scen = take_near(main, store, settings, base.regime, scen.regime, reach)
        return compare(*((near_base, near_scen) if base is a else (near_scen, near_base)))
    finish(a)  # a full comparison reads the whole of both graphs: complete them first
    finish(b)
    listings = a.changes_lists or b.changes_lists
    with opened(settings, a, main) as sa:
        snap_a = take(sa, settings, a.regime, listings=listings)
    with opened(settings, b, main) as sb:
        snap_b = take(sb, settings, b.regime, listings=listings)
    return compare(snap_a, snap_b)
