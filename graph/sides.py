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

from . import scenario_store
from .config import Settings
from .errors import ExportKGError
from .impact import Report, compare
from .scenarios import Scenario, load
from .snapshot import take
from .store import KnowledgeStore, StoreLocation

NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")
_APPLYING = threading.Lock()  # one scenario derivation at a time per process (the web service)


class ImpactError(ExportKGError):
    """A side of the comparison cannot be resolved."""


@dataclass
class Side:
    """A regime id and the store that holds its inferences (None: the published store)."""

    regime: str
    scenario: str | None = None


def shipped(settings: Settings) -> dict[str, Path]:
    """The example scenarios by name."""
    return {p.stem: p for p in sorted((settings.queries_dir / "scenarios").glob("*.yaml"))}


def _regimes(store: KnowledgeStore, settings: Settings) -> set[str]:
    from .scenario_graphs import known

    return set(known(store, settings).regimes)


def resolve(settings: Settings, main: KnowledgeStore, spec: str, *, files: bool = True) -> Side:
    """A side from a regime id, a scenario name or (when `files`) a scenario file path."""
    spec = spec.strip()
    if files and (spec.endswith((".yaml", ".yml")) or Path(spec).is_file()):
        return _scenario(settings, load(Path(spec)))
    if not NAME.match(spec):
        raise ImpactError(f"{spec!r} is not a regime id or scenario name")
    if spec in _regimes(main, settings):
        return Side(spec)
    name = spec.removeprefix("scenario-")
    if name in shipped(settings):
        return _scenario(settings, load(shipped(settings)[name]))
    if scenario_store.derived(settings, name) is not None:
        return Side(f"scenario-{name}", name)
    raise ImpactError(f"unknown regime or scenario {spec!r} (regimes: `exportkg query regimes`; "
                      f"shipped scenarios: {', '.join(shipped(settings))})")


def _scenario(settings: Settings, scenario: Scenario) -> Side:
    with _APPLYING:
        scenario_store.apply(settings, scenario)
    return Side(scenario.regime_id, scenario.name)


@contextmanager
def opened(settings: Settings, side: Side, main: KnowledgeStore) -> Iterator[KnowledgeStore]:
    """The store a side is read from (the scenario's own, or the published one)."""
    if side.scenario is None:
        yield main
        return
    store = scenario_store.open_store(settings, side.scenario)
    try:
        yield store
    finally:
        store.close()


def impact(settings: Settings, base: str, against: str, *, main: KnowledgeStore | None = None,
           files: bool = True) -> Report:
    """Compare two sides; `main` is the published store (opened here when not given)."""
    own = main is None
    main = main or KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        a, b = resolve(settings, main, base, files=files), resolve(settings, main, against, files=files)
        with opened(settings, a, main) as sa:
            snap_a = take(sa, settings, a.regime)
        with opened(settings, b, main) as sb:
            snap_b = take(sb, settings, b.regime)
        return compare(snap_a, snap_b)
    finally:
        if own:
            main.close()
