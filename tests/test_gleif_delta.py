"""GLEIF delta files: kept beside the golden copy, read as the records that count, and imported by
updating the published store in place: the store it publishes is the one a full rebuild makes from
the golden copy and every delta, graph for graph (graph/build/gleif_update.py)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from exportkg.graph.build.gleif_import import GleifFiles, Imported, import_gleif
from exportkg.graph.build.importer import import_parties
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders.gleif_files import Delta, KeptCopy, key
from exportkg.graph.store.location import StoreLocation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import gleif_synth as synth  # noqa: E402
from twins import assert_same, gleif_homes, quads  # noqa: E402

SAMPLE = Path(__file__).parent / "data" / "gleif"
REGIMES = ("ifr-jan2025", "law-2025-01-13")
FACTS = "<https://w3id.org/exportkg/graph/facts>"
L = synth.lei
DANGLING = "9845000000000007PR84"  # the sample's parent with no level 1 record
PARTIES = ("id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source,owners\n"
           f"u-sub,Delta Sub,company,AE,AE,lei-{L(60).lower()},100,,,annual report,\n")


def write_delta(folder: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    """A delta file as GLEIF publishes one: the golden copy's layout, only new and revised records."""
    header = synth.HEADERS[kind]()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-delta.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_later_record_replaces_an_earlier_one_by_key_and_a_new_key_is_added(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    (folder / "deltas").mkdir(parents=True)
    (folder / "lei2.csv").write_bytes((SAMPLE / "lei2.csv").read_bytes())
    first = write_delta(tmp_path / "a", "lei2", [synth.entity(L(15), "Renamed Ltd", "GB"),
                                                 synth.entity(L(60), "New In The Delta Ltd", "GB")])
    second = write_delta(tmp_path / "b", "lei2", [synth.entity(L(60), "Renamed Again Ltd", "NO")])
    for number, path in ((1, first), (2, second)):
        (folder / "deltas" / Delta.kept_name(number, "lei2", path.name)).write_bytes(path.read_bytes())
    rows = list(KeptCopy.of(folder).records("lei2"))
    names = {r.get("LEI"): (r.get("Entity.LegalName"), r.file, r.line) for r in rows}
    assert len(rows) == 16 + 1 and len(names) == len(rows)
    assert names[L(15)] == ("Renamed Ltd", "GLEIF lei2 delta 1 file lei2-delta.csv", 2)
    assert names[L(60)] == ("Renamed Again Ltd", "GLEIF lei2 delta 2 file lei2-delta.csv", 2)
    assert names[L(16)][1:] == ("GLEIF lei2 file lei2.csv", 17), "a golden record keeps its line"
    assert [key("lei2", r) for r in rows[-2:]] == [(L(15),), (L(60),)]
    twice = write_delta(tmp_path / "twice", "rr", [synth.relationship(L(14), L(4))] * 2)
    (folder / "deltas" / Delta.kept_name(3, "rr", twice.name)).write_bytes(twice.read_bytes())
    with pytest.raises(DataError, match=r"GLEIF rr delta 3 file rr-delta.csv:3: .* appears twice \(first at line 2\)"):
        list(KeptCopy.of(folder).records("rr"))


def answer(settings: Settings, lei: str):  # type: ignore[no-untyped-def]
    from exportkg.graph.answers.determine import determine
    from exportkg.graph.loaders.gleif_rdf import org_id
    from exportkg.graph.store.embedded import KnowledgeStore

    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        return determine(kg, settings, org_id(lei), "3A090.a", regime=REGIMES[0])
    finally:
        kg.close()


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    return gleif_homes(tmp_path_factory, REGIMES)


def delta_import(homes: tuple[Settings, Settings], files: GleifFiles) -> tuple[Imported, Imported]:
    updated, rebuilt = homes
    done = import_gleif(updated, files, delta=True)
    assert done.updated is not None, "the delta rebuilt instead of updating"
    again = import_gleif(rebuilt, files, delta=True, rebuild=True)
    assert again.updated is None and again.graphs
    assert_same(quads(updated), quads(rebuilt))
    return done, again


@pytest.mark.slow
def test_deltas_update_the_store_as_a_rebuild_with_them_makes_it(homes: tuple[Settings, Settings],
                                                                   tmp_path: Path) -> None:
    """New and revised entities (one moved to China, a parent that had no record found in Macau), a
    direct link ended so that the ultimate one counts (the store never held it), a cycle broken and
    one made, a revised exception; then a second delta revising the first and the golden copy."""
    before = quads(homes[0])[FACTS]
    first = GleifFiles(
        write_delta(tmp_path / "1", "lei2", [synth.entity(L(60), "New In The Delta Ltd", "GB"),
                                             synth.entity(L(61), "Inspur Group Co., Ltd.", "CN"),
                                             synth.entity(L(14), "Quiet Parent Inc. (moved)", "CN"),
                                             synth.entity(DANGLING, "Found Parent Ltd", "MO")]),
        write_delta(tmp_path / "1", "rr", [synth.relationship(L(60), L(14)),
                                           synth.relationship(L(1), L(2), status="INACTIVE"),
                                           synth.relationship(L(10), L(11), status="INACTIVE"),
                                           synth.relationship(L(5), L(16)), synth.relationship(L(16), L(5))]),
        write_delta(tmp_path / "1", "repex", [synth.exception(L(6), "DIRECT", "NON_PUBLIC"),
                                              synth.exception(L(14), "DIRECT", "NATURAL_PERSONS")]))
    done, _ = delta_import(homes, first)
    kept = homes[0].gleif_home / "deltas" / "0001-lei2-lei2-delta.csv"
    text = kept.read_bytes()
    with first.lei2.open("w", encoding="utf-8") as handle:  # the user's file written again in place
        handle.write("LEI\n")
    assert kept.read_bytes() == text, "the kept delta is a copy, not a link to the user's file"
    assert done.updated is not None and done.updated.rederived.steps > 0
    facts = quads(homes[0])[FACTS]
    assert facts != before
    joined = "\n".join(facts)
    assert "Found Parent Ltd" in joined and "no level 1 record" not in joined
    assert f"candidateMatch> <https://w3id.org/exportkg/id/org/lei-{L(61).lower()}>" in joined, "a name match"
    assert "GLEIF rr delta 2 file rr-delta.csv line 6" in joined, "a link cites the delta and its line"
    assert f"cycle of consolidating parents ({L(5)} -> {L(16)} -> {L(5)})" in joined
    result = answer(homes[0], L(60))  # its new parent moved to China
    assert (result.license_required, result.review_policy) == (True, "presumption_of_denial")
    assert "Quiet Parent" in next(r.because for r in result.reasons if r.rule == "hq-d5m")
    parties = tmp_path / "parties.csv"  # an import of parties in place between two deltas keeps the records
    parties.write_text(PARTIES, encoding="utf-8")
    assert import_parties(homes[0], parties).updated is not None
    import_parties(homes[1], parties, rebuild=True)
    second = GleifFiles(
        write_delta(tmp_path / "2", "lei2", [synth.entity(L(60), "New In The Delta Ltd (renamed)", "HK"),
                                             synth.entity(L(61), "Quite Different Co., Ltd.", "CN"),
                                             synth.entity(L(14), "Quiet Parent Inc.", "US")]),
        write_delta(tmp_path / "2", "rr", [synth.relationship(L(1), L(2)),
                                           synth.relationship(L(16), L(5), status="INACTIVE")]))
    delta_import(homes, second)
    assert f"candidateMatch> <https://w3id.org/exportkg/id/org/lei-{L(61).lower()}>" not in "\n".join(
        quads(homes[0])[FACTS]), "a name match the revised name no longer makes is gone"
    kept = sorted(p.name for p in (homes[0].gleif_home / "deltas").iterdir())
    assert kept == ["0001-lei2-lei2-delta.csv", "0002-rr-rr-delta.csv", "0003-repex-repex-delta.csv",
                    "0004-lei2-lei2-delta.csv", "0005-rr-rr-delta.csv"]


@pytest.mark.slow
def test_a_bad_delta_changes_nothing_and_an_entity_leaving_the_graph_rebuilds(
        homes: tuple[Settings, Settings], tmp_path: Path) -> None:
    updated = homes[0]
    published = StoreLocation(updated.store_root).resolved()
    kept = sorted(p.name for p in updated.gleif_home.rglob("*"))
    bad = write_delta(tmp_path / "bad", "rr", [synth.relationship(L(60), L(4)), synth.relationship(L(14), L(14))])
    with pytest.raises(DataError, match=r"GLEIF rr delta \d+ file rr-delta.csv:3: the relationship's start and end"):
        import_gleif(updated, GleifFiles(write_delta(tmp_path / "bad", "lei2", []), bad), delta=True)
    assert StoreLocation(updated.store_root).resolved() == published
    assert sorted(p.name for p in updated.gleif_home.rglob("*")) == kept
    annulled = [synth.entity(L(15), "Former Ltd", "JP", status="ANNULLED")]
    gone = GleifFiles(write_delta(tmp_path / "gone", "lei2", annulled))
    assert import_gleif(updated, gone, delta=True).updated is None, "an organization leaving the graph rebuilds"
    assert L(15).lower() not in "\n".join(quads(updated)[FACTS])
