"""Golden tests for the reasoner: one YAML case per file in tests/golden/, checked against determine().

Each case may bring parties (rows in the import CSV format, ids prefixed `g-<short>-`); the session
fixture writes every case's parties into one CSV, imports it once into a fresh home and opens the store
read-only. A case's `expect` is checked field by field: `regime`, `eccn`, `license_required` and
`review_policy` when given; `exceptions` as an exact set; `rules` as a subset of the reasons' rule ids;
`because_contains` as substrings that must each appear in some reason's `because`.

The expectations follow queries/rules/README.md (the decision table); where rulebook.md says otherwise, the
case's `note` says so. Known failures are listed in KNOWN_FAILURES with the reason and run as strict
xfails: they are never skipped, and a fixed one fails until it is taken off the list.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

GOLDEN_DIR = Path(__file__).parent / "golden"
CSV_COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "operator", "h100e",
               "source"]
REGIMES = ("oct2023", "dcveu2024", "draft-dec2024", "ifr-jan2025", "nonenforcement-may2025", "h200-jan2026")
RULE_IDS = {"hq-d5m", "destination-2023", "no-license", "veu", "h200", "tiers-2025", "aia", "lpp", "acm",
            "model-weights", "draft-2024"}
EXCEPTIONS = {"AIA", "LPP", "ACM", "DCVEU", "UVEU", "NVEU"}
POLICIES = {"presumption_of_denial", "presumption_of_approval", "case_by_case", "none", "unknown"}
CASE_KEYS = {"name", "description", "source", "note", "parties", "query", "expect"}
QUERY_KEYS = {"party", "item", "destination", "regime", "on"}
EXPECT_KEYS = {"regime", "eccn", "license_required", "review_policy", "exceptions", "rules", "because_contains"}
PREFIX = re.compile(r"^(g-[a-z0-9]+-)[a-z0-9][a-z0-9-]*$")

#: case name -> why the implementation is believed wrong (run as strict xfail, never skipped)
KNOWN_FAILURES: dict[str, str] = {}  # none left: every case passes against the implementation


def _normalise(value: Any) -> Any:
    """YAML 1.1 reads an unquoted `on:` key as True and bare dates as date objects: undo both."""
    if isinstance(value, dict):
        return {("on" if k is True else k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(GOLDEN_DIR.glob("*.yaml")):
        case = _normalise(yaml.safe_load(path.read_text(encoding="utf-8")))
        case["_path"] = path
        cases.append(case)
    return cases


CASES = load_cases()


def case_regime(case: dict[str, Any]) -> str | None:
    """The regime a case is about: the queried one, else the one it expects `on` to pick."""
    return case["query"].get("regime") or case["expect"].get("regime")


def _params() -> list[Any]:
    params = []
    for case in CASES:
        reason = KNOWN_FAILURES.get(case["name"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


# ---------------------------------------------------------------------------------------------------
# The cases themselves: well formed, enough of them, every regime covered
# ---------------------------------------------------------------------------------------------------

def test_enough_cases_and_every_regime_covered() -> None:
    assert len(CASES) >= 40
    per_regime = Counter(case_regime(c) for c in CASES)
    for regime in REGIMES:
        assert per_regime[regime] >= 3, f"{regime}: only {per_regime[regime]} cases"
    assert set(per_regime) <= set(REGIMES), f"unknown regimes: {set(per_regime) - set(REGIMES)}"


def test_known_failures_name_real_cases() -> None:
    names = {c["name"] for c in CASES}
    assert set(KNOWN_FAILURES) <= names


def test_cases_are_well_formed() -> None:
    prefixes: dict[str, str] = {}
    all_ids: set[str] = set()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        name = case["name"]
        assert case["_path"].stem == name, f"{case['_path'].name}: name {name!r} differs from the file name"
        assert set(case) - {"_path"} <= CASE_KEYS, f"{name}: unknown keys"
        assert case.get("description") and case.get("source"), f"{name}: description and source are required"
        query, expect = case["query"], case["expect"]
        assert set(query) <= QUERY_KEYS and {"party", "item"} <= set(query), f"{name}: bad query"
        assert not ("regime" in query and "on" in query), f"{name}: regime or on, not both"
        assert "regime" in query or ("on" in query and "regime" in expect), \
            f"{name}: a query by date must say which regime it expects"
        assert set(expect) <= EXPECT_KEYS, f"{name}: unknown expect keys {set(expect) - EXPECT_KEYS}"
        assert expect["review_policy"] in POLICIES, name
        assert set(expect.get("exceptions", [])) <= EXCEPTIONS, name
        assert set(expect.get("rules", [])) <= RULE_IDS, name
        case_prefixes = set()
        for row in case.get("parties") or []:
            assert set(row) <= set(CSV_COLUMNS), f"{name}: unknown party columns {set(row) - set(CSV_COLUMNS)}"
            match = PREFIX.match(row["id"])
            assert match, f"{name}: party id {row['id']!r} must start with g-<short>-"
            case_prefixes.add(match.group(1))
            assert row["id"] not in all_ids, f"{name}: party id {row['id']} used twice"
            all_ids.add(row["id"])
        assert len(case_prefixes) <= 1, f"{name}: parties use several prefixes {case_prefixes}"
        for prefix in case_prefixes:
            assert prefix not in prefixes, f"{name}: prefix {prefix} already used by {prefixes[prefix]}"
            prefixes[prefix] = name


# ---------------------------------------------------------------------------------------------------
# The determinations
# ---------------------------------------------------------------------------------------------------

def write_parties(path: Path) -> int:
    rows = [row for case in CASES for row in case.get("parties") or []]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else str(row[k]) for k in CSV_COLUMNS})
    return len(rows)


@pytest.fixture(scope="session")
def golden(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A fresh home with every case's parties imported once; the store opened read-only."""
    from exportkg.graph.build.importer import import_parties

    home = tmp_path_factory.mktemp("golden-home")
    settings = Settings(home=home)
    parties_csv = home / "golden-parties.csv"
    write_parties(parties_csv)
    import_parties(settings, parties_csv)
    store = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    yield store, settings
    store.close()


def _as_json(determination: Any) -> dict[str, Any]:
    return determination.as_json() if hasattr(determination, "as_json") else determination


@pytest.mark.parametrize("case", _params())
def test_golden(case: dict[str, Any], golden) -> None:  # type: ignore[no-untyped-def]
    from exportkg.graph.answers.determine import determine

    store, settings = golden
    query, expect = case["query"], case["expect"]
    got = _as_json(determine(store, settings, party=query["party"], item=query["item"],
                             destination=query.get("destination"), regime=query.get("regime"),
                             on=query.get("on")))
    reasons = got.get("reasons") or []
    shown = (f"\ngot: regime={got.get('regime')} eccn={got.get('eccn')} "
             f"license_required={got.get('license_required')} review_policy={got.get('review_policy')} "
             f"exceptions={got.get('exceptions')}\nreasons:\n"
             + "\n".join(f"  - {r.get('rule')}: {r.get('because')}" for r in reasons))
    problems = []
    wanted_regime = expect.get("regime", query.get("regime"))
    if wanted_regime is not None and got.get("regime") != wanted_regime:
        problems.append(f"regime {got.get('regime')!r} != {wanted_regime!r}")
    if "eccn" in expect and got.get("eccn") != expect["eccn"]:
        problems.append(f"eccn {got.get('eccn')!r} != {expect['eccn']!r}")
    if "license_required" in expect and got.get("license_required") is not expect["license_required"]:
        problems.append(f"license_required {got.get('license_required')!r} != {expect['license_required']!r}")
    if got.get("review_policy") != expect["review_policy"]:
        problems.append(f"review_policy {got.get('review_policy')!r} != {expect['review_policy']!r}")
    if "exceptions" in expect and set(got.get("exceptions") or []) != set(expect["exceptions"]):
        problems.append(f"exceptions {sorted(got.get('exceptions') or [])} != {sorted(expect['exceptions'])}")
    fired = {r.get("rule") for r in reasons}
    missing = set(expect.get("rules") or []) - fired
    if missing:
        problems.append(f"rules {sorted(missing)} not among the reasons {sorted(map(str, fired))}")
    texts = [str(r.get("because") or "") for r in reasons]
    for needle in expect.get("because_contains") or []:
        if not any(needle in text for text in texts):
            problems.append(f"no reason's because contains {needle!r}")
    problems.extend(inconsistencies(got))
    assert not problems, f"{case['name']}: " + "; ".join(problems) + shown


def inconsistencies(got: dict[str, Any]) -> list[str]:
    """What README.md's determination table implies for every answer, whatever the case expects."""
    found = []
    licensed, policy = got.get("license_required"), got.get("review_policy")
    if not got.get("reasons"):
        found.append("a determination without any reason")
    if licensed is False and (policy != "none" or got.get("exceptions")):
        found.append(f"no license required, yet review policy {policy!r} / exceptions {got.get('exceptions')}")
    if licensed is True and policy in ("none", "unknown"):
        found.append(f"license required, yet review policy {policy!r}")
    if (licensed is None) != (policy == "unknown"):
        found.append(f"license_required {licensed!r} with review policy {policy!r}")
    return found
