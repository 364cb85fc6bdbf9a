"""`exportkg import`: add or replace researchers' parties, then rebuild and re-reason, atomically.

The merged imports are written beside the current ones and only take their place once the build
that includes them has been published; a bad file changes nothing.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.loaders.csvio import read_rows
from exportkg.graph.errors import DataError, Problem
from exportkg.graph.loaders.imports import COLUMNS


@dataclass
class ImportResult:
    added: int
    replaced: int


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


def import_parties(settings: Settings, path: Path) -> ImportResult:
    """Merge the file's parties into the imports (same id replaces) and rebuild; all or nothing."""
    new_rows = _check_file(Path(path))
    target = settings.imports_file
    old_rows = _rows(target) if target.exists() else []
    new_ids = {r["id"] for r in new_rows}
    kept = [r for r in old_rows if r["id"] not in new_ids]
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name("parties.staged.csv")
    with staged.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(new_rows + kept)  # the user's rows first: their line numbers stay theirs
    try:
        build(settings.with_(imports_override=staged))
    except DataError as exc:
        staged.unlink(missing_ok=True)
        raise DataError([_in_user_terms(p, Path(path).name, len(new_rows)) for p in exc.problems]) from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, target)
    return ImportResult(added=len(new_ids - {r["id"] for r in old_rows}),
                        replaced=len(new_ids & {r["id"] for r in old_rows}))


def _in_user_terms(problem: Problem, user_file: str, new_count: int) -> Problem:
    """Staged rows 2..n+1 are the user's own rows, in order; later ones were imported before."""
    if problem.file != "parties.staged.csv":
        return problem
    if problem.row is not None and problem.row <= new_count + 1:
        return Problem(user_file, problem.row, problem.reason)
    return Problem("previously imported parties", problem.row, problem.reason)
