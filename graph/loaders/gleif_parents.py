"""What the GLEIF files say about each entity's parents, in memory while a build reads them, and kept
beside the store it publishes.

An entity's controlling parent depends on all of its relationship records (the direct ones, else the
ultimate ones) and its reporting exceptions, and the store holds only the links followed. A delta file
that ends a direct relationship can make an ultimate one count that the store never held, so the
records themselves are kept, as a small SQLite file in the build's directory (`gleif-parents.sqlite`:
the active consolidation links and the exceptions, about a million rows for the whole golden copy):
an import of a delta file updates it with the delta's records and reads what it needs from it
(graph/build/gleif_update.py), instead of reading the golden copy again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

SIDECAR = "gleif-parents.sqlite"
SCHEMA = """
CREATE TABLE link (seq INTEGER PRIMARY KEY, child TEXT, parent TEXT, kind TEXT, status TEXT, record TEXT,
                   tier TEXT);
CREATE TABLE exception (seq INTEGER PRIMARY KEY, lei TEXT, which TEXT, reason TEXT);
"""
INDEXES = """
CREATE INDEX link_child ON link (child);
CREATE INDEX link_parent ON link (parent);
CREATE INDEX exception_lei ON exception (lei);
"""


@dataclass(frozen=True)
class Link:
    """A relationship record, as far as the links need it."""

    parent: str
    kind: str
    status: str
    record: str  # file and line, as the link's note cites it


@dataclass
class Parents:
    """The records of a whole golden copy, gathered before any link is written."""

    direct: dict[str, list[Link]] = field(default_factory=dict)
    ultimate: dict[str, list[Link]] = field(default_factory=dict)
    exceptions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (which, reason)

    def chosen(self, lei: str) -> list[Link]:
        """The direct parents, or the ultimate ones where no direct parent is reported."""
        return self.direct.get(lei) or self.ultimate.get(lei) or []

    def stated(self, lei: str) -> list[tuple[str, str]]:
        return self.exceptions.get(lei, [])

    def save(self, path: Path) -> None:
        """The records into a new SQLite file (SIDECAR)."""
        with _connected(path) as db:
            db.executescript(SCHEMA)
            for tier, table in (("direct", self.direct), ("ultimate", self.ultimate)):
                db.executemany("INSERT INTO link (child, parent, kind, status, record, tier) VALUES (?,?,?,?,?,?)",
                               ((child, x.parent, x.kind, x.status, x.record, tier)
                                for child, links in table.items() for x in links))
            db.executemany("INSERT INTO exception (lei, which, reason) VALUES (?,?,?)",
                           ((lei, which, reason) for lei, stated in self.exceptions.items()
                            for which, reason in stated))
            db.executescript(INDEXES)


class StoredParents:
    """A kept SIDECAR, asked entity by entity (what an update reaches is a few chains, not the copy)."""

    def __init__(self, path: Path, *, writable: bool = False):
        uri = f"file:{path}?mode={'rw' if writable else 'ro'}"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None)
        self._chosen: dict[str, list[Link]] = {}

    def close(self) -> None:
        self.db.close()

    def chosen(self, lei: str) -> list[Link]:
        if lei not in self._chosen:
            rows = self.db.execute("SELECT parent, kind, status, record, tier FROM link WHERE child = ? ORDER BY seq",
                                   (lei,)).fetchall()
            direct = [Link(*row[:4]) for row in rows if row[4] == "direct"]
            self._chosen[lei] = direct or [Link(*row[:4]) for row in rows if row[4] == "ultimate"]
        return self._chosen[lei]

    def stated(self, lei: str) -> list[tuple[str, str]]:
        return self.db.execute("SELECT which, reason FROM exception WHERE lei = ? ORDER BY seq", (lei,)).fetchall()

    def children(self, parents: Iterable[str]) -> set[str]:
        """The entities with a record naming one of these as a parent."""
        found: set[str] = set()
        for parent in parents:
            found |= {row[0] for row in self.db.execute("SELECT child FROM link WHERE parent = ?", (parent,))}
        return found

    def replace_link(self, child: str, parent: str, kind: str, kept: tuple[str, Link] | None) -> None:
        """A delta's relationship record: the earlier ones with its key go, it comes if it counts."""
        self._chosen.pop(child, None)
        self.db.execute("DELETE FROM link WHERE child = ? AND parent = ? AND kind = ?", (child, parent, kind))
        if kept is not None:
            tier, x = kept
            self.db.execute("INSERT INTO link (child, parent, kind, status, record, tier) VALUES (?,?,?,?,?,?)",
                            (child, x.parent, x.kind, x.status, x.record, tier))

    def replace_exception(self, lei: str, which: str, reasons: list[str]) -> None:
        self.db.execute("DELETE FROM exception WHERE lei = ? AND which = ?", (lei, which))
        self.db.executemany("INSERT INTO exception (lei, which, reason) VALUES (?,?,?)",
                            ((lei, which, reason) for reason in reasons))


class _connected:
    """A new SQLite file written in one transaction and closed."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        return self.db

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.db.commit()
        self.db.close()


Chosen = Callable[[str], list[Link]]


def cycles(starts: Iterable[str], chosen: Chosen, is_entity: Callable[[str], bool]) -> dict[str, str]:
    """Entities on a cycle of chosen parents reachable from `starts`, with the cycle as text: a cycle
    has no top, so its members' parent is unknown (their links stay, as links of no control)."""
    found: dict[str, str] = {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in starts:
        path: list[str] = []
        todo: list[str | None] = [start]
        while todo:
            lei = todo.pop()
            if lei is None:
                state[path.pop()] = 2
                continue
            if state.get(lei) == 2:
                continue
            if state.get(lei) == 1:
                found.update(_told(path[path.index(lei):]))
                continue
            state[lei] = 1
            path.append(lei)
            todo.append(None)
            todo.extend(link.parent for link in chosen(lei) if is_entity(link.parent))
    return found


def _told(cycle: list[str]) -> dict[str, str]:
    """A cycle told from its least LEI: the same text in every build, whatever order it was found in."""
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    text = " -> ".join([*cycle, cycle[0]])
    return dict.fromkeys(cycle, text)
