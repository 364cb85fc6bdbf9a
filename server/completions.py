"""Scenario stores completed after the web service has answered.

For tier and group moves the impact report is made from what the moves reach (graph/reasoning/reach.py) in about
a second at any size; completing the scenario's graph (a full run of its regime's rules, so that its
store answers SPARQL) takes as long as the rules do (51 s at 1M companies). A request should not wait
for that, so /api/impact and /impact hand the prepared store here and answer at once. One thread
completes one store at a time: completing is CPU-bound, and two at once would only slow both. A
scenario already queued or being completed is not queued again: the extra store is dropped (its
request has had its answer; the next one after the publish reads the completed store). While a store
waits, the report made from it answers the same question again, so no request derives the scenario
a second time.
"""

from __future__ import annotations

import logging
import queue
import threading

from exportkg.graph.impact.compare import Report
from exportkg.graph.impact.scenario_store import Pending

log = logging.getLogger(__name__)
#: how long closing waits for the store being completed before leaving it (it is derived again on next use)
CLOSE_WAIT_S = 5.0


class Completions:
    """A queue of prepared scenario stores and the one thread that completes and publishes them."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting: set[str] = set()  # scenario names queued or being completed
        self._reports: dict[tuple[str, str], tuple[str, Report]] = {}  # (base, against) -> (scenario, report)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="exportkg-scenario-completion", daemon=True)
        self._thread.start()

    def submit(self, pending: Pending, answered: tuple[str, str, Report] | None = None) -> None:
        """Take ownership of a prepared store: it will be completed and published, or discarded.
        `answered` is (base, against, report): the question the store was derived for, and its answer."""
        name = pending.scenario.name
        with self._lock:
            duplicate = self._closed or name in self._waiting
            if not duplicate:
                self._waiting.add(name)
                if answered is not None:
                    self._reports[answered[:2]] = (name, answered[2])
        if duplicate:
            pending.discard()
        else:
            self._queue.put(pending)

    def report(self, base: str, against: str) -> Report | None:
        """The report already made for this question, while its scenario store is being completed."""
        with self._lock:
            found = self._reports.get((base, against))
            return found[1] if found is not None and found[0] in self._waiting else None

    def busy(self, name: str) -> bool:
        """Whether a store of this scenario is queued or being completed."""
        with self._lock:
            return name in self._waiting

    def _run(self) -> None:
        while (pending := self._queue.get()) is not None:
            try:
                if self._closed:
                    pending.discard()
                else:
                    pending.finish()
            except Exception:  # noqa: BLE001 - a failed completion must not stop the ones after it
                log.exception("completing scenario %s failed; it is derived again on next use",
                              pending.scenario.name)
                pending.discard()
            finally:
                with self._lock:
                    self._waiting.discard(pending.scenario.name)
                    self._reports = {k: v for k, v in self._reports.items() if v[0] != pending.scenario.name}

    def close(self) -> None:
        """Stop taking work and drop what is queued (the server is stopping)."""
        with self._lock:
            self._closed = True
        self._queue.put(None)
        self._thread.join(CLOSE_WAIT_S)
        if self._thread.is_alive():
            log.warning("left a scenario store being completed; it is derived again on next use")
