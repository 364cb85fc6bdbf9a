"""`exportkg import-gleif`: a GLEIF golden copy (level 1, relationships, reporting exceptions) replaces
the one imported before, atomically.

Under the home's lock the files are staged in a directory of this process's own (hard links where
the file system allows, so a 400 MB golden copy is not copied), a build is made with them, and only
when that build is published does the staged directory take the place of home/imports/gleif, which
every later build reads. A bad file (`file:line: reason`) or a failed build leaves the store and the
kept files as they were; a golden copy is a whole snapshot, so an import replaces the last one.
A delta file (`--delta`: the records GLEIF issued or revised since an earlier copy) is merged into the
kept copy instead (graph/build/gleif_delta.py), and the merged files are kept.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.build.gleif_delta import Merged, merge
from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError, Problem
from exportkg.graph.store.lock import home_lock

log = logging.getLogger(__name__)
KINDS = ("lei2", "rr", "repex")


@dataclass(frozen=True)
class GleifFiles:
    """The files of one golden copy: level 1 is required, the other two optional."""

    lei2: Path
    rr: Path | None = None
    repex: Path | None = None

    def staged(self) -> dict[str, Path]:
        return {kind: path for kind, path in vars(self).items() if path is not None}


def import_gleif(settings: Settings, files: GleifFiles, *, delta: bool = False,
                 show_progress: bool = False) -> dict[str, int]:
    """Stage, build with, then keep the files (or, for a delta, the kept copy merged with it);
    returns the published graphs' sizes."""
    for kind, path in files.staged().items():
        if path.suffix.lower() not in (".csv", ".zip"):
            raise DataError.single(path.name, None, f"the {kind} file must be a .csv or a .zip of one")
    with home_lock(settings.home, "exportkg import-gleif"):
        folder = settings.home / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        staged = folder / f"gleif.staged-{os.getpid()}-{time.time_ns()}"
        staged.mkdir()
        try:
            merged = _stage_delta(settings.gleif_home, files, staged) if delta else _stage_all(files, staged)
            try:
                result = build(settings.with_(gleif_override=staged), show_progress=show_progress)
            except DataError as exc:
                raise DataError([_in_delta(p, merged) for p in exc.problems]) from None
            _keep(staged, settings.gleif_home)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    return result.graphs


def _stage_all(files: GleifFiles, staged: Path) -> list[Merged]:
    for kind, path in files.staged().items():
        _stage(path, staged / f"{kind}{path.suffix.lower()}")
    return []


def _stage_delta(kept: Path, files: GleifFiles, staged: Path) -> list[Merged]:
    """Each kind's kept file merged with its delta, or kept as it is, or (a kind never imported) the
    delta alone."""
    before = {p.stem: p for p in kept.iterdir() if p.stem in KINDS} if kept.is_dir() else {}
    if "lei2" not in before:
        raise DataError.single(files.lei2.name, None, "a delta file needs a golden copy imported before it "
                               "(exportkg import-gleif LEVEL1 [--relationships ...] [--exceptions ...])")
    merged = []
    deltas = files.staged()
    for kind in KINDS:
        if kind in before and kind in deltas:
            merged.append(merge(kind, before[kind], deltas[kind], staged / before[kind].name))
            log.info("GLEIF %s delta: %d records replaced, %d added", kind, merged[-1].replaced, merged[-1].added)
        elif kind in before or kind in deltas:
            source = before.get(kind) or deltas[kind]
            _stage(source, staged / f"{kind}{source.suffix.lower()}")
    return merged


def _in_delta(problem: Problem, merged: list[Merged]) -> Problem:
    for m in merged:
        problem = m.told_in_delta(problem)
    return problem


def _stage(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _keep(staged: Path, kept: Path) -> None:
    """The staged files become the kept ones: the old directory is moved aside, then dropped."""
    retired = kept.with_name(f"gleif.retired-{os.getpid()}-{time.time_ns()}")
    if kept.exists():
        kept.rename(retired)
    staged.rename(kept)
    shutil.rmtree(retired, ignore_errors=True)
