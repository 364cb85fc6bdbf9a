"""`exportkg import`: add or replace researchers' parties, then rebuild and re-reason, atomically.

Under the home's lock (one import or build at a time), the published build's import record is read,
the user's rows are merged into a staging file of this process's own, and a build is made with it;
the build publishes the new store together with the merged record (graph/build/record.py). A bad
file, a failed build or a kill at any moment leaves the published store and its record as they were.
Every problem is reported against the user's own file and line.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.build import record
from exportkg.graph.build.incremental import Updated, update
from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError, Problem
from exportkg.graph.loaders.csvio import read_rows
from exportkg.graph.loaders.imports import COLUMNS, RECORD_COLUMNS
from exportkg.graph.store.lock import home_lock


@dataclass
class ImportResult:
    added: int
    replaced: int
    #: what updating the published store did; None: it was rebuilt
    updated: Updated | None = None


def _rows(path: Path) -> list[dict[str, str]]:
    return [row.values for row in read_rows(path, COLUMNS, label=path.name)]


def _check_file(path: Path) -> list[dict[str, str]]:
    """Problems that need only the file (duplicate ids) are reported against the user's own rows."""
    rows = list(read_rows(path, COLUMNS, label=path.name))
    seen: dict[str, int] = {}
    problems = []
    for row in rows:
        if row.get("id") in seen:
            problems.append(Problem(path.name, row.line,
                                    f"duplicate id {row.get('id')!r} (first at line {seen[row.get('id')]})"))
        seen.setdefault(row.get("id"), row.line)
    if problems:
        raise DataError(problems)
    return [r.values for r in rows]


def import_parties(settings: Settings, path: Path, *, show_progress: bool = False,
                   rebuild: bool = False) -> ImportResult:
    """Merge the file's parties into the imports (same id replaces) and publish the store a rebuild
    with them makes, all or nothing: by updating the published store through the rules the rows reach
    (graph/build/incremental.py) where it can and `rebuild` does not ask for a full build, else by a
    rebuild (its progress shown by the CLI)."""
    path = Path(path)
    with home_lock(settings.home, f"exportkg import {path.name}"):
        record.sweep(settings)
        new_rows = _check_file(path)
        current = record.published(settings)
        old_rows = _rows(current) if current is not None else []
        new_ids = {r["id"] for r in new_rows}
        kept = [r for r in old_rows if r["id"] not in new_ids]
        staged = record.staging(settings)
        try:
            with staged.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=RECORD_COLUMNS, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(new_rows + kept)  # the user's rows first: their line numbers stay theirs
            try:
                updated = None if rebuild else update(settings, current, staged)
                if updated is None:
                    build(settings.with_(imports_override=staged), show_progress=show_progress)
            except DataError as exc:
                problems = [_in_user_terms(p, staged.name, path.name, len(new_rows)) for p in exc.problems]
                raise DataError(problems) from None
            if settings.endpoint:  # no build directory to carry the record: keep it beside the store
                settings.imports_file.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, settings.imports_file)
        finally:
            staged.unlink(missing_ok=True)
    old_ids = {r["id"] for r in old_rows}
    return ImportResult(added=len(new_ids - old_ids), replaced=len(new_ids & old_ids), updated=updated)


def _in_user_terms(problem: Problem, staged: str, user_file: str, new_count: int) -> Problem:
    """Staged rows 2..n+1 are the user's own rows, in order; later ones were imported before."""
    if problem.file != staged:
        return problem
    if problem.row is not None and problem.row <= new_count + 1:
        return Problem(user_file, problem.row, problem.reason)
    return Problem("previously imported parties", problem.row, problem.reason)
