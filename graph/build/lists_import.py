"""`exportkg lists import`: a newer Consolidated Screening List replaces the lists, atomically.

The file is checked on its own first (columns, encoding, duplicate entries: `file:line: reason`), then
staged beside the last imported one and built with; only when that build is published does the staged
file take the place of the last one. A bad file therefore changes neither the store nor the list file
later builds read. The report compares entries by list and key with the lists last loaded (the
previous import, or the shipped snapshot).
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError, Problem
from exportkg.graph.loaders import csl, list_removals
from exportkg.graph.loaders.bis_lists import SNAPSHOT, SNAPSHOT_DATE

log = logging.getLogger(__name__)
SUFFIXES = {".csv": "csv", ".json": "json"}


@dataclass
class ListChanges:
    """Entries of one list added, changed and removed since the last load."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    total: int = 0


@dataclass
class ListsReport:
    lists: dict[str, ListChanges] = field(default_factory=dict)

    def lines(self) -> list[str]:
        width = max((len(name) for name in self.lists), default=4)
        out = [f"{'list':{width}}  {'entries':>7}  {'added':>6}  {'changed':>7}  {'removed':>7}"]
        for name, c in sorted(self.lists.items()):
            out.append(f"{name:{width}}  {c.total:>7}  {c.added:>6}  {c.changed:>7}  {c.removed:>7}")
        return out


def import_lists(settings: Settings, path: Path, *, show_progress: bool = False) -> ListsReport:
    """Check, stage, build with, then publish the file; all or nothing (the CLI shows the build's progress)."""
    path = Path(path)
    ext = SUFFIXES.get(path.suffix.lower())
    if ext is None:
        raise DataError.single(path.name, None, "expected a .csv or .json file (the trade.gov CSL forms)")
    new_rows = csl.read(path, label=path.name)
    old_rows = _last_rows(settings)
    target_dir = settings.home / "imports"
    target_dir.mkdir(parents=True, exist_ok=True)
    staged = target_dir / f"lists.staged.{ext}"
    removals = target_dir / "lists-removed.staged.csv"
    shutil.copyfile(path, staged)
    try:
        _stage_removals(settings, removals, old_rows, new_rows)
        build(settings.with_(lists_override=staged, removals_override=removals), show_progress=show_progress)
    except DataError as exc:
        _discard(staged, removals)
        raise DataError([_in_user_terms(p, staged.name, path.name) for p in exc.problems]) from None
    except BaseException:
        _discard(staged, removals)
        raise
    os.replace(removals, settings.list_removals_file)
    _publish(staged, target_dir / f"lists.{ext}")
    return compare(old_rows, new_rows)


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _stage_removals(settings: Settings, path: Path, old: list[csl.ListRow], new: list[csl.ListRow]) -> None:
    """The removals record after this import: what the last file held and this one does not, dated by
    the last file's day (the snapshot's date, or the day it was imported) and today."""
    current = settings.list_removals_file
    previous = list_removals.read(current) if current.exists() else []
    rows = list_removals.removed_since(previous, old, new, _last_day(settings), date.today().isoformat())
    list_removals.write(path, rows)


def _last_day(settings: Settings) -> str:
    """The day the last loaded file is known to hold its entries: the snapshot's date, or the day the
    last imported file was imported (its copy's modification time)."""
    current = settings.lists_file
    if current is None:
        return SNAPSHOT_DATE
    return date.fromtimestamp(current.stat().st_mtime).isoformat()


def _last_rows(settings: Settings) -> list[csl.ListRow]:
    current = settings.lists_file or settings.data_dir / SNAPSHOT
    return csl.read(current, label=current.name)


def _publish(staged: Path, target: Path) -> None:
    """The staged file becomes the imported list file; one of another form would shadow it, so it goes."""
    os.replace(staged, target)
    for other in target.parent.glob("lists.*"):
        if other != target and other.suffix in SUFFIXES and ".staged" not in other.name:
            other.unlink()
    log.info("lists file published: %s", target)


def _in_user_terms(problem: Problem, staged: str, user_file: str) -> Problem:
    if problem.file.startswith(staged):
        return Problem(user_file + problem.file[len(staged):], problem.row, problem.reason)
    return problem


def compare(old: list[csl.ListRow], new: list[csl.ListRow]) -> ListsReport:
    """Added, changed (same list and key, other content) and removed entries, per list."""
    before = {(r.source, r.key): r.content() for r in old}
    after = {(r.source, r.key): r.content() for r in new}
    report = ListsReport()
    for key, content in after.items():
        changes = report.lists.setdefault(key[0], ListChanges())
        changes.total += 1
        if key not in before:
            changes.added += 1
        elif before[key] != content:
            changes.changed += 1
    for key in before.keys() - after.keys():
        report.lists.setdefault(key[0], ListChanges()).removed += 1
    return report
