"""`exportkg import-gleif`: a GLEIF golden copy (level 1, relationships, reporting exceptions) replaces
the one imported before, atomically; a delta file is kept beside it and updates the store in place.

Under the home's lock the files are staged in a directory of this process's own (copies of the
user's files: a hard link would share their inode, so a file downloaded again over the same path
would change the kept copy behind the store's back; the kept files themselves are linked, not
copied, into the next staging), a build is made with them, and only
when that build is published does the staged directory take the place of home/imports/gleif, which
every later build reads. A bad file (`file:line: reason`) or a failed build leaves the store and the
kept files as they were; a golden copy is a whole snapshot, so an import replaces the last one and
the deltas imported on it. A delta file (`--delta`: the records GLEIF issued or revised since an
earlier copy) is staged beside the kept copy (loaders/gleif_files.py) and the published store is
updated with what it changes (graph/build/gleif_update.py), or rebuilt where that cannot be done.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from exportkg.graph.build.gleif_update import update
from exportkg.graph.build.incremental import Updated
from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders.gleif_files import DELTAS, Delta, KeptCopy
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


@dataclass(frozen=True)
class Imported:
    """What an import did: a build's published graph sizes, or the update in place it made."""

    graphs: dict[str, int] | None
    updated: Updated | None = None
    deltas: tuple[Delta, ...] = ()
    #: a build's GLEIF entities, with a known controlling parent, with an unknown one (as the loader
    #: wrote them: asking the published store the same, query gleif-summary, takes 20 s at 3.1M)
    counts: dict[str, int] | None = None


def import_gleif(settings: Settings, files: GleifFiles, *, delta: bool = False, rebuild: bool = False,
                 show_progress: bool = False) -> Imported:
    """Stage, build with (or, for a delta, update the store with, unless `rebuild`), then keep the files."""
    for kind, path in files.staged().items():
        if path.suffix.lower() not in (".csv", ".zip"):
            raise DataError.single(path.name, None, f"the {kind} file must be a .csv or a .zip of one")
    with home_lock(settings.home, "exportkg import-gleif"):
        folder = settings.home / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        staged = folder / f"gleif.staged-{os.getpid()}-{time.time_ns()}"
        staged.mkdir()
        try:
            new = _stage_delta(settings.gleif_home, files, staged) if delta else _stage_all(files, staged)
            with_staged = settings.with_(gleif_override=staged)
            updated = update(with_staged, KeptCopy.of(staged), new) if delta and not rebuild else None
            built = None if updated else build(with_staged, show_progress=show_progress)
            _keep(staged, settings.gleif_home)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    return Imported(built and built.graphs, updated, tuple(new), built and built.gleif_counts)


def _stage_all(files: GleifFiles, staged: Path) -> list[Delta]:
    for kind, path in files.staged().items():
        shutil.copyfile(path, staged / f"{kind}{path.suffix.lower()}")
    return []


def _stage_delta(kept: Path, files: GleifFiles, staged: Path) -> list[Delta]:
    """The kept copy with its deltas, and the new delta files after them, numbered on."""
    copy = KeptCopy.of(kept) if kept.is_dir() else KeptCopy({}, ())
    if "lei2" not in copy.golden:
        raise DataError.single(files.lei2.name, None, "a delta file needs a golden copy imported before it "
                               "(exportkg import-gleif LEVEL1 [--relationships ...] [--exceptions ...])")
    for path in copy.golden.values():
        _stage(path, staged / path.name)
    (staged / DELTAS).mkdir()
    for old in copy.deltas:
        _stage(old.path, staged / DELTAS / old.path.name)
    new = []
    for number, (kind, path) in enumerate(files.staged().items(), start=copy.next_number()):
        target = staged / DELTAS / Delta.kept_name(number, kind, path.name)
        shutil.copyfile(path, target)
        new.append(Delta(number, kind, target, path.name))
    return new


def _stage(source: Path, target: Path) -> None:
    """A kept file into the staging directory: no one else writes the kept files, so a link serves."""
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
