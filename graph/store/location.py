"""Where builds live on disk: `builds/` holds the build directories, `current` points at the published one.

Builds are atomic: each build writes a fresh store directory under `builds/`, and `current` is a
symlink swapped with one rename, so readers see either the old store or the new one, never half. A
directory is published only once its writer has closed (RocksDB may still be writing files until
then), which `writers` tracks for the stores this process opened for writing. The build a publish
replaces is kept (`previous`) until the next publish, so a server or a query worker that opened it a
moment ago keeps reading whole files; only the one before it is deleted.

A build directory's name carries the pid of the process that writes it. A build killed half way
(kill -9, a power cut, a query worker stopped at its timeout) leaves its directory behind; `sweep`
deletes those whose process is gone and that neither `current` nor `previous` points at, and never a
directory a live process may still be writing. Writers call it under the home's lock
(graph/store/lock.py) before they start.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

from exportkg.graph.errors import StoreError


class _Writers:
    """The store directories this process holds open for writing."""

    def __init__(self) -> None:
        self._open: dict[Path, int] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(path: Path) -> Path:
        return Path(os.path.abspath(path))

    def opened(self, path: Path) -> None:
        with self._lock:
            key = self._key(path)
            self._open[key] = self._open.get(key, 0) + 1

    def closed(self, path: Path) -> None:
        with self._lock:
            key = self._key(path)
            if self._open.get(key, 0) <= 1:
                self._open.pop(key, None)
            else:
                self._open[key] -= 1

    def is_open(self, path: Path) -> bool:
        with self._lock:
            return self._key(path) in self._open


writers = _Writers()
#: build-<date>-<time>-<pid>-<ns>; a sidecar file adds a suffix (build-...-<ns>.json)
BUILD_NAME = re.compile(r"^build-\d{8}-\d{6}-(\d+)-(\d+)(?:\.|$)")
#: the temporary links of an interrupted publish: .current-<pid>-<thread>
LINK_NAME = re.compile(r"^\.(?:current|previous)-(\d+)-\d+$")


def alive(pid: int, since_ns: int | None = None) -> bool:
    """Whether the process that made a file still runs: a process with this pid exists and, when the
    file's creation time is known, started before it (pids wrap around at 32768 on many Linux
    machines: a killed builder's pid taken by another process must not keep its build forever).
    Where the start time cannot be read, a reused pid errs on the side of keeping files."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = start_time(pid)
    return since_ns is None or started is None or started <= since_ns / 1e9 + START_SLACK


#: seconds of slack between a process's start (clock ticks since boot) and a file it made
START_SLACK = 2.0


def start_time(pid: int) -> float | None:
    """When a process started (seconds since the epoch), from /proc on Linux; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


class StoreLocation:
    """The directory that holds the builds and the `current` pointer to the last good one."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.builds = self.root / "builds"
        self.current = self.root / "current"
        self.previous = self.root / "previous"

    def exists(self) -> bool:
        return self.current.exists()

    def new_build_dir(self) -> Path:
        self.builds.mkdir(parents=True, exist_ok=True)
        path = self.builds / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.time_ns()}"
        path.mkdir()
        return path

    def publish(self, build_dir: Path) -> Path | None:
        """Point `current` at a finished build with an atomic rename; the build it replaces becomes
        `previous`, and the one that was `previous` is deleted (and returned)."""
        if writers.is_open(build_dir):
            raise StoreError(f"{build_dir} is still open for writing: close its store before publishing it")
        replaced = self._target(self.current)
        dropped = self._target(self.previous)
        self._point(self.current, build_dir)
        if replaced is None or replaced == build_dir.resolve():
            return None
        self._point(self.previous, replaced)
        if dropped is not None and dropped not in (replaced, build_dir.resolve()):
            self.discard(dropped)
            return dropped
        return None

    def _point(self, link: Path, target: Path) -> None:
        tmp = self.root / f".{link.name}-{os.getpid()}-{threading.get_ident()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(target.resolve().relative_to(self.root.resolve()))
        os.replace(tmp, link)

    @staticmethod
    def _target(link: Path) -> Path | None:
        return link.resolve() if link.is_symlink() else None

    def discard(self, build_dir: Path) -> None:
        shutil.rmtree(build_dir, ignore_errors=True)

    def sweep(self) -> list[Path]:
        """Delete what killed builds left: build directories (and their sidecar files) whose process is
        gone and that are neither `current` nor `previous`, and half-made links. Returns what went."""
        removed: list[Path] = []
        keep = {t.name for t in (self._target(self.current), self._target(self.previous)) if t is not None}
        for entry in sorted(self.builds.iterdir()) if self.builds.is_dir() else []:
            match = BUILD_NAME.match(entry.name)
            if match is None or entry.name.split(".", 1)[0] in keep or alive(int(match.group(1)),
                                                                                int(match.group(2))):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
        for entry in self.root.iterdir() if self.root.is_dir() else []:
            match = LINK_NAME.match(entry.name)
            if match is not None and not alive(int(match.group(1))):
                entry.unlink(missing_ok=True)
                removed.append(entry)
        return removed

    def prune(self) -> None:
        """Remove the folders of a location nothing was ever published to (a refused first derivation
        leaves no empty builds/ behind)."""
        if self.current.is_symlink():
            return
        for folder in (self.builds, self.root):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty, or not there: nothing to prune

    def resolved(self) -> Path:
        """The published build's directory. One readlink (the server asks on every request, and
        Path.resolve walks every component of the path)."""
        try:
            target = os.readlink(self.current)
        except OSError:
            raise StoreError(f"no graph has been built yet in {self.root} (run `exportkg build`)") from None
        return Path(os.path.normpath(os.path.join(os.path.abspath(self.root), target)))
