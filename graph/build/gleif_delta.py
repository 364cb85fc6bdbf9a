"""A GLEIF delta file merged into the golden copy imported before (`exportkg import-gleif --delta`).

GLEIF publishes, beside each golden copy, delta files holding only the records issued or revised since
an earlier copy (8 hours, 24 hours, 7 days or 31 days before), in the same layout as the golden copy
(gleif.org, "Download the GLEIF Golden Copy and Delta Files"). A delta record replaces the kept record
with the same key and a new key is added; nothing is deleted, since GLEIF never withdraws a record from
the golden copy: a record that stops counting changes its status (a lapsed or retired LEI, an inactive
or annulled relationship), which the loader reads as it reads the full file (graph/loaders/gleif.py).

The merged file keeps the kept file's columns (a delta column it lacks is dropped, a kept column the
delta lacks is left empty on that row); delta records come last, in their order, and a problem the
build finds on one of them is told with the delta file's own name and line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from exportkg.graph.errors import DataError, Problem
from exportkg.graph.loaders.csvio import Row, open_text, read_rows
from exportkg.graph.loaders.gleif import FILES, file_label

#: what names a record, by file kind: a delta record with the same key replaces the kept one
KEYS = {
    "lei2": ("LEI",),
    "rr": ("Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID", "Relationship.RelationshipType"),
    "repex": ("LEI", "Exception.Category"),
}


@dataclass
class Merged:
    """Where each delta record landed in the merged file: its line in the delta, by merged line."""

    merged_label: str
    delta_label: str
    lines: dict[int, int] = field(default_factory=dict)
    replaced: int = 0
    added: int = 0

    def told_in_delta(self, problem: Problem) -> Problem:
        """A problem on a delta record, told where the user can find it: the delta file and line."""
        if problem.file == self.merged_label and problem.row in self.lines:
            return Problem(self.delta_label, self.lines[problem.row], problem.reason)
        return problem


def key(kind: str, row: Row) -> tuple[str, ...]:
    return tuple(row.get(column).upper() for column in KEYS[kind])


def merge(kind: str, kept: Path, delta: Path, target: Path) -> Merged:
    """Write kept + delta to `target` (a .csv, or a .zip of one like `kept`)."""
    delta_label = f"GLEIF {kind} delta {delta.name}"
    records: dict[tuple[str, ...], Row] = {}
    for row in read_rows(delta, FILES[kind], label=delta_label):
        if (found := key(kind, row)) in records:
            raise DataError.single(delta_label, row.line, f"{' / '.join(found)} appears twice "
                                                          f"(first at line {records[found].line})")
        records[found] = row
    result = Merged(file_label(kind, target), delta_label)
    with _written(target) as out:
        rows = read_rows(kept, FILES[kind], label=file_label(kind, kept))
        first = next(rows, None)
        header = list(first.values) if first is not None else _header(kept)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        line = 1
        for row in _chain(first, rows):
            if key(kind, row) in records:
                result.replaced += 1
                continue
            line = _write(writer, header, row, line)
        for row in records.values():
            line = _write(writer, header, row, line)
            result.lines[line] = row.line
        result.added = len(records) - result.replaced
    return result


def _chain(first: Row | None, rest: Iterator[Row]) -> Iterator[Row]:
    if first is not None:
        yield first
        yield from rest


def _header(path: Path) -> list[str]:
    """The columns of a file with a header and no records."""
    with open_text(path, path.name) as handle:
        return [h.strip() for h in next(csv.reader(handle))]


def _write(writer: csv.writer, header: list[str], row: Row, line: int) -> int:  # type: ignore[valid-type]
    """One record; returns the merged file's line it ends on (a quoted cell may hold line breaks)."""
    cells = [row.values.get(column, "") for column in header]
    writer.writerow(cells)  # type: ignore[attr-defined]
    return line + 1 + sum(cell.count("\n") for cell in cells)


@contextmanager
def _written(target: Path) -> Iterator[io.TextIOBase]:
    if target.suffix.lower() != ".zip":
        with target.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        return
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open(target.with_suffix(".csv").name, "w", force_zip64=True) as member, \
            io.TextIOWrapper(member, encoding="utf-8", newline="") as handle:
        yield handle
