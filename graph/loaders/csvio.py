"""Strict CSV reading: every row keeps its line number so errors can point at it."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.errors import DataError, Problem


@dataclass
class Row:
    """A CSV row with the file and line it came from."""

    file: str
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return (self.values.get(key) or "").strip()

    def problem(self, reason: str) -> Problem:
        return Problem(self.file, self.line, reason)


def open_text(path: Path, name: str) -> io.TextIOBase:
    """A CSV file as text, or the one CSV inside a .zip (as GLEIF publishes its golden copy); UTF-8 with
    or without a byte-order mark (spreadsheet exports add one)."""
    try:
        if path.suffix.lower() != ".zip":
            return path.open(newline="", encoding="utf-8-sig")
        archive = zipfile.ZipFile(path)
    except OSError as exc:
        raise DataError.single(name, None, f"cannot read: {exc.strerror or exc}") from exc
    except zipfile.BadZipFile as exc:
        raise DataError.single(name, None, f"not a readable zip file: {exc}") from exc
    members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
    if len(members) != 1:
        archive.close()
        raise DataError.single(name, None, f"expected one .csv inside the zip, found {len(members)}")
    with archive:  # the member keeps the file open until it is closed itself
        return io.TextIOWrapper(archive.open(members[0]), encoding="utf-8-sig", newline="")


def read_rows(path: Path, required: list[str], label: str | None = None,
              keep: Collection[str] | None = None) -> Iterator[Row]:
    """Yield rows; a missing column, a ragged row or broken quoting stops with file and line. With
    `keep`, a row holds only those columns (a GLEIF level 1 row has 338, of which a loader reads 8)."""
    name = label or path.name
    with open_text(path, name) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError.single(name, 1, "empty file, expected a header row") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError.single(name, 1, f"malformed CSV: {exc}") from exc
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError.single(name, 1, f"missing column(s): {', '.join(missing)}")
        kept = [(h, i) for i, h in enumerate(header) if keep is None or h in keep]
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise DataError.single(name, line, f"malformed CSV: {exc}") from exc
            if not "".join(cells).strip():  # blank (one C call: a GLEIF row has 338 cells)
                continue
            if len(cells) != len(header):
                raise DataError.single(
                    name,
                    reader.line_num,
                    f"expected {len(header)} fields, found {len(cells)} (unbalanced quotes or commas?)",
                )
            yield Row(name, reader.line_num, {h: cells[i] for h, i in kept})
