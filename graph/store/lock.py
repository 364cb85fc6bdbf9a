"""One writer per home at a time: builds, imports and scenario derivations hold the home's lock.

Two `exportkg import` runs a moment apart must not both read the same import record and publish in
turn (the second would drop the first one's parties), and two publishes must not interleave their
symlink swaps. So whatever writes a home takes `fcntl.flock` on `<home>/.exportkg.lock` for the whole
read-build-publish sequence. The kernel releases the lock when its holder exits, however it exits
(kill -9 included), so a crash never leaves a stale lock behind. Within one thread the lock is
reentrant (an import runs a build); another thread or process waits its turn.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
LOCK_NAME = ".exportkg.lock"
_held = threading.local()


def _holding() -> dict[str, int]:
    if not hasattr(_held, "homes"):
        _held.homes = {}
    return _held.homes


@contextmanager
def home_lock(home: Path, what: str, *, wait: bool = True) -> Iterator[None]:
    """Hold the home's lock for a block, waiting for another writer to finish first (or, with
    wait=False, raising BlockingIOError at once)."""
    key, held = os.path.abspath(home), _holding()
    if key in held:
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    Path(home).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(home) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if wait:
            _acquire(fd, home)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {what}\n".encode())
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, home: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        log.warning("waiting for %s to finish with %s", holder, home)
        fcntl.flock(fd, fcntl.LOCK_EX)
