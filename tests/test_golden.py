"""Golden tests for the reasoner: one YAML case per file in tests/golden/ and tests/golden_law/, checked
against determine().

tests/golden/ holds cases on one version of the text (`regime:`) and the first cases by date;
tests/golden_law/ the cases of the law at a date (`on:`), each with the source of its expected answer.

Each case may bring parties (rows in the import CSV format, ids prefixed `g-<short>-`); the session
fixture writes every case's parties into one CSV, imports it once into a fresh home and opens the store
read-only. A case's `expect` is checked field by field:

- `regime`, `eccn`, `license_required` (true, false, or null for an undetermined answer), `review_policy`,
  `legal_state` (null for a version read as written) and `as_of`, when given;
- `exceptions` as an exact set; `rules` as a subset of the reasons' rule ids;
- `because_contains`: substrings that must each appear in some reason's `because`, `because_excludes`
  substrings that no reason's `because` may contain;
- `unknowns_contain`: substrings that must each appear in some unknown's `fact`;
- `requirement_statuses`: rule id -> the status some requirement of that rule must have that day
  (enforced, not_enforced, suspended, compliance_not_yet_required, unknown, as_written), or `absent`
  when the answer must list no requirement of that rule.

Every expected value comes from the law or a named public source, cited in the case's `source`
(Federal Register pages, CFR sections, BIS pages and guidance, eCFR issues, law-firm notes, dataset
names); a case cites no internal document of this project. Known failures (the implementation answers
otherwise than the law as sourced) are listed in KNOWN_FAILURES with the reason and run as strict
xfails: they are never skipped, and a fixed one fails until it is taken off the list.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

from golden_cases import CSV_COLUMNS, GOLDEN_DIRS, load_cases

#: versions read as written (`--regime ID`): each needs at least three cases
REGIMES = ("oct2023", "dcveu2024", "draft-dec2024", "ifr-jan2025", "nonenforcement-may2025", "h200-jan2026")
#: other versions a case may read as written
OTHER_VERSIONS = ("oct2022", "macau-jan2023", "apr2024", "dec2024", "h20-apr2025", "guidance-may2025",
                  "uae-jul2026")

#: The legal states: the day each begins and what changes the law that day. A case queried `on` a day
#: must expect the state whose period holds the day. The ids are the version that stands as the law on
#: its own day, or `law-<date>` where the day's law is a version read with dated memberships or
#: provision statuses.
LEGAL_STATES: tuple[tuple[str, str, str], ...] = (
    ("2022-10-07", "oct2022", "87 FR 62186: 3A090/4A090 created, license to China (Hong Kong as China)"),
    ("2023-01-17", "macau-jan2023", "88 FR 2821: the 2022 controls applied to Macau"),
    ("2023-11-17", "oct2023", "88 FR 73458: D:1/D:4/D:5 scope, performance density, HQ-D5M, NAC"),
    ("2024-03-15", "law-2024-03-15", "89 FR 18780: Nicaragua into D:1 and D:5"),
    ("2024-04-04", "apr2024", "89 FR 23876 (740.8 at 89 FR 23884, 744.23 at 89 FR 23886): NAC/ACA, 744.23(d)"),
    ("2024-05-30", "law-2024-05-30", "89 FR 40369: Cyprus out of the EAR's D:5 column"),
    ("2024-10-02", "dcveu2024", "89 FR 80080: Data Center VEU"),
    ("2024-12-02", "dec2024", "89 FR 96790: 3A090.c (HBM), License Exception HBM"),
    ("2025-01-13", "law-2025-01-13", "90 FR 4544: AI Diffusion IFR effective, compliance not required until "
                                     "2025-05-15"),
    ("2025-04-14", "law-2025-04-14", "H20/MI308 license requirement (NVIDIA and AMD SEC filings)"),
    ("2025-05-13", "law-2025-05-13", "BIS announces it will not enforce the AI Diffusion rule; GP10 guidance"),
    ("2025-11-07", "law-2025-11-07", "State removes Cambodia from ITAR 126.1 (FR Doc. 2025-19822): out of D:5"),
    ("2026-01-15", "law-2026-01-15", "91 FR 1684: case-by-case review for H200-class chips to China/Macau"),
    ("2026-07-10", "law-2026-07-10", "UAE in A:5, named in the 3A090.b scope (eCFR 2026-07-23)"),
)
FIRST_DAY, LAST_DAY = "2022-11-01", "2026-11-30"  # the span the dated cases must cover

RULE_IDS = {"hq-d5m", "destination", "no-license", "veu", "h200", "tiers-2025", "aia", "lpp", "acm",
            "model-weights", "draft-2024", "nac-aca", "h20", "hbm", "eccn-chips", "model-eccn", "gp10-red-flag",
            "entity-list", "denied-persons", "unverified-list", "military-end-user", "affiliates-rule"}
EXCEPTIONS = {"AIA", "LPP", "ACM", "DCVEU", "UVEU", "NVEU", "NAC", "ACA", "HBM"}
#: `unknown`: a license is required and the review policy is not public; `undetermined`: the answer
#: depends on facts the graph does not know, or the item's class is unknown
POLICIES = {"presumption_of_denial", "presumption_of_approval", "case_by_case", "none", "unknown", "undetermined",
            "policy_of_denial"}
STATUSES = {"enforced", "not_enforced", "suspended", "compliance_not_yet_required", "unknown", "as_written"}
CASE_KEYS = {"name", "description", "source", "note", "parties", "query", "expect"}
QUERY_KEYS = {"party", "item", "destination", "regime", "on"}
EXPECT_KEYS = {"regime", "eccn", "license_required", "review_policy", "exceptions", "rules", "because_contains",
               "because_excludes", "legal_state", "as_of", "requirement_statuses", "unknowns_contain"}
PREFIX = re.compile(r"^(g-[a-z0-9]+-)[a-z0-9][a-z0-9-]*$")

#: What a case may not cite: documents of this project that a user does not have.
INTERNAL = re.compile(r"rulebook|DESIGN\.md|README|ARCHITECTURE\.md|decision table|\.md\b|\bthe brief\b|\bbrief:|"
                      r"CSET table", re.IGNORECASE)
#: The project's data files: a case's note may point at a row, its source must cite what the row cites.
DATA_FILES = re.compile(r"\b[\w-]+\.(?:yaml|csv|json|rq|py)\b")
#: A source names law or a public source: at least one of these.
PUBLIC = re.compile(r"\d+ FR \d+|FR Doc\.|\bCFR\b|\bBIS\b|eCFR|\bGAO\b|Epoch AI|ITAR|SEC|8-K|10-Q|Federal Register|"
                    r"Baker McKenzie|Akin|Kelley Drye|Covington|Morgan Lewis|Crowell|Alston|Pillsbury|WilmerHale|"
                    r"Freshfields|Hughes Hubbard|Steptoe|Fenwick|Thompson Hine|Arnold & Porter|CSET|"
                    r"Wilson Sonsini|Mondaq|Paul, Weiss|datasheet|Tom's Hardware|State Department")

#: case name -> why the implementation is believed wrong (run as strict xfail, never skipped)
KNOWN_FAILURES: dict[str, str] = {}


CASES = load_cases()
CASES_LAW = [c for c in CASES if c["_path"].parent == GOLDEN_DIRS[1]]


def case_regime(case: dict[str, Any]) -> str | None:
    """The regime a case is about: the queried one, else the one it expects `on` to pick."""
    return case["query"].get("regime") or case["expect"].get("regime")


def state_on(day: str) -> str:
    """The legal state whose period holds the day (LEGAL_STATES)."""
    found = [state for start, state, _ in LEGAL_STATES if start <= day]
    assert found, f"{day}: before the first advanced-computing rule"
    return found[-1]


def _params() -> list[Any]:
    params = []
    for case in CASES:
        reason = KNOWN_FAILURES.get(case["name"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


# ---------------------------------------------------------------------------------------------------
# The cases themselves: well formed, enough of them, every version and every legal state covered
# ---------------------------------------------------------------------------------------------------

def test_enough_cases_and_every_version_covered() -> None:
    assert len(CASES) >= 100
    versions = Counter(c["query"]["regime"] for c in CASES if "regime" in c["query"])
    for regime in REGIMES:
        assert versions[regime] >= 3, f"{regime}: only {versions[regime]} cases"
    unknown = set(versions) - set(REGIMES) - set(OTHER_VERSIONS) - {s for _, s, _ in LEGAL_STATES}
    assert not unknown, f"unknown regimes: {unknown}"


def test_dated_cases_cover_every_legal_state_and_year() -> None:
    dated = [c for c in CASES if "on" in c["query"]]
    assert len(dated) >= 60, f"only {len(dated)} dated cases"
    days = [c["query"]["on"] for c in dated]
    assert min(days) <= "2022-12-31" and max(days) >= "2026-07-10", (min(days), max(days))
    per_year = Counter(day[:4] for day in days)
    for year in ("2022", "2023", "2024", "2025", "2026"):
        assert per_year[year] >= 2, f"{year}: only {per_year[year]} dated cases"
    per_state = Counter(c["expect"]["regime"] for c in dated)
    for _, state, why in LEGAL_STATES:
        assert per_state[state] >= 1, f"no dated case in the legal state {state} ({why})"
    assert len(CASES_LAW) >= 60, f"only {len(CASES_LAW)} cases in tests/golden_law/"


def test_legal_states_are_in_order() -> None:
    starts = [start for start, _, _ in LEGAL_STATES]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for start, state, _ in LEGAL_STATES:
        assert not state.startswith("law-") or state == f"law-{start}", state


def test_known_failures_name_real_cases() -> None:
    names = {c["name"] for c in CASES}
    assert set(KNOWN_FAILURES) <= names


def test_cases_cite_no_internal_document() -> None:
    bad = []
    for case in CASES:
        for key in ("source", "note", "description"):
            text = str(case.get(key) or "")
            if INTERNAL.search(text):
                bad.append(f"{case['name']}: {key} cites {INTERNAL.search(text).group(0)!r}")
        source = str(case.get("source") or "")
        if DATA_FILES.search(source):
            bad.append(f"{case['name']}: source cites the data file {DATA_FILES.search(source).group(0)!r}: "
                       "cite the law or public source it records")
        if not PUBLIC.search(source):
            bad.append(f"{case['name']}: source names no law or public source: {source!r}")
    assert not bad, "\n".join(bad)


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
        if "on" in query:
            day = query["on"]
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day), f"{name}: bad date {day!r}"
            assert FIRST_DAY <= day <= LAST_DAY, f"{name}: {day} outside {FIRST_DAY}..{LAST_DAY}"
            assert expect["regime"] == state_on(day), \
                f"{name}: on {day} the law is {state_on(day)}, the case expects {expect['regime']}"
            assert expect.get("legal_state", expect["regime"]) == expect["regime"], name
            assert expect.get("as_of", day) == day, name
        if case["_path"].parent == GOLDEN_DIRS[1]:
            assert "on" in query, f"{name}: a case in golden_law/ is queried on a date"
        assert set(expect) <= EXPECT_KEYS, f"{name}: unknown expect keys {set(expect) - EXPECT_KEYS}"
        assert expect["review_policy"] in POLICIES, name
        if "license_required" in expect:
            assert expect["license_required"] in (True, False, None), name
            assert (expect["license_required"] is None) == (expect["review_policy"] == "undetermined"), name
        assert set(expect.get("exceptions", [])) <= EXCEPTIONS, name
        assert set(expect.get("rules", [])) <= RULE_IDS, name
        statuses = expect.get("requirement_statuses") or {}
        assert set(statuses) <= RULE_IDS, f"{name}: unknown rules {set(statuses) - RULE_IDS}"
        assert set(statuses.values()) <= STATUSES | {"absent"}, name
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

@pytest.fixture(scope="session")
def golden(parties_home: Settings):  # type: ignore[no-untyped-def]
    """The session home with every case's parties imported (conftest.py); its store read-only."""
    store = KnowledgeStore.open_read_only(StoreLocation(parties_home.store_root))
    yield store, parties_home
    store.close()


def _as_json(determination: Any) -> dict[str, Any]:
    return determination.as_json() if hasattr(determination, "as_json") else determination


def run_case(case: dict[str, Any], store: Any, settings: Settings) -> dict[str, Any]:
    from exportkg.graph.answers.determine import determine

    query = case["query"]
    return _as_json(determine(store, settings, party=query["party"], item=query["item"],
                              destination=query.get("destination"), regime=query.get("regime"),
                              on=query.get("on")))


def shown(got: dict[str, Any]) -> str:
    """The answer in a few lines, for a failure message."""
    reasons = got.get("reasons") or []
    return (f"\ngot: regime={got.get('regime')} legal_state={got.get('legal_state')} as_of={got.get('as_of')} "
            f"eccn={got.get('eccn')} license_required={got.get('license_required')} "
            f"review_policy={got.get('review_policy')} exceptions={got.get('exceptions')}\nreasons:\n"
            + "\n".join(f"  - {r.get('rule')}: {r.get('because')}" for r in reasons)
            + "\nrequirements:\n"
            + "\n".join(f"  - {r.get('rule')} [{r.get('status')}] license={r.get('license_required')} "
                        f"policy={r.get('policy')} auth={r.get('authorization')}: {r.get('because')}"
                        for r in got.get("requirements") or [])
            + "\nunknowns:\n" + "\n".join(f"  - {u.get('fact')}: {u.get('effect')}" for u in got.get("unknowns") or []))


def problems_of(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """How the answer differs from the case's expectations, and what it gets wrong whatever the case."""
    query, expect = case["query"], case["expect"]
    problems = []
    wanted_regime = expect.get("regime", query.get("regime"))
    if wanted_regime is not None and got.get("regime") != wanted_regime:
        problems.append(f"regime {got.get('regime')!r} != {wanted_regime!r}")
    if "on" in query:
        wanted_state = expect.get("legal_state", wanted_regime)
        if got.get("legal_state") != wanted_state:
            problems.append(f"legal_state {got.get('legal_state')!r} != {wanted_state!r}")
        if got.get("as_of") != expect.get("as_of", query["on"]):
            problems.append(f"as_of {got.get('as_of')!r} != {expect.get('as_of', query['on'])!r}")
    else:
        for key in ("legal_state", "as_of"):
            if key in expect and got.get(key) != expect[key]:
                problems.append(f"{key} {got.get(key)!r} != {expect[key]!r}")
    if "eccn" in expect and got.get("eccn") != expect["eccn"]:
        problems.append(f"eccn {got.get('eccn')!r} != {expect['eccn']!r}")
    if "license_required" in expect and got.get("license_required") is not expect["license_required"]:
        problems.append(f"license_required {got.get('license_required')!r} != {expect['license_required']!r}")
    if got.get("review_policy") != expect["review_policy"]:
        problems.append(f"review_policy {got.get('review_policy')!r} != {expect['review_policy']!r}")
    if "exceptions" in expect and set(got.get("exceptions") or []) != set(expect["exceptions"]):
        problems.append(f"exceptions {sorted(got.get('exceptions') or [])} != {sorted(expect['exceptions'])}")
    reasons = got.get("reasons") or []
    fired = {r.get("rule") for r in reasons}
    missing = set(expect.get("rules") or []) - fired
    if missing:
        problems.append(f"rules {sorted(missing)} not among the reasons {sorted(map(str, fired))}")
    texts = [str(r.get("because") or "") for r in reasons]
    for needle in expect.get("because_contains") or []:
        if not any(needle in text for text in texts):
            problems.append(f"no reason's because contains {needle!r}")
    for needle in expect.get("because_excludes") or []:
        if any(needle in text for text in texts):
            problems.append(f"a reason's because contains {needle!r}")
    facts = [str(u.get("fact") or "") for u in got.get("unknowns") or []]
    for needle in expect.get("unknowns_contain") or []:
        if not any(needle in fact for fact in facts):
            problems.append(f"no unknown's fact contains {needle!r}")
    requirements = got.get("requirements") or []
    for rule, status in (expect.get("requirement_statuses") or {}).items():
        have = {str(r.get("status")) for r in requirements if r.get("rule") == rule}
        if status == "absent" and have:
            problems.append(f"requirement {rule} listed ({sorted(have)}), expected none")
        elif status != "absent" and status not in have:
            problems.append(f"no requirement {rule} with status {status!r} (have {sorted(have) or 'none'})")
    problems.extend(inconsistencies(got))
    return problems


@pytest.mark.parametrize("case", _params())
def test_golden(case: dict[str, Any], golden) -> None:  # type: ignore[no-untyped-def]
    store, settings = golden
    got = run_case(case, store, settings)
    problems = problems_of(case, got)
    assert not problems, f"{case['name']}: " + "; ".join(problems) + shown(got)


def inconsistencies(got: dict[str, Any]) -> list[str]:
    """What every answer must satisfy, whatever the case expects."""
    found = []
    licensed, policy = got.get("license_required"), got.get("review_policy")
    exceptions = got.get("exceptions") or []
    if not got.get("reasons"):
        found.append("a determination without any reason")
    if policy not in POLICIES:
        found.append(f"unknown review policy {policy!r}")
    if licensed is False and (policy != "none" or exceptions):
        found.append(f"no license required, yet review policy {policy!r} / exceptions {exceptions}")
    if licensed is True and policy in ("none", "undetermined"):
        found.append(f"license required, yet review policy {policy!r}")
    # undetermined exactly when license_required is null; `unknown` is a license whose policy is not public
    if (licensed is None) != (policy == "undetermined"):
        found.append(f"license_required {licensed!r} with review policy {policy!r}")
    if licensed is None and not got.get("unknowns"):
        found.append("an undetermined answer that names no unknown fact")
    if licensed is None and exceptions:
        found.append(f"an undetermined answer offering exceptions {exceptions}")
    if not set(exceptions) <= EXCEPTIONS:
        found.append(f"unknown exceptions {set(exceptions) - EXCEPTIONS}")
    said = [(r.get("rule"), r.get("because")) for r in got.get("reasons") or []]
    if len(said) != len(set(said)):
        found.append("the same reason given twice")
    for reason in got.get("reasons") or []:
        if reason.get("rule") not in RULE_IDS:
            found.append(f"reason of an unknown rule {reason.get('rule')!r}")
    legal_state = got.get("legal_state")
    if legal_state is not None and legal_state != got.get("regime"):
        found.append(f"legal_state {legal_state!r} differs from regime {got.get('regime')!r}")
    for req in got.get("requirements") or []:
        if req.get("status") not in STATUSES:
            found.append(f"requirement {req.get('rule')} with status {req.get('status')!r}")
        if legal_state is None and req.get("status") not in ("as_written",):
            found.append(f"a version read as written, yet requirement {req.get('rule')} is {req.get('status')!r}")
        if legal_state is not None and req.get("status") == "as_written":
            found.append(f"the law on a day, yet requirement {req.get('rule')} is 'as_written'")
    for reason in got.get("reasons") or []:
        for key in ("citation", "because"):
            text = str(reason.get(key) or "")
            if INTERNAL.search(text):
                found.append(f"reason {reason.get('rule')} cites an internal document: {text!r}")
    for req in got.get("requirements") or []:
        for key in ("citation", "because"):
            text = str(req.get(key) or "")
            if INTERNAL.search(text):
                found.append(f"requirement {req.get('rule')} cites an internal document: {text!r}")
    return found
