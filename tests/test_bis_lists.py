"""The BIS lists as listed parties: the shipped snapshot, trade.gov's forms, imports, links, candidates.

Fast tier: the loaders run in memory (no rules, no on-disk store); the one test that imports through a
full build is marked slow.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib.namespace import DCTERMS, RDF

from exportkg.graph import namespaces as ns
from exportkg.graph.answers.listed import listed_entries
from exportkg.graph.build.lists_import import compare, import_lists
from exportkg.graph.build.pipeline import LOADERS, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders import bis_lists, csl, list_removals, listed_links
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.namespaces import EKG
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

SHIPPED = Settings()
SNAPSHOT = SHIPPED.data_dir / bis_lists.SNAPSHOT
TRADE_GOV_HEADER = ("_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,"
                    "end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,"
                    "gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,"
                    "dates_of_birth,nationalities,places_of_birth,source_information_url,ids").split(",")


def _context(settings: Settings, *, upto: object = None) -> LoadContext:
    """Every loader in build order, in memory, up to and including `upto` (default: all)."""
    ctx = LoadContext(settings)
    for _name, loader in LOADERS:
        loader(ctx)
        ctx.raise_problems()
        if loader is upto:
            break
    return ctx


def _facts_store(settings: Settings) -> KnowledgeStore:
    """The loaders' facts and the ontology in an in-memory store: enough for the list queries."""
    store = KnowledgeStore.in_memory()
    store.load_graph(ontology_graph(settings), ns.ONTOLOGY_GRAPH)
    store.load_graph(_context(settings).facts, ns.FACTS_GRAPH)
    return store


@pytest.fixture(scope="module")
def shipped_ctx(tmp_path_factory: pytest.TempPathFactory) -> LoadContext:
    return _context(SHIPPED.with_(home=tmp_path_factory.mktemp("home")))


def _snapshot_rows() -> list[dict[str, str]]:
    with SNAPSHOT.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _trade_gov_record(index: int, row: dict[str, str]) -> dict[str, object]:
    """A snapshot row as trade.gov publishes it: one address per country, alternate names as a list."""
    countries = [c.strip() for c in row["countries"].split(";") if c.strip()]
    return {"id": f"r{index}", "source": row["source"], "entity_number": row["entity_number"] or None,
            "type": row["type"] or None, "programs": [], "name": row["name"],
            "addresses": [{"address": "street", "city": None, "country": c} for c in countries],
            "federal_register_notice": row["federal_register_notice"] or None,
            "start_date": None, "end_date": None, "license_requirement": row["license_requirement"] or None,
            "license_policy": row["license_policy"] or None, "source_list_url": row["source_list_url"],
            "alt_names": [a.strip() for a in row["alt_names"].split(";") if a.strip()]}


def _write_trade_gov_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TRADE_GOV_HEADER)
        writer.writeheader()
        for index, row in enumerate(rows):
            record = _trade_gov_record(index, row)
            writer.writerow({
                "_id": record["id"], "source": row["source"], "entity_number": row["entity_number"],
                "type": row["type"], "name": row["name"],
                "addresses": "; ".join(f"street, city, {c}" for c in row["countries"].split(";") if c.strip()),
                "federal_register_notice": row["federal_register_notice"],
                "license_requirement": row["license_requirement"], "license_policy": row["license_policy"],
                "source_list_url": row["source_list_url"], "alt_names": row["alt_names"],
                "start_date": row.get("start_date", ""), "end_date": row.get("end_date", "")})


def _list_triples(ctx: LoadContext) -> set[tuple[object, object, object]]:
    """The entries' triples, without the source (each file is a source of its own) and the links."""
    entries = set(ctx.facts.subjects(RDF.type, EKG.ListEntry))
    left_out = {DCTERMS.source, EKG.designates, EKG.candidateMatch}
    return {t for t in ctx.facts if t[0] in entries and t[1] not in left_out}


def test_shipped_snapshot_counts_per_list(shipped_ctx: LoadContext) -> None:
    per_list = Counter(shipped_ctx.facts.objects(None, EKG.onList))
    # graph/data/ear/README.md: Entity List 3,420, Denied Persons 1,596, Unverified 222, Military End User 70
    assert per_list == {EKG.EntityList: 3420, EKG.DeniedPersonsList: 1596, EKG.UnverifiedList: 222,
                        EKG.MilitaryEndUserList: 70}


def test_entries_keep_text_parse_and_source(shipped_ctx: LoadContext) -> None:
    g = shipped_ctx.facts
    biren = ns.ID["listed/entity-list/5dcbfd3d0ad6b288"]
    assert str(g.value(biren, ns.RDFS.label)) == "Shanghai Biren Intelligent Technology Co., Ltd."
    assert g.value(biren, EKG.entryReviewPolicy) == EKG.PresumptionOfDenial
    assert str(g.value(biren, EKG.requirementScope)) == "all_items"
    assert str(g.value(biren, EKG.listingNotice)) == "88 FR 71992"
    assert {str(n) for n in g.objects(biren, EKG.federalRegisterNotice)} == {"88 FR 71992", "89 FR 25505"}
    assert g.value(biren, EKG.entryCountry) == ns.country("CN")
    assert g.value(biren, DCTERMS.source) == ns.source(bis_lists.SNAPSHOT_SOURCE)
    assert g.value(biren, EKG.confidence) == EKG.Primary
    # no date in the snapshot: unknown, never invented; a curated date (listing_dates.csv) has its own source
    inspur = ns.ID["listed/entity-list/f6390377ed1f691f"]
    assert g.value(inspur, EKG.listingDate) is None
    assert "listingDate" in {str(v) for v in g.objects(inspur, EKG.valueUnknown)}
    assert str(g.value(biren, EKG.listingDate)) == "2023-10-17"
    assert g.value(biren, EKG.listingDateSource) == ns.source("r-thompsonhine-2023-10-biren")
    assert "listingDate" not in {str(v) for v in g.objects(biren, EKG.valueUnknown)}


def test_mixed_policy_keeps_the_policy_for_all_other_items(shipped_ctx: LoadContext) -> None:
    sensetime = ns.ID["listed/entity-list/4d0ce6d8656d6a53"]
    g = shipped_ctx.facts
    assert str(g.value(sensetime, EKG.policyCode)) == "mixed"
    assert g.value(sensetime, EKG.entryReviewPolicy) is None
    assert g.value(sensetime, EKG.otherItemsReviewPolicy) == EKG.PresumptionOfDenial
    assert "1A004.c" in {str(e) for e in g.objects(sensetime, EKG.policyEccn)}
    assert {int(f) for f in g.objects(sensetime, EKG.fdpFootnote)} == {4}


def test_trade_gov_csv_and_json_give_the_same_graph(shipped_ctx: LoadContext, tmp_path: Path) -> None:
    rows = _snapshot_rows()
    csv_path = tmp_path / "consolidated.csv"
    _write_trade_gov_csv(csv_path, rows)
    json_path = tmp_path / "consolidated.json"
    json_path.write_text(json.dumps({"results": [_trade_gov_record(i, r) for i, r in enumerate(rows)]}),
                         encoding="utf-8")
    expected = _list_triples(shipped_ctx)
    for path in (csv_path, json_path):
        ctx = _context(SHIPPED.with_(home=tmp_path / "home", lists_override=path))
        assert _list_triples(ctx) == expected, path.name


def test_wrong_columns_fail_at_line_one(tmp_path: Path) -> None:
    bad = tmp_path / "lists.csv"
    bad.write_text("source,name,whatever\nEntity List (EL) - Bureau of Industry and Security,X,1\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        csl.read(bad)
    assert str(exc.value.problems[0]).startswith("lists.csv:1: missing column(s)")


def test_broken_encoding_fails_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "lists.csv"
    data = SNAPSHOT.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"KATSUTA", b"KATSUTA \xff\xfe")
    bad.write_bytes(b"\n".join(data))
    with pytest.raises(DataError) as exc:
        csl.read(bad)
    assert str(exc.value.problems[0]).startswith("lists.csv:4:")
    bad_json = tmp_path / "lists.json"
    bad_json.write_bytes(b'{"results": [\n{"name": "A \xff"}]}')
    with pytest.raises(DataError) as exc:
        csl.read(bad_json)
    assert str(exc.value.problems[0]).startswith("lists.json:2: not UTF-8")


def test_duplicate_entry_fails_with_both_lines(tmp_path: Path) -> None:
    bad = tmp_path / "lists.csv"
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join(lines[:3] + [lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        csl.read(bad)
    assert str(exc.value.problems[0]) == ("lists.csv:4: duplicate entry 'KAL TEK LABS' on 'Denied Persons List (DPL) "
                                          "- Bureau of Industry and Security' (first at line 3)")


def test_a_bad_import_changes_nothing(tmp_path: Path) -> None:
    """The file is checked before anything is staged: the last list file stays, no store is written."""
    settings = SHIPPED.with_(home=tmp_path / "home")
    imports = settings.home / "imports"
    imports.mkdir(parents=True)
    last = imports / "lists.csv"
    shutil.copyfile(SNAPSHOT, last)
    before = last.read_bytes()
    bad = tmp_path / "new.csv"
    bad.write_text("name\nX\n", encoding="utf-8")
    with pytest.raises(DataError, match="new.csv:1: missing column"):
        import_lists(settings, bad)
    assert last.read_bytes() == before
    assert sorted(p.name for p in imports.iterdir()) == ["lists.csv"]
    assert not settings.store_root.exists()


def test_report_counts_added_changed_removed_per_list(tmp_path: Path) -> None:
    old = csl.read(SNAPSHOT)
    rows = _snapshot_rows()
    el = [i for i, r in enumerate(rows) if r["name"] == "Peng Cheng Laboratory"][0]
    rows[el]["license_policy"] = "Case-by-case review."
    removed = [i for i, r in enumerate(rows) if r["name"] == "IFLYTEK"][0]
    rows.pop(removed)
    rows.append(dict(rows[0], name="A NEW DENIED PERSON", federal_register_notice="91 FR 1"))
    path = tmp_path / "new.csv"
    _write_trade_gov_csv(path, rows)
    report = compare(old, csl.read(path))
    el_changes = report.lists["Entity List (EL) - Bureau of Industry and Security"]
    dpl_changes = report.lists["Denied Persons List (DPL) - Bureau of Industry and Security"]
    assert (el_changes.added, el_changes.changed, el_changes.removed) == (0, 1, 1)
    assert (dpl_changes.added, dpl_changes.changed, dpl_changes.removed) == (1, 0, 0)
    assert el_changes.total == 3419


def test_curated_links_resolve(shipped_ctx: LoadContext) -> None:
    with (SHIPPED.data_dir / listed_links.FILE).open(encoding="utf-8", newline="") as handle:
        links = list(csv.DictReader(handle))
    with (SHIPPED.data_dir / "companies.csv").open(encoding="utf-8", newline="") as handle:
        orgs = {r["id"] for r in csv.DictReader(handle)}
    assert links
    for link in links:
        entry = ns.ID[f"listed/{link['entry']}"]
        assert (entry, RDF.type, EKG.ListEntry) in shipped_ctx.facts, link["entry"]
        assert link["org"] in orgs, link["org"]
        assert (entry, EKG.designates, ns.org(link["org"])) in shipped_ctx.facts
    assert not [w for w in shipped_ctx.warnings if listed_links.FILE in w]


def test_candidates_are_never_used_by_listed_entries(shipped_ctx: LoadContext) -> None:
    """SenseTime's group is only a candidate of the Beijing SenseTime entry: no listed entry for it."""
    g = shipped_ctx.facts
    sensetime = ns.org("sensetime")
    assert (ns.ID["listed/entity-list/4d0ce6d8656d6a53"], EKG.candidateMatch, sensetime) in g
    store = KnowledgeStore.in_memory()
    store.load_graph(ontology_graph(SHIPPED), ns.ONTOLOGY_GRAPH)
    store.load_graph(g, ns.FACTS_GRAPH)
    assert listed_entries(store, SHIPPED, str(sensetime), "2026-07-31") == []
    beijing = listed_entries(store, SHIPPED, str(ns.org("beijing-sensetime")), "2026-07-31")
    assert [(e.name, e.listing_date.isoformat()) for e in beijing] == [
        ("Beijing Sensetime Technology Development Co., Ltd.", "2019-10-09")]
    huawei = listed_entries(store, SHIPPED, str(ns.org("huawei")), "2026-07-31")
    assert {e.listing_notice for e in huawei} == {"84 FR 22963"}
    assert {e.policy for e in huawei} == {"presumption_of_denial"}
    assert all(e.list_code == "EL" and e.drives_determinations for e in huawei)


def test_an_entry_applies_from_its_start_date_until_its_removal(tmp_path: Path) -> None:
    """trade.gov's start and end dates bound an entry: before its start and from its end (a removal, a
    denial order's expiry) it names nobody; a party the researcher screened links to it by key."""
    removed = {"source": "Entity List (EL) - Bureau of Industry and Security", "entity_number": "test-removed-1",
               "type": "Entity", "name": "Removed Example Trading LLC", "alt_names": "", "countries": "AE",
               "federal_register_notice": "89 FR 1", "license_requirement": "For all items subject to the EAR.",
               "license_policy": "Presumption of denial.", "source_list_url": "https://www.bis.gov/",
               "start_date": "2024-03-01", "end_date": "2025-06-15"}
    lists = tmp_path / "consolidated.csv"
    _write_trade_gov_csv(lists, [*_snapshot_rows(), removed])
    parties = tmp_path / "parties.csv"
    parties.write_text("id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source,list_entries\n"
                       "rex,Removed Example Trading,company,AE,AE,,,,,screened by hand,entity-list/test-removed-1\n",
                       encoding="utf-8")
    settings = SHIPPED.with_(home=tmp_path / "home", lists_override=lists, imports_override=parties)
    store = _facts_store(settings)
    party = str(ns.org("rex"))
    assert listed_entries(store, settings, party, "2024-02-29") == []
    assert [e.name for e in listed_entries(store, settings, party, "2024-03-01")] == ["Removed Example Trading LLC"]
    assert [e.policy for e in listed_entries(store, settings, party, "2025-06-14")] == ["presumption_of_denial"]
    assert listed_entries(store, settings, party, "2025-06-15") == []


def test_an_entry_a_newer_file_lacks_stays_for_the_days_it_was_listed(tmp_path: Path) -> None:
    """A newer CSL without one Huawei entry: the entry is kept as history (listed up to the snapshot's
    day, unknown until the import that found it gone, not listed after), never silently erased."""
    from exportkg.graph.answers.end_user import _listed_on

    old = csl.read(SNAPSHOT)
    gone = next(r for r in old if r.key == "03c3b3536e313efd")
    rows = [r for i, r in enumerate(_snapshot_rows(), start=2) if i != gone.line]
    newer = tmp_path / "consolidated.csv"
    _write_trade_gov_csv(newer, rows)
    record = list_removals.removed_since([], old, csl.read(newer), "2026-07-31", "2026-09-01")
    assert [(r.key, a, b) for r, a, b in record] == [("03c3b3536e313efd", "2026-07-31", "2026-09-01")]
    removed = tmp_path / "lists-removed.csv"
    list_removals.write(removed, record)
    settings = SHIPPED.with_(home=tmp_path / "home", lists_override=newer, removals_override=removed)
    store = _facts_store(settings)
    huawei = str(ns.org("huawei"))

    def entries(day: str) -> dict[str, object]:
        return {e.entry.rsplit("/", 1)[1]: e for e in listed_entries(store, settings, huawei, day)}

    assert set(entries("2026-07-01")) == {"03c3b3536e313efd", "9add0874cad899d3"}
    assert _listed_on(entries("2026-07-01")["03c3b3536e313efd"], "2026-07-01") is True  # type: ignore[arg-type]
    between = entries("2026-08-15")["03c3b3536e313efd"]
    assert _listed_on(between, "2026-08-15") is None  # type: ignore[arg-type]
    assert set(entries("2026-09-01")) == {"9add0874cad899d3"}
    # listed again in a later file: the current entry speaks, the record drops it
    again = list_removals.removed_since(record, csl.read(newer), old, "2026-09-01", "2026-10-01")
    assert again == []


def test_an_import_naming_a_missing_entry_fails_at_its_line(tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text("id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source,list_entries\n"
                       "rex,Example,company,AE,AE,,,,,by hand,entity-list/0000000000000000\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        _context(SHIPPED.with_(home=tmp_path / "home", imports_override=parties))
    assert any(p.file == "parties.csv" and p.row == 2 and "entity-list/0000000000000000" in p.reason
               for p in exc.value.problems), exc.value.problems


@pytest.mark.slow
def test_import_builds_reports_and_publishes(tmp_path: Path) -> None:
    settings = SHIPPED.with_(home=tmp_path / "home", reason_regimes=("ifr-jan2025",))  # the lists, not the law
    rows = _snapshot_rows()
    path = tmp_path / "consolidated.json"
    kept = [r for r in rows if r["name"] != "KAL TEK LABS"]  # a name the list holds once: its key is stable
    path.write_text(json.dumps({"results": [_trade_gov_record(i, r) for i, r in enumerate(kept)]}),
                    encoding="utf-8")
    report = import_lists(settings, path)
    dpl = report.lists["Denied Persons List (DPL) - Bureau of Industry and Security"]
    assert (dpl.added, dpl.changed, dpl.removed) == (0, 0, 1)
    assert all(c.added == c.changed == c.removed == 0 for name, c in report.lists.items() if "DPL" not in name)
    assert (settings.home / "imports" / "lists.json").exists()
    assert settings.lists_file == settings.home / "imports" / "lists.json"
    record = list_removals.read(settings.list_removals_file)
    assert [(r.name, a) for r, a, _b in record] == [("KAL TEK LABS", bis_lists.SNAPSHOT_DATE)]
    assert not list((settings.home / "imports").glob("*.staged.*"))
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        rows = list(kg.query(f"SELECT ?d WHERE {{ ?e <{EKG.entryKey}> ?k ; <{EKG.lastListedOn}> ?d ; "
                             f"<{ns.RDFS.label}> \"KAL TEK LABS\" }}"))
        assert [str(r[0]) for r in rows] == [bis_lists.SNAPSHOT_DATE]
    finally:
        kg.close()
