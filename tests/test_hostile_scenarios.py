"""Scenario files a careless user or an attacker writes (issue 18, finding 9): every wrong type or
range, self-ownership, cycles, path-like ids and YAML bombs refused with `file:line: reason`, nothing
written, and a minority share read as the imports read it. The file checks need no store; the ones
against the graph use a copy of the session's built store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.impact.run import impact
from exportkg.graph.impact.scenario import load
from exportkg.graph.impact.scenario_store import apply, home, open_store

from helpers import copy_home, select

HEAD = "name: bad\nbase: ifr-jan2025\ntitle: bad\nchanges:\n"
#: (a change on line 5, what the error must say); each was accepted or crashed before issue 18
BAD_CHANGES = {
    "tier-true": ("  - {tier: true, countries: [PL]}", "tier: expected 1, 2 or 3"),
    "tier-text": ("  - {tier: one, countries: [PL]}", "tier: expected 1, 2 or 3"),
    "countries-null": ("  - {tier: 1, countries: null}", "countries: expected a list"),
    "country-boolean": ("  - {tier: 1, countries: [NO]}", "quote country codes"),
    "cap-list": ("  - {parameter: tier2_country_cap_h100e, value: [1, 2]}", "expected a number"),
    "cap-negative": ("  - {parameter: tier2_country_cap_h100e, value: -5}", "from 0 to"),
    "cap-infinite": ("  - {parameter: tier2_country_cap_h100e, value: .inf}", "finite"),
    "cap-nan": ("  - {parameter: tier2_country_cap_h100e, value: .nan}", "finite"),
    "cap-1e400": ("  - {parameter: tier2_country_cap_h100e, value: 1.0e+400}", "finite"),
    "cap-text": ("  - {parameter: tier2_country_cap_h100e, value: abc}", "expected a number"),
    "cap-huge": ("  - {parameter: tier2_country_cap_h100e, value: " + "9" * 4000 + "}", "from 0 to"),
    "cap-5000-digits": ("  - {parameter: tier2_country_cap_h100e, value: " + "9" * 5000 + "}", "cannot read"),
    "pct-over-100": ("  - {parameter: uveu_min_share_us_pct, value: 150}", "from 0 to 100"),
    "unset-false": ("  - {parameter: tier2_country_cap_h100e, unset: false}", "unset: only"),
    "available-text": ("  - {authorization: AIA, available: yes please}", "true or false"),
    "own-parent": ("  - {ownership: tiktok-pte-ltd, parent: tiktok-pte-ltd}", "its own parent"),
    "share-500": ("  - {ownership: tiktok-pte-ltd, parent: microsoft, share: 500}", "from 0 to 100"),
    "share-negative": ("  - {ownership: tiktok-pte-ltd, parent: microsoft, share: -5}", "from 0 to 100"),
    "share-text": ("  - {ownership: tiktok-pte-ltd, parent: microsoft, share: abc}", "expected a number"),
    "share-nan": ("  - {ownership: tiktok-pte-ltd, parent: microsoft, share: .nan}", "finite"),
    "share-no-parent": ("  - {ownership: tiktok-pte-ltd, parent: null, share: 10}", "needs a parent"),
    "datacenter-path": ("  - {datacenter: ../../x, country: PL, h100e: 5}", "expected an id"),
    "h100e-negative": ("  - {datacenter: my-dc, country: PL, h100e: -5}", "h100e: expected a number from 0"),
    "two-countries": ("  - {datacenter: my-dc, country: [PL, DE], h100e: 5}", "in one country"),
    "not-a-mapping": ("  - 5", "each change is a mapping"),
    "note-list": ("  - {tier: 1, countries: [PL], note: [a]}", "note: expected text"),
}
#: whole files: (text or bytes, the line the error is at, what it says)
BAD_FILES: dict[str, tuple[str | bytes, int | None, str]] = {
    "billion-laughs": ("a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)),
        5, "aliases are expanded"),
    "deep": ("changes: " + "[" * 20_000 + "]" * 20_000 + "\n", 1, "nested more than"),
    "recursive-alias": ("changes: &a [*a]\n", 1, "refers to the node that contains it"),
    "utf-16": ((HEAD + "  - {tier: 1, countries: [PL]}\n").encode("utf-16"), 1, "UTF-16"),
    "latin-1": ("name: caf\xe9\n".encode("latin-1"), 1, "not UTF-8"),
    "date": (HEAD + "  - {tier: 1, countries: [PL], note: 2025-13-45}\n", 5, "cannot read this value"),
    "name-list": ("name: [a]\nbase: ifr-jan2025\ntitle: t\nchanges:\n  - {tier: 1, countries: [PL]}\n", 1,
                  "name: expected a slug"),
    "title-number": ("name: t\nbase: ifr-jan2025\ntitle: 5\nchanges:\n  - {tier: 1, countries: [PL]}\n", 3,
                     "title: expected text"),
}


@pytest.mark.parametrize("case", sorted(BAD_CHANGES))
def test_a_bad_change_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    change, says = BAD_CHANGES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(HEAD + change + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load(path)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{path}:5: ") and says in m for m in messages), messages


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_hostile_yaml_file_is_refused_quickly_at_its_line(tmp_path: Path, case: str) -> None:
    """Billion laughs ran without end; 20,000-deep nesting, non-UTF-8 and UTF-16 files were tracebacks."""
    content, line, says = BAD_FILES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        load(path)
    assert time.monotonic() - started < 10
    where = f"{path}:{line}: " if line else f"{path}: "
    assert any(str(p).startswith(where) and says in str(p) for p in caught.value.problems), caught.value.problems


@pytest.fixture(scope="module")
def scenario_home(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return copy_home(built, tmp_path_factory.mktemp("scenarios"))


@pytest.mark.parametrize(("change", "says"), [
    ("  - {ownership: bytedance, parent: tiktok-pte-ltd}", "ownership cycle"),
    ("  - {ownership: tiktok-pte-ltd, parent: no-such-org}", "unknown organization"),
    ("  - {tier: 1, countries: [XX]}", "unknown country 'XX'"),
])
def test_what_the_graph_refuses_is_refused_and_nothing_is_written(scenario_home: Settings, tmp_path: Path,
                                                                   runner, change: str, says: str) -> None:  # type: ignore[no-untyped-def]
    """A company made its own (indirect) parent was accepted; a refused scenario left an empty
    scenarios/<name>/store/builds/ behind (finding 11)."""
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + change + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        impact(scenario_home, "ifr-jan2025", str(path))
    assert f"{path}:5: " in str(caught.value) and says in str(caught.value)
    assert not home(scenario_home, "bad").exists(), "a refused scenario left its folder"
    result = runner.invoke(main, ["--home", str(scenario_home.home), "impact", "--base", "ifr-jan2025",
                                  "--against", str(path)])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output


def test_a_share_of_ten_is_a_minority_stake_not_control(scenario_home: Settings, tmp_path: Path) -> None:
    """A share of 10 was stored as majority ownership, so a 10 % stake counted as control; imports
    read <= 50 as a minority stake, and now so do scenarios."""
    path = tmp_path / "minority.yaml"
    path.write_text("name: minority\nbase: ifr-jan2025\ntitle: t\nchanges:\n"
                    "  - {ownership: tiktok-pte-ltd, parent: microsoft, share: 10}\n", encoding="utf-8")
    apply(scenario_home, load(path))
    store = open_store(scenario_home, "minority")
    try:
        org = "<https://w3id.org/exportkg/id/org/tiktok-pte-ltd>"
        ekg = "https://w3id.org/exportkg/ontology#"
        assert select(store, f"SELECT ?p WHERE {{ {org} <{ekg}controlledBy> ?p }}") == []
        stakes = select(store, f"SELECT ?basis ?share WHERE {{ ?s <{ekg}owned> {org} ; <{ekg}controlBasis> ?basis ; "
                               f"<{ekg}sharePercent> ?share }}")
        assert stakes == [{"basis": f"{ekg}MinorityStake", "share": "10"}]
    finally:
        store.close()


def test_a_bad_value_fails_the_command_without_a_traceback(scenario_home: Settings, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """`share: abc` printed a traceback and exited 0."""
    path = tmp_path / "abc.yaml"
    path.write_text(HEAD + "  - {ownership: tiktok-pte-ltd, parent: microsoft, share: abc}\n", encoding="utf-8")
    result = runner.invoke(main, ["--home", str(scenario_home.home), "impact", "--base", "ifr-jan2025",
                                  "--against", str(path)])
    assert result.exit_code != 0 and f"{path}:5: share: expected a number" in result.output
    assert "Traceback" not in result.output and not home(scenario_home, "bad").exists()
