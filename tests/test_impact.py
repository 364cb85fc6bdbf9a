"""Rule-change impact on the curated graph: regimes against regimes, scenarios, incremental = full.

The session's built store is reused: tests that write get a hard-link backup of it in their own home.
Two full builds (one with the regime-level scenarios, one with the scenario that changes facts) hold
the incremental path to the full one.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import build
from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.impact.output import report_text
from exportkg.graph.impact.run import impact
from exportkg.graph.impact.scenario import load
from exportkg.graph.impact.scenario_store import apply, location
from exportkg.graph.impact.sides import shipped
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.queries.catalog import catalog

from helpers import copy_home, http, running_server

pytestmark = pytest.mark.slow  # builds stores of its own

SCENARIOS = Settings().queries_dir / "scenarios"
REGIME_LEVEL = ["pl-ch-tier1", "weights-1e25", "tier2-cap-doubled", "cambodia-out-of-d5"]
FACT_LEVEL = ["tiktok-divested"]


@pytest.fixture(scope="module")
def home(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Every shipped scenario applied incrementally on a copy of the session store."""
    settings = copy_home(built, tmp_path_factory.mktemp("impact"))
    for path in shipped(settings).values():
        apply(settings, load(path))
    return settings


def graph_triples(store_dir: Path, graph: str) -> set[str]:
    store = ox.Store.read_only(str(store_dir))
    try:
        return {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
    finally:
        del store


@pytest.mark.parametrize("names", [REGIME_LEVEL, FACT_LEVEL], ids=["regime-level", "facts"])
def test_incremental_equals_full_build(home: Settings, tmp_path: Path, names: list[str]) -> None:
    full = Settings(home=tmp_path, scenarios=tuple(SCENARIOS / f"{n}.yaml" for n in names),
                    reason_regimes=tuple(f"scenario-{n}" for n in names))  # the graphs compared below
    build(full)
    full_dir = StoreLocation(full.store_root).resolved()
    for name in names:
        graphs = [str(ns.inferred_graph(f"scenario-{name}"))]
        if load(SCENARIOS / f"{name}.yaml").changes_facts:
            graphs.append(str(ns.inferred_graph("common")))
        for graph in graphs:
            incremental = graph_triples(location(home, name).resolved(), graph)
            assert incremental, f"{name}: {graph} is empty"
            assert incremental == graph_triples(full_dir, graph), f"{name}: {graph} differs"


def test_draft_against_final_rule_moves_poland_switzerland_cyprus_and_nicaragua(built: Settings) -> None:
    """Tier 1 lost Poland and Switzerland; the article's own Tier 3 list has Cyprus (out of D:5 since
    2024-05-30) and lacks Nicaragua (in D:5 since 2024-03-15)."""
    report = impact(built, "draft-dec2024", "ifr-jan2025")
    assert [(t["iso"], t["base"], t["against"]) for t in report.tiers] == [("CH", 1, 2), ("CY", 3, 2), ("NI", 2, 3),
                                                                           ("PL", 1, 2)]
    changes = {(d.item, d.iso, d.flag): d for d in report.determinations}
    pl = changes[("3A090.a", "PL", "other")]
    assert pl.change == "license now required" and "LPP" in pl.gained
    assert pl.base.startswith("no license") and "case by case" in pl.against
    assert {"PL", "CH"} <= {p.iso for p in report.parties}
    assert report.by_country()["PL"]["determinations"]


@pytest.mark.parametrize("base, against", [("draft-dec2024", "ifr-jan2025"), ("ifr-jan2025", "nonenforcement-may2025")])
def test_the_sparql_diff_and_the_report_agree(built: Settings, store: KnowledgeStore, base: str, against: str) -> None:
    """The named query impact-determinations (the diff for SPARQL users) and `impact` (the diff across
    stores) are two views of one comparison: they name the same changed determinations."""
    rows = store.query(catalog(built.queries_dir).named["impact-determinations"].render({"base": base,
                                                                                          "against": against}))
    in_sparql = {(str(r.item), str(r.iso), str(r.flag)) for r in rows}
    in_report = {(d.item, d.iso, d.flag) for d in impact(built, base, against).determinations
                 if not d.item.startswith("chip:")}
    assert in_sparql and in_sparql == in_report


def test_final_rule_against_nonenforcement_lifts_the_machinery_keeps_hq_d5m(built: Settings) -> None:
    report = impact(built, "ifr-jan2025", "nonenforcement-may2025")
    assert report.ledgers and all(x["base"] and x["against"] is None for x in report.ledgers)
    assert report.tiers and all(t["against"] is None for t in report.tiers)
    lost = {a for d in report.determinations for a in d.lost}
    assert {"AIA", "LPP", "ACM"} <= lost
    assert not any(d.gained for d in report.determinations if d.flag == "d5m")
    d5m = [d for d in report.determinations if d.flag == "d5m" and d.item.startswith("3A090")]
    assert not d5m, f"the HQ-D5M presumption of denial should be kept: {d5m[:3]}"


def test_weights_1e25_flips_exactly_the_closed_models_between_1e25_and_1e26(home: Settings,
                                                                             store: KnowledgeStore) -> None:
    report = impact(home, "ifr-jan2025", "weights-1e25")
    flipped = {m["model"] for m in report.models}
    expected = {str(r.m) for r in store.query(
        ns.sparql_prefixes() + "SELECT ?m WHERE { ?m a ekg:AIModel ; ekg:weightsAccess ekg:ClosedWeights ;"
        " ekg:trainingCompute ?ops . FILTER (?ops >= 1e25 && ?ops < 1e26) }")}
    assert expected and flipped == expected
    assert all(m["weights"] == "ClosedWeights" and (m["base"], m["against"]) == ("not controlled", "4E091")
               for m in report.models)
    assert not report.determinations and not report.tiers


def test_scenarios_report_their_own_changes(home: Settings) -> None:
    pl = impact(home, "ifr-jan2025", "pl-ch-tier1")
    assert {(t["iso"], t["against"]) for t in pl.tiers} == {("PL", 1), ("CH", 1)}
    assert {x["iso"] for x in pl.ledgers} == {"PL", "CH"}
    kh = impact(home, "ifr-jan2025", "cambodia-out-of-d5")
    assert [(t["iso"], t["base"], t["against"]) for t in kh.tiers] == [("KH", 3, 2)]
    assert {d.iso for d in kh.determinations} == {"KH"}
    cap = impact(home, "ifr-jan2025", "tier2-cap-doubled")
    assert cap.ledgers and all(x["against"]["cap_h100e"] == 2 * x["base"]["cap_h100e"] for x in cap.ledgers)
    divest = impact(home, "ifr-jan2025", "tiktok-divested")
    assert [(p.party.rsplit("/", 1)[1], p.flag_base, p.flag_against) for p in divest.parties] == [
        ("tiktok-pte-ltd", "d5m", "other")]
    assert not divest.determinations
    text = report_text(divest)  # in words: the country named, the flag spelled out, no "SG: ; 1 parties"
    assert "Singapore (SG): no determination changes; 1 party affected" in text
    assert "headquartered, or ultimate parent, in D:5 or Macau -> headquarters neither in Tier 1" in text
    assert not re.search(r"\b(d5m|t1one|None)\b", text), text
    listed = impact(home, "h200-jan2026", "deepseek-entity-list")
    assert [(x["party"], x["change"], x["list"]) for x in listed.listings] == [("deepseek", "now reached", "EL")]
    assert not listed.determinations and not listed.tiers  # no rule's inferences change


def test_a_delisting_scenario_reports_every_party_the_entries_reached(home: Settings, tmp_path: Path) -> None:
    path = tmp_path / "huawei-delisted.yaml"
    path.write_text("name: huawei-delisted\nbase: h200-jan2026\ntitle: Huawei off the Entity List\nchanges:\n"
                    "  - {list: EL, remove: [huawei]}\n", encoding="utf-8")
    report = impact(home, "h200-jan2026", str(path))
    released = {(x["party"], x["change"]) for x in report.listings}
    assert released == {("huawei", "no longer reached"), ("huawei-malaysia", "no longer reached")}
    assert len(report.listings) == 4  # two Huawei entries, each reaching Huawei and its Malaysian stake


def test_cli_formats_and_timeline(home: Settings, runner) -> None:  # type: ignore[no-untyped-def]
    args = ["--home", str(home.home), "impact", "--base", "ifr-jan2025", "--against"]
    result = runner.invoke(main, [*args, str(SCENARIOS / "pl-ch-tier1.yaml")])
    assert result.exit_code == 0, result.output
    assert "PL Poland: Tier 2 -> Tier 1" in result.output
    data = json.loads(runner.invoke(main, [*args, "pl-ch-tier1", "--format", "json"]).output)
    assert data["counts"]["tiers"] == 2 and data["against"] == "scenario-pl-ch-tier1"
    # companies.csv knows no headquarters for these: their `other` flag is a default, and the report says so
    unknown = {p["party"].rsplit("/", 1)[1] for p in data["parties"] if not p["hq_known"]}
    assert {"agh", "eth-domain", "agh-cyfronet-athena"} <= unknown
    assert "AGH University of Krakow (headquarters neither in Tier 1 nor in D:5 or Macau; a headquarters on its " \
           "chain of control is unknown" in result.output
    csv_out = runner.invoke(main, [*args, "pl-ch-tier1", "--format", "csv"]).output
    assert csv_out.startswith("section,key,label,country,country_name,parties")
    assert "\ntier,PL,Poland,PL,Poland" in csv_out
    tl = json.loads(runner.invoke(main, ["--home", str(home.home), "impact", "--timeline", "PL",
                                         "--format", "json"]).output)
    dates = [r["date"] for r in tl["rows"]]
    tiers = {r["regime"]: r["tier"] for r in tl["rows"]}
    assert dates == sorted(dates) and dates[0] == "2022-10-07"
    assert "draft-dec2024" not in tiers  # a draft was never the law
    assert tiers["oct2023"] is None and tiers["law-2025-01-13"] == 2
    party = runner.invoke(main, ["--home", str(home.home), "impact", "--timeline", "tiktok-pte-ltd"])
    assert party.exit_code == 0 and "headquartered, or ultimate parent, in D:5 or Macau" in party.output
    assert "d5m" not in party.output and "None" not in party.output


@pytest.mark.parametrize(("line", "text", "reason"), [
    (2, "base: no-such-regime\n", "unknown regime 'no-such-regime'"),
    (5, "  - {tier: 1, countries: [PL, XX]}\n", "unknown country 'XX'"),
    (5, "  - {parameter: no_such_threshold, value: 3}\n", "unknown parameter 'no_such_threshold'"),
    (5, "  - {list: XX, add: [deepseek]}\n", "list: expected one of EL, MEU, DPL, UVL"),
    (5, "  - {list: EL, remove: [deepseek]}\n", "remove: deepseek is on no EL entry"),
    (5, "  - {list: EL, add: [no-such-org]}\n", "add: unknown organization 'no-such-org'"),
])
def test_bad_scenario_fails_with_file_line_and_reason(home: Settings, tmp_path: Path, runner,  # type: ignore[no-untyped-def]
                                                      line: int, text: str, reason: str) -> None:
    lines = ["name: bad\n", "base: ifr-jan2025\n", "title: bad\n", "changes:\n", "  - {tier: 1, countries: [PL]}\n"]
    lines[line - 1] = text
    path = tmp_path / "bad.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        impact(home, "ifr-jan2025", str(path))
    assert f"{path}:{line}: " in str(caught.value) and reason in str(caught.value)
    result = runner.invoke(main, ["--home", str(home.home), "impact", "--base", "ifr-jan2025", "--against", str(path)])
    assert result.exit_code != 0 and reason in result.output
    assert not location(home, "bad").exists()


def test_api_impact_over_http(live_server: str) -> None:
    reply = http(live_server, path="/api/impact", params=[("base", "draft-dec2024"), ("against", "ifr-jan2025")])
    assert reply.status == 200 and reply.header("content-type").startswith("application/json")
    data = json.loads(reply.text)
    assert [t["iso"] for t in data["tiers"]] == ["CH", "CY", "NI", "PL"] and data["counts"]["parties"] > 0
    bad = http(live_server, path="/api/impact", params=[("base", "ifr-jan2025"), ("against", "/etc/passwd")])
    assert bad.status == 400 and "error" in json.loads(bad.text)


def test_impact_page_over_http(built: Settings, tmp_path: Path) -> None:
    """The page of a shipped scenario, derived on first use into a copy of the session's home (the
    derivation writes home/scenarios/; the query timeout is this test's margin, not its subject)."""
    with running_server(copy_home(built, tmp_path / "home"), "--query-timeout", "120") as base:
        page = http(base, path="/impact", params=[("base", "ifr-jan2025"), ("against", "pl-ch-tier1")],
                    timeout=180)
        assert page.status == 200 and "text/html" in page.header("content-type")
        assert "Poland (PL)" in page.text and "scenario-pl-ch-tier1" in page.text
        assert not re.search(r">(d5m|t1one|t1|other|None)<", page.text)
        evil = http(base, path="/impact", params=[("base", "<script>x</script>"), ("against", "ifr-jan2025")])
        assert evil.status == 400 and "<script>x" not in evil.text and "&lt;script&gt;" in evil.text


#: tier and group moves: shipped ones, and two more that reach groups with data centers (AE, SG) and
#: a country another is treated as (Hong Kong as China)
MOVES = {"pl-ch-tier1": None, "cambodia-out-of-d5": None,
         "ae-sg-tier1": "changes:\n  - {tier: 1, countries: [AE, SG]}\n",
         "cn-out-of-d5": 'changes:\n  - {group: "D:5", remove: [CN]}\n'}


def move_file(name: str, folder: Path) -> Path:
    if MOVES[name] is None:
        return SCENARIOS / f"{name}.yaml"
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nbase: ifr-jan2025\ntitle: {name}\n{MOVES[name]}", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(MOVES))
def test_a_move_is_reported_from_what_it_reaches_as_from_both_whole_graphs(built: Settings, tmp_path: Path,
                                                                            name: str) -> None:
    """The report made before the scenario's graph is completed (from the reached keys only) is the
    report of the two complete graphs compared in full."""
    from exportkg.graph.impact.compare import compare
    from exportkg.graph.impact.scenario_store import open_store
    from exportkg.graph.impact.sides import mark_unknown_hq
    from exportkg.graph.impact.snapshot import take

    settings = copy_home(built, tmp_path / "home")
    early: list[dict] = []
    impact(settings, "ifr-jan2025", str(move_file(name, tmp_path)), on_report=lambda r: early.append(r.as_json()))
    main, scenario = KnowledgeStore.open_read_only(StoreLocation(settings.store_root)), open_store(settings, name)
    try:
        whole = compare(take(main, settings, "ifr-jan2025"), take(scenario, settings, f"scenario-{name}"))
        mark_unknown_hq(scenario, settings, whole)  # as every report is marked
    finally:
        main.close()
        scenario.close()
    assert whole.tiers and whole.determinations  # (Cambodia has no party of the graph)
    assert early == [whole.as_json()]


def test_a_move_recomputes_only_what_it_reaches(built: Settings, tmp_path: Path) -> None:
    from exportkg.graph.impact.scenario_store import prepare

    settings = copy_home(built, tmp_path / "home")
    pending = prepare(settings, load(SCENARIOS / "pl-ch-tier1.yaml"))
    graph = ns.inferred_graph("scenario-pl-ch-tier1")
    reach = pending.derivation.reach  # type: ignore[union-attr]
    assert reach.isos() == {"PL", "CH"}
    assert all("/PL" in p or "/CH" in p for p in reach.profiles)
    assert {g.rsplit("/", 1)[1] for g in reach.groups} == {"agh", "eth-domain"}  # their compute is there
    reached = pending.store.graph_size(graph)
    pending.finish()
    store = KnowledgeStore.open_read_only(location(settings, "pl-ch-tier1"))
    try:
        complete = store.graph_size(graph)
    finally:
        store.close()
    assert reached < complete / 5, (reached, complete)


def test_the_web_service_answers_before_the_scenario_store_is_completed(built: Settings, tmp_path: Path) -> None:
    """The report comes first; the prepared store is handed over, completed by one thread, published;
    a second store of a scenario already waiting to be completed is dropped, not queued."""
    import time

    from exportkg.graph.impact.scenario_store import derived, prepare
    from exportkg.server.completions import Completions

    settings = copy_home(built, tmp_path / "home")
    handed: list = []
    report = impact(settings, "ifr-jan2025", "pl-ch-tier1", complete=handed.append)
    assert [t["iso"] for t in report.as_json()["tiers"]] == ["CH", "PL"]
    assert len(handed) == 1 and derived(settings, "pl-ch-tier1") is None  # answered, nothing published yet
    second = prepare(settings, load(SCENARIOS / "pl-ch-tier1.yaml"))
    completions = Completions()
    try:
        completions.submit(handed[0])
        completions.submit(second)
        assert not second.build_dir.exists()
        deadline = time.monotonic() + 120
        while completions.busy("pl-ch-tier1") and time.monotonic() < deadline:
            time.sleep(0.1)
        record = derived(settings, "pl-ch-tier1")
        assert record is not None and record.reached_countries == 2
        assert location(settings, "pl-ch-tier1").resolved() == handed[0].build_dir
    finally:
        completions.close()
    again: list = []
    impact(settings, "ifr-jan2025", "pl-ch-tier1", complete=again.append)
    assert again == []  # the completed store is current: read, not derived again


def test_a_pending_scenario_is_derived_once_however_often_it_is_asked_for(built: Settings, tmp_path: Path) -> None:
    """While the web service completes a scenario store, asking again answers from the report already
    made: the scenario is not derived a second time (one build directory, however often it is asked)."""
    from exportkg.server.app import create_app

    settings = copy_home(built, tmp_path / "home")
    app = create_app(settings)
    client = app.test_client()
    url = "/api/impact?base=ifr-jan2025&against=pl-ch-tier1"
    completions = app.extensions["exportkg"].completions()
    try:
        first, second = client.get(url), client.get(url)
        derived_into = [p for p in location(settings, "pl-ch-tier1").builds.glob("build-*") if p.is_dir()]
        assert completions.busy("pl-ch-tier1")  # a run of the rules: seconds, far longer than two requests
        page = client.get(url.replace("/api/impact", "/impact")).get_data(as_text=True)
        assert 'id="completing"' in page or not completions.busy("pl-ch-tier1")  # says so while it is true
        deadline = time.monotonic() + 120
        while completions.busy("pl-ch-tier1") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 'id="completing"' not in client.get(url.replace("/api/impact", "/impact")).get_data(as_text=True)
    finally:
        app.extensions["exportkg"].close()
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert [t["iso"] for t in first.get_json()["tiers"]] == ["CH", "PL"]
    assert len(derived_into) == 1, derived_into


def test_cli_report_only_leaves_no_scenario_store(built: Settings, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from exportkg.graph.impact.scenario_store import derived

    settings = copy_home(built, tmp_path / "home")
    result = runner.invoke(main, ["--home", str(settings.home), "impact", "--base", "ifr-jan2025",
                                  "--against", "pl-ch-tier1", "--report-only", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [t["iso"] for t in json.loads(result.output)["tiers"]] == ["CH", "PL"]
    assert derived(settings, "pl-ch-tier1") is None
    assert not any(location(settings, "pl-ch-tier1").builds.glob("build-*"))
