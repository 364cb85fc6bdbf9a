"""Docs match code: every CLI command and named query is in the README, and the console script runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.queries.catalog import load_catalog

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_named_query_is_documented() -> None:
    missing = [n for n in load_catalog(Settings().queries_dir) if f"| {n} |" not in README]
    assert not missing, f"named queries missing from the README table: {missing}"


def test_every_cli_command_is_documented() -> None:
    missing = [c for c in main.commands if f"exportkg {c}" not in README]
    assert not missing, f"commands missing from the README: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[0:2] for line in first_block.strip().splitlines()] == [["make", "run"],
                                                                                  ["make", "test"]]


def test_console_script_entry_point_runs() -> None:
    script = Path(sys.executable).parent / "exportkg"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "build" in result.stdout and "query" in result.stdout


PREREQUISITES = Path(__file__).resolve().parent.parent / "tools" / "prerequisites"


def bare_path(tmp_path: Path, *commands: str) -> str:
    """A PATH holding only these commands (links to the real ones): a machine that lacks the rest."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in commands:
        (bin_dir / command).symlink_to(shutil.which(command))  # type: ignore[arg-type]
    return str(bin_dir)


def test_a_missing_prerequisite_stops_make_at_once_with_the_command_to_run(tmp_path: Path) -> None:
    """Without a package manager to install from, `tools/prerequisites` (run by `make run` and `make
    test`) names what is missing and exits non-zero; with everything present it says nothing."""
    path = bare_path(tmp_path, "bash", "id", "head")
    missing = subprocess.run(["bash", str(PREREQUISITES), "npm", "java", "chromium"], capture_output=True,
                             text=True, env={"PATH": path})
    assert missing.returncode == 1
    assert missing.stderr.startswith("missing: npm default-jre-headless chromium"), missing.stderr
    assert missing.stderr.count("\n") == 1
    python = subprocess.run(["bash", str(PREREQUISITES), "venv"], capture_output=True, text=True,
                            env={"PATH": path, "PYTHON": sys.executable})
    assert (python.returncode, python.stderr) == (0, "")
    old = subprocess.run(["bash", str(PREREQUISITES), "venv"], capture_output=True, text=True,
                         env={"PATH": path, "PYTHON": "/bin/false"})
    assert old.returncode == 1 and "needs Python 3.11 or newer" in old.stderr
