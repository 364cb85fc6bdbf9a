"""What killed builds and refused scenarios leave behind is cleaned up (issue 18, finding 11), and
only that: never a build a live process is writing, never the `current` or `previous` build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.store.location import StoreLocation

from helpers import copy_home, running_server


def fake_build(location: StoreLocation, pid: int, made_ns: int | None = None) -> Path:
    """A build directory as a process with this pid names it (at `made_ns`, default now), with a file in it."""
    path = location.builds / f"build-20260101-000000-{pid}-{made_ns or time.time_ns()}"
    path.mkdir(parents=True)
    (path / "000001.sst").write_bytes(b"x")
    return path


def test_sweep_removes_dead_builds_and_keeps_live_current_and_previous(tmp_path: Path) -> None:
    location = StoreLocation(tmp_path / "store")
    current, previous = fake_build(location, os.getpid()), fake_build(location, os.getpid())
    location.publish(previous)
    location.publish(current)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
        orphan = fake_build(location, int(dead.stdout))
        (location.builds / f"{orphan.name}.json").write_text("{}")
        live = fake_build(location, sleeper.pid)
        removed = location.sweep()
        assert set(removed) == {orphan, location.builds / f"{orphan.name}.json"}
        assert current.exists() and previous.exists() and live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_build_whose_pid_was_taken_by_a_newer_process_is_swept(tmp_path: Path) -> None:
    """Pids wrap around: a killed builder's pid may belong to a process that started after the build
    directory was made. That process did not make it, so the directory goes; one made after the
    process started stays."""
    location = StoreLocation(tmp_path / "store")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        before = fake_build(location, sleeper.pid, time.time_ns() - 3600 * 10**9)  # an hour before it started
        after = fake_build(location, sleeper.pid)
        assert location.sweep() == [before]
        assert after.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.slow
def test_a_killed_build_leaves_nothing_after_the_next_build(built: Settings, tmp_path: Path) -> None:
    """A real `exportkg build` killed while writing its build directory: the directory stays (no
    process can clean up after SIGKILL) until the next build sweeps it; the store keeps answering."""
    home = copy_home(built, tmp_path / "home").with_(reason_regimes=("ifr-jan2025",))  # about files, not law
    location = StoreLocation(home.store_root)
    published = location.resolved()
    proc = subprocess.Popen([sys.executable, "-m", "exportkg.graph.cli", "--home", str(home.home), "build"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "EXPORTKG_REASON_REGIMES": "ifr-jan2025"})
    deadline = time.monotonic() + 120
    while len(list(location.builds.iterdir())) < 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    orphans = [p for p in location.builds.iterdir() if p != published]
    assert orphans and location.resolved() == published
    build(home)
    left = sorted(p.name for p in location.builds.iterdir())
    assert left == sorted([published.name, location.resolved().name]), left


@pytest.mark.slow
def test_the_server_sweeps_what_killed_derivations_left_when_it_starts(built: Settings, tmp_path: Path) -> None:
    """A query worker killed at its timeout while deriving a scenario leaves that build behind; the
    scenario may never be asked for again, so the server sweeps every scenario's folder at start."""
    from exportkg.graph.impact.scenario_store import location

    home = copy_home(built, tmp_path / "home")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    orphan = fake_build(location(home, "never-again"), int(dead.stdout))
    main_orphan = fake_build(StoreLocation(home.store_root), int(dead.stdout))
    with running_server(home):
        assert not orphan.exists() and not main_orphan.exists()
        assert not (home.scenarios_root / "never-again").exists()
        assert StoreLocation(home.store_root).exists()
