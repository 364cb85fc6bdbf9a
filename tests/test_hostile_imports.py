"""`exportkg import` against careless and hostile files, concurrent runs and kill -9 (issue 18,
findings 7, 8 and 10): curated facts cannot be changed, errors name the user's file, huge numbers are
row errors, two imports at once both land, and a kill at any step leaves the published store and its
import record agreeing. Real builds, real `exportkg` processes, real SIGKILL."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exportkg.graph.answers.determine import determine
from exportkg.graph.build import record
from exportkg.graph.build.importer import import_parties
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.lock import home_lock

from helpers import copy_home, select

pytestmark = pytest.mark.slow  # real builds

HEADER = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source\n"
IMPORTED = """SELECT ?id WHERE {
  ?x <http://purl.org/dc/terms/source> ?s ; a ?type .
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/exportkg/id/source/import-"))
  FILTER (?type IN (<https://w3id.org/exportkg/ontology#Company>, <https://w3id.org/exportkg/ontology#DataCenter>))
  BIND (REPLACE(STR(?x), "^.*/", "") AS ?id) }"""


#: these tests are about the import's atomicity, not the law: their builds reason one regime
REGIMES = ("ifr-jan2025",)


@pytest.fixture
def home(built: Settings, tmp_path: Path) -> Settings:
    return copy_home(built, tmp_path / "home").with_(reason_regimes=REGIMES)


def party_file(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def in_store(settings: Settings) -> set[str]:
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        return {row["id"] for row in select(kg, IMPORTED)}
    finally:
        kg.close()


def in_record(settings: Settings) -> set[str]:
    path = record.published(settings)
    if path is None:
        return set()
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


def determination(settings: Settings, party: str) -> dict:
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        return determine(kg, settings, party, "3A090.a", regime="ifr-jan2025").as_json()
    finally:
        kg.close()


@pytest.mark.parametrize("row", [
    "microsoft,Microsoft Corporation,company,US,US,alibaba-group,100,,,x",
    "microsoft,Microsoft Corporation,company,CN,CN,alibaba-group,100,,,x",
], ids=["same-country", "other-country"])
def test_an_import_cannot_change_a_curated_organization(home: Settings, tmp_path: Path, row: str) -> None:
    """Finding 7: this row was "imported 1 new" and Microsoft's determinations changed; with another
    country it was refused, but the error named companies.csv:5. Now it is refused at the user's line."""
    before, target = determination(home, "microsoft"), StoreLocation(home.store_root).resolved()
    path = party_file(tmp_path, "mine.csv", "ok-co,OK Co,company,SG,SG,,,,,x", row)
    with pytest.raises(DataError) as caught:
        import_parties(home, path)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("mine.csv:3:") and "curated" in m for m in messages), messages
    assert all(m.startswith("mine.csv:") for m in messages), messages
    assert determination(home, "microsoft") == before
    assert StoreLocation(home.store_root).resolved() == target and in_record(home) == set()


def test_an_import_cannot_reuse_a_curated_data_center(home: Settings, tmp_path: Path) -> None:
    kg = KnowledgeStore.open_read_only(StoreLocation(home.store_root))
    try:
        dc = select(kg, "SELECT ?x WHERE { ?x a <https://w3id.org/exportkg/ontology#DataCenter> } LIMIT 1")[0]["x"]
    finally:
        kg.close()
    path = party_file(tmp_path, "dc.csv", f"{dc.rsplit('/', 1)[1]},Mine,data_center,PL,,,,,5,x")
    with pytest.raises(DataError) as caught:
        import_parties(home, path)
    assert str(caught.value.problems[0]).startswith("dc.csv:2:") and "curated" in str(caught.value)


@pytest.mark.parametrize(("cell", "column"), [
    ("1e999999999999", "h100e"), ("1e-999999999999", "h100e"), ("9" * 5000, "h100e"),
    ("5" + "0" * 4999, "parent_share"),
])
def test_huge_numbers_are_row_errors(home: Settings, tmp_path: Path, cell: str, column: str) -> None:
    """Finding 10: h100e of 1e999999999999 ended in a MemoryError traceback."""
    row = (f"big-dc,Big,data_center,PL,,,,,{cell},x" if column == "h100e"
           else f"big-co,Big,company,SG,SG,alibaba-group,{cell},,,x")
    with pytest.raises(DataError) as caught:
        import_parties(home, party_file(tmp_path, "big.csv", row))
    message = str(caught.value.problems[0])
    assert message.startswith("big.csv:2:") and "out of range" in message and len(message) < 300


def exportkg(settings: Settings, *args: str) -> subprocess.Popen:
    env = {**os.environ, "EXPORTKG_REASON_REGIMES": ",".join(settings.reason_regimes)}
    return subprocess.Popen([sys.executable, "-m", "exportkg.graph.cli", "--home", str(settings.home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def test_two_imports_at_once_both_land(home: Settings, tmp_path: Path) -> None:
    """Finding 8: two imports 0.3 s apart: the first said "imported 1 new" but its party was in
    neither the store nor the record; the second crashed on the one staging file."""
    first = exportkg(home, "import", str(party_file(tmp_path, "a.csv", "party-a,A,company,SG,SG,,,,,x")))
    time.sleep(0.3)
    second = exportkg(home, "import", str(party_file(tmp_path, "b.csv", "party-b,B,company,VN,CN,,,,,x")))
    outputs = [proc.communicate(timeout=300)[0] for proc in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert in_store(home) == in_record(home) == {"party-a", "party-b"}
    assert not list((home.home / "imports").glob("staged-*"))


def consistent(settings: Settings) -> set[str]:
    """The invariant a kill must keep: the published store holds exactly the parties of its record."""
    found = in_store(settings)
    assert found == in_record(settings), (found, in_record(settings))
    return found


def kill_when(proc: subprocess.Popen, happened, what: str) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the process as soon as `happened()` is true (polled every millisecond)."""
    deadline = time.monotonic() + 240
    while not happened():
        assert proc.poll() is None, f"the import ended before {what}: {proc.stdout.read() if proc.stdout else ''}"
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    if proc.stdout:
        proc.stdout.close()


def test_a_kill_at_any_step_keeps_store_and_record_together(home: Settings, tmp_path: Path) -> None:
    """Finding 8 (the kill): a kill between publishing the store and replacing imports/parties.csv
    dropped the new parties at the next build. Now the record is published inside the build, with
    it. Real processes are killed at real moments: while waiting for the home's lock, once their
    staging file exists, while their build directory is being written, right after they publish."""
    builds = home.store_root / "builds"
    staged = home.home / "imports"
    published = StoreLocation(home.store_root).resolved

    with home_lock(home.home, "test"):  # a real pause: the import blocks on the lock we hold
        proc = exportkg(home, "import", str(party_file(tmp_path, "w.csv", "kill-wait,W,company,SG,SG,,,,,x")))
        line = proc.stdout.readline() if proc.stdout else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        if proc.stdout:
            proc.stdout.close()
        assert "waiting for" in line and "test" in line, line
    assert consistent(home) == set()

    survivors: set[str] = set()
    killed: set[int] = set()
    for step in ("staged", "writing", "published"):
        before, target = {p.name for p in builds.glob("build-*")}, published()
        happened = {"staged": lambda: any(staged.glob("staged-*")),
                    "writing": lambda: bool({p.name for p in builds.glob("build-*")} - before),  # noqa: B023
                    "published": lambda: published() != target}[step]  # noqa: B023
        proc = exportkg(home, "import", str(party_file(tmp_path, f"{step}.csv", f"kill-{step},K,company,SG,SG,,,,,x")))
        kill_when(proc, happened, step)
        killed.add(proc.pid)
        survivors = consistent(home)
        assert survivors <= {"kill-published"}, survivors

    result = import_parties(home, party_file(tmp_path, "last.csv", "after-kills,After,company,SG,SG,,,,,x"))
    assert result.added == 1
    assert consistent(home) == survivors | {"after-kills"}
    assert not list(staged.glob("staged-*")), "a killed import's staging file was not swept"
    location = StoreLocation(home.store_root)
    published_now = {location.resolved().name} | ({Path(os.readlink(location.previous)).name}
                                                  if location.previous.is_symlink() else set())
    left = [p.name for p in builds.iterdir() if p.is_dir() and p.name not in published_now
            and int(p.name.split("-")[3]) in killed]
    assert not left, f"killed builds left {left}"  # a build of a live process (the session's) may stay
