"""The import record: the researchers' parties a build was made with, kept inside that build.

`exportkg import` used to keep its rows in home/imports/parties.csv and replace that file after the
new store was published: a kill between the two steps lost the new parties at the next build, and two
imports raced for one staging file. Now every embedded build directory carries the record it was
built from (RECORD, written and synced before the build is published), so the one `current` symlink
swap publishes the store and its record together or not at all. An import reads the record of the
published build, merges the user's rows into a staging file of its own (STAGED: named by its pid)
and builds with it, all under the home's lock (graph/store/lock.py).

A home made before this keeps its imports/parties.csv until its next build copies it in. Remote-store
mode has no build directory: its record stays in imports/parties.csv, replaced after the remote
publish (a kill between the two can lose that import's rows there).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from pathlib import Path

from exportkg.graph.config import Settings
from exportkg.graph.loaders.imports import RECORD_COLUMNS
from exportkg.graph.store.location import StoreLocation, alive

RECORD = "exportkg-imports.csv"
STAGED = re.compile(r"^staged-(\d+)-\d+\.csv$")


def published(settings: Settings) -> Path | None:
    """The record a build includes: a staged one (an import in progress), else the published build's,
    else a home's old imports/parties.csv; None when there are no imports."""
    if settings.imports_override is not None:
        return settings.imports_override
    if not settings.endpoint:
        location = StoreLocation(settings.store_root)
        if location.exists():
            kept = location.resolved() / RECORD
            if kept.exists():
                return kept
    legacy = settings.imports_file
    return legacy if legacy.exists() else None


def attach(settings: Settings, build_dir: Path) -> None:
    """Write the record this build was made from into its directory, durably, before it is published
    (a header alone when there are no imports, so every published build says what it holds)."""
    source = published(settings)
    target = build_dir / RECORD
    if source is not None:
        shutil.copyfile(source, target)
    else:
        with target.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(RECORD_COLUMNS)
    _sync(target)
    _sync(build_dir)


def staging(settings: Settings) -> Path:
    """A staging file no other process uses (its name carries this pid)."""
    folder = settings.home / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"staged-{os.getpid()}-{time.time_ns()}.csv"


def sweep(settings: Settings) -> list[Path]:
    """Delete staging files of imports whose process is gone (killed half way)."""
    folder = settings.home / "imports"
    removed = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = STAGED.match(entry.name)
        if match is not None and not alive(int(match.group(1))):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
