"""The kept GLEIF files: a golden copy and the delta files imported on it, read as one set of records.

GLEIF publishes, beside each golden copy, delta files holding only the records issued or revised since
an earlier copy, in the golden copy's layout (gleif.org, "Download the GLEIF Golden Copy and Delta
Files"). A delta record replaces every earlier record with the same key (KEYS) and a new key is added;
nothing is deleted, since GLEIF never withdraws a record: one that stops counting changes its status.

The deltas are kept beside the golden copy as the user gave them (`deltas/0001-rr-<name>`), never
merged into it: a record keeps the file and line it is cited by in every build, and the golden copy's
lines do not shift when a delta revises a record before them. Reading them: the golden copy's records
that no delta replaces, then each delta's records that no later delta replaces, in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.errors import DataError
from exportkg.graph.loaders.csvio import Row, read_rows

LEVEL1 = ["LEI", "Entity.LegalName", "Entity.LegalAddress.Country", "Entity.HeadquartersAddress.Country",
          "Entity.EntityStatus", "Registration.RegistrationStatus"]
RELATIONSHIPS = ["Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID", "Relationship.EndNode.NodeIDType",
                 "Relationship.RelationshipType", "Relationship.RelationshipStatus", "Registration.RegistrationStatus"]
EXCEPTIONS = ["LEI", "Exception.Category", "Exception.Reason.1"]
#: the files of an import, by the names they are kept under (graph/build/gleif_import.py)
FILES = {"lei2": LEVEL1, "rr": RELATIONSHIPS, "repex": EXCEPTIONS}
#: the columns read (the required ones and the optional further reasons of an exception)
KEEP = {**{kind: set(columns) for kind, columns in FILES.items()},
        "repex": {*EXCEPTIONS, *(f"Exception.Reason.{n}" for n in range(2, 6))}}
#: what names a record, by file kind: a later record with the same key replaces an earlier one
KEYS = {
    "lei2": ("LEI",),
    "rr": ("Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID", "Relationship.RelationshipType"),
    "repex": ("LEI", "Exception.Category"),
}
DELTAS = "deltas"
DELTA_NAME = re.compile(r"^(\d{4})-(lei2|rr|repex)-(.+\.(?:csv|zip))$", re.IGNORECASE)


@dataclass(frozen=True)
class Delta:
    """One kept delta file: its number in the order imported, its kind, and the name it came with."""

    number: int
    kind: str
    path: Path
    name: str

    @property
    def label(self) -> str:
        return delta_label(self.kind, self.number, self.name)

    @staticmethod
    def kept_name(number: int, kind: str, name: str) -> str:
        return f"{number:04d}-{kind}-{name}"


@dataclass(frozen=True)
class KeptCopy:
    """The golden copy's files by kind and the deltas imported on it, oldest first."""

    golden: dict[str, Path]
    deltas: tuple[Delta, ...]

    @classmethod
    def of(cls, folder: Path) -> KeptCopy:
        golden = {kind: path for kind in FILES if (path := _file(folder, kind)) is not None}
        deltas = []
        for path in sorted((folder / DELTAS).iterdir()) if (folder / DELTAS).is_dir() else []:
            if (m := DELTA_NAME.match(path.name)) is not None:
                deltas.append(Delta(int(m.group(1)), m.group(2).lower(), path, m.group(3)))
        return cls(golden, tuple(sorted(deltas, key=lambda d: d.number)))

    def next_number(self) -> int:
        return max((d.number for d in self.deltas), default=0) + 1

    def records(self, kind: str) -> Iterator[Row]:
        """The records of a kind that count: each key's latest (module docstring)."""
        deltas = [d for d in self.deltas if d.kind == kind]
        latest: dict[tuple[str, ...], int] = {}
        for delta in deltas:
            latest.update(dict.fromkeys(delta_keys(delta), delta.number))
        if kind in self.golden and not latest:  # no delta of this kind: no key to make for each row
            yield from rows(self.golden[kind], kind)
        elif kind in self.golden:
            yield from (row for row in rows(self.golden[kind], kind) if key(kind, row) not in latest)
        for delta in deltas:
            yield from (row for row in rows(delta.path, kind, delta.label)
                        if latest.get(key(kind, row)) == delta.number)


def _file(folder: Path, kind: str) -> Path | None:
    return next((p for p in (folder / f"{kind}.csv", folder / f"{kind}.zip") if p.exists()), None)


def file_label(kind: str, path: Path) -> str:
    """How a golden copy file is named in problems and citations ("GLEIF rr file rr.csv")."""
    return f"GLEIF {kind} file {path.name}"


def delta_label(kind: str, number: int, name: str) -> str:
    """How a delta file is named in problems and citations ("GLEIF rr delta 2 file rr-delta.csv")."""
    return f"GLEIF {kind} delta {number} file {name}"


def rows(path: Path, kind: str, label: str | None = None) -> Iterator[Row]:
    return read_rows(path, FILES[kind], label=label or file_label(kind, path), keep=KEEP[kind])


def key(kind: str, row: Row) -> tuple[str, ...]:
    return tuple(row.get(column).upper() for column in KEYS[kind])


def delta_keys(delta: Delta) -> list[tuple[str, ...]]:
    """A delta's keys in order; a key twice in one delta is an error (which record would count?)."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows(delta.path, delta.kind, delta.label):
        found = key(delta.kind, row)
        if found in seen:
            raise DataError.single(delta.label, row.line,
                                   f"{' / '.join(found)} appears twice (first at line {seen[found]})")
        seen[found] = row.line
    return list(seen)
