"""`exportkg impact`: resolve both sides, compare them, hand the report over, then complete any
scenario store that was derived on the way."""

from __future__ import annotations

from collections.abc import Callable

from exportkg.graph.config import Settings
from exportkg.graph.impact import scenario_store
from exportkg.graph.impact.compare import Report
from exportkg.graph.impact.sides import Side, compare_sides, discard, finish, resolve
from exportkg.graph.store.base import Store
from exportkg.graph.store.opening import open_published


def impact(settings: Settings, base: str, against: str, *, main: Store | None = None,
           files: bool = True, on_report: Callable[[Report], None] | None = None,
           complete: Callable[[scenario_store.Pending], None] | None = None) -> Report:
    """Compare two sides; `main` is the published store (opened here when not given). A scenario
    whose store is missing or stale is derived on the way; for tier and group moves the report is
    made from what they reach, handed to `on_report`, and only then is the scenario's graph completed
    and published: here, or by `complete`, which takes over the prepared store (the web service
    completes it after answering)."""
    own = main is None
    main = main or open_published(settings)
    sides: list[Side] = []
    try:
        sides.append(resolve(settings, main, base, files=files))
        sides.append(resolve(settings, main, against, files=files))
        report = compare_sides(settings, main, *sides)
        if on_report is not None:
            on_report(report)
        for side in sides:
            if complete is not None and side.pending is not None:
                pending, side.pending = side.pending, None
                complete(pending)
            finish(side)
        return report
    finally:
        for side in sides:
            discard(side)
        if own:
            main.close()
