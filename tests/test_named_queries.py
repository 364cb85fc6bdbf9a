"""Every named query runs on the built graph and returns rows; some answers checked against sources."""

from __future__ import annotations

import pytest

from exportkg.graph.config import Settings
from exportkg.graph.errors import QueryError
from exportkg.graph.store.named import check_entities
from exportkg.queries.catalog import catalog, load_catalog, parse

SETTINGS = Settings()
CATALOG = load_catalog(SETTINGS.queries_dir)


def run(store, name: str, **params: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    result = store.query(CATALOG[name].render(params))
    names = [str(v) for v in result.vars]
    return [{n: (None if r[i] is None else str(r[i])) for i, n in enumerate(names)} for r in result]


def test_there_are_at_least_fifteen_named_queries() -> None:
    assert len(CATALOG) >= 15


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_named_query_has_header_and_returns_rows(store, name: str) -> None:  # type: ignore[no-untyped-def]
    query = CATALOG[name]
    assert query.meta.get("title") and query.meta.get("description"), f"{name}: header incomplete"
    assert query.meta.get("citation"), f"{name}: no citation"
    assert run(store, name), f"{name} returned no rows"


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_default_entities_exist_and_unknown_ones_are_named(store, name: str) -> None:  # type: ignore[no-untyped-def]
    """Each default entity parameter names a thing the graph holds; a well-formed id it does not hold is
    an error naming the parameter and the value, not a quiet empty table."""
    query = CATALOG[name]
    check_entities(store, SETTINGS, query, {})
    for param, _value, _iri in query.entities():
        bogus = {"country": "XQ", "group": "A:9"}.get(query.params[[p.name for p in query.params].index(param)].kind,
                                                         "no-such-thing")
        with pytest.raises(QueryError) as caught:
            check_entities(store, SETTINGS, query, {param: bogus})
        assert f"parameter {param}: no " in str(caught.value) and repr(bogus) in str(caught.value)


HEADER_KEYS = {"name", "title", "description", "citation", "confidence", "regimes", "reach", "evaluation"}


def test_headers_have_only_known_keys_and_continued_lines_stay_in_their_key() -> None:
    """An indented header line continues the key above it: `#   threshold: candidates ...` once became a
    key of its own and the gallery cut the description at "at or above the"."""
    queries = catalog(SETTINGS.queries_dir)
    for query in [*queries.named.values(), *queries.system.values(), *queries.rules.values()]:
        assert set(query.meta) <= HEADER_KEYS, f"{query.path.name}: {set(query.meta) - HEADER_KEYS}"
    assert CATALOG["closed-models-above"].description.endswith("the seed guessed 1e25).")


def test_draft_and_final_rule_differ_by_four_countries(store) -> None:  # type: ignore[no-untyped-def]
    rows = run(store, "tier-differences", a="draft-dec2024", b="ifr-jan2025")
    assert {(r["code"], r["tierA"], r["tierB"]) for r in rows} == {("PL", "1", "2"), ("CH", "1", "2"), ("CY", "3", "2"),
                                                                 ("NI", "2", "3")}


def test_nato_members_outside_tier1(store) -> None:  # type: ignore[no-untyped-def]
    rows = run(store, "nato-outside-tier1", regime="ifr-jan2025")
    codes = {r["code"] for r in rows}
    # 32 members less the 13 in Tier 1 (BE CA DK FI FR DE IT NL NO ES SE GB US)
    assert codes == {"AL", "BG", "HR", "CZ", "EE", "GR", "HU", "IS", "LV", "LT", "LU", "ME",
                     "MK", "PL", "PT", "RO", "SK", "SI", "TR"}
    assert {r["tier"] for r in rows} == {"2"}


def test_group_members_on_a_date_follow_validity(store) -> None:  # type: ignore[no-untyped-def]
    before = {r["code"] for r in run(store, "group-members-on", group="D:5", date="2024-01-01")}
    after = {r["code"] for r in run(store, "group-members-on", group="D:5", date="2026-06-01")}
    assert "NI" not in before and "NI" in after
    assert "KH" in before and "KH" not in after


def test_chips_by_eccn_classifies_known_chips(store) -> None:  # type: ignore[no-untyped-def]
    rows = {r["chip"]: r["eccn"] for r in run(store, "chips-by-eccn", regime="ifr-jan2025")}
    assert rows["NVIDIA H100 SXM5 80GB"] == "3A090.a"
    assert rows["NVIDIA HGX H20"] == "not controlled"


def test_parameters_cannot_inject_sparql() -> None:
    with pytest.raises(QueryError):
        CATALOG["regime-tiers"].render({"regime": "x> } ; DROP ALL ; #"})
    with pytest.raises(QueryError):
        CATALOG["models-above-threshold"].render({"threshold": "1e24) || true || (1"})
    with pytest.raises(QueryError):
        CATALOG["regime-tiers"].render({"nope": "1"})


def test_header_parse(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.rq"
    path.write_text("# name: q\n# title: T\n# description: first\n#   second\n"
                    "# param: when date 2025-01-01 -- a day\nSELECT * { ?s ?p $when }\n")
    query = parse(path)
    assert query.description == "first second"
    assert query.render() == query.text.replace("$when", '"2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date>')


def test_reference_thresholds(store) -> None:  # type: ignore[no-untyped-def]
    prohibited = run(store, "models-reference-thresholds", threshold="prohibited_training_ops")
    notifiable = run(store, "models-reference-thresholds", threshold="notifiable_training_ops")
    assert prohibited and all(float(r["compute"]) > 1e25 for r in prohibited)
    assert len(notifiable) > len(prohibited)
    assert all(float(r["compute"]) > 1e23 for r in notifiable)


def test_uveu_shares_name_breaches(store) -> None:  # type: ignore[no-untyped-def]
    rows = {r["group"]: r for r in run(store, "uveu-compliance", regime="ifr-jan2025")}
    breached = [r for r in rows.values() if r["compliant"] == "false"]
    assert breached and all("breach" in r["why"] for r in breached)
    assert all(float(r["tier1Pct"]) >= 75 and float(r["maxTier2Pct"]) <= 7
               for r in rows.values() if r["compliant"] == "true")
    # a Tier 2 breach names the country: G42's compute is mostly in the UAE (Tier 2 under the IFR)
    g42 = next(r for name, r in rows.items() if name.startswith("G42"))
    assert g42["largestTier2"] == "AE" and "AE (Tier 2) holds" in g42["why"]
    assert all(r["largestTier2"] in r["why"] for r in breached if float(r["maxTier2Pct"]) > 7)


def test_tier2_ledger_subtracts_known_deployments(store) -> None:  # type: ignore[no-untyped-def]
    rows = run(store, "tier2-ledger", regime="ifr-jan2025")
    assert {r["cap"] for r in rows} == {"49901"}
    assert all(abs(float(r["cap"]) - float(r["used"]) - float(r["remaining"])) < 1e-6 for r in rows)
    assert any(float(r["used"]) > 0 for r in rows)


def test_listings_by_year_count_every_entity_list_entry_once(store) -> None:  # type: ignore[no-untyped-def]
    rows = run(store, "listings-by-year", list="EL")
    assert sum(int(r["entries"]) for r in rows) == 3420
    by = {(r["year"], r["basis"]): int(r["entries"]) for r in rows}
    # BAAI's and Zhipu's listing days are sourced (listing_dates.csv); the rest come from the FR volume
    assert by[("2025", "listing date")] >= 2
    assert by[("2019", "Federal Register volume")] > 0


def test_listing_reach_names_the_party_and_its_stakes(store) -> None:  # type: ignore[no-untyped-def]
    rows = run(store, "listing-reach", entry="entity-list/03c3b3536e313efd")
    reach = {(r["party"], r["how"].split(" ")[0]) for r in rows}
    assert ("huawei", "named") in reach
    assert ("huawei-malaysia", "a") in reach  # a stake of unknown share: the 50 percent test decides
    assert {r["listed"] for r in rows} == {"huawei"}


def test_affiliates_on_a_day_keep_unknown_shares_and_the_rule_status(store) -> None:  # type: ignore[no-untyped-def]
    enforced = {r["party"]: r for r in run(store, "listed-affiliates-on", date="2025-10-15")}
    assert enforced["huawei-malaysia"]["unknownStakes"] == "1"
    assert enforced["huawei-malaysia"]["listedShare"] == "0"
    assert enforced["huawei-malaysia"]["ruleStatus"] == "enforced"
    suspended = {r["party"]: r for r in run(store, "listed-affiliates-on", date="2026-03-01")}
    assert suspended["huawei-malaysia"]["ruleStatus"] == "suspended"
    before = {r["party"]: r for r in run(store, "listed-affiliates-on", date="2019-01-01")}
    assert "huawei-malaysia" not in before  # Huawei was listed in May 2019
