"""Bad rows stop the build with file, row and reason, and the last good store keeps answering."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

from helpers import append_row, break_unknown_country, company, first_company_id


def break_duplicate_id(data: Path) -> tuple[str, int, str]:
    line = append_row(data / "companies.csv", company(id=first_company_id(data)))
    return "companies.csv", line, "duplicate id"


def break_missing_parent(data: Path) -> tuple[str, int, str]:
    line = append_row(data / "companies.csv", company(parent="no-such-parent", parent_share="100"))
    return "companies.csv", line, "'no-such-parent' does not exist"


def break_negative_tpp(data: Path) -> tuple[str, int, str]:
    line = append_row(data / "chips.csv", {"id": "bad-chip", "name": "Bad", "dense_tera_ops": "-5",
                                           "bit_length": "8", "source": "chips-tpp-draft",
                                           "confidence": "U"})
    return "chips.csv", line, "dense_tera_ops: must be >= 0"


def break_csv_quoting(data: Path) -> tuple[str, int, str]:
    path = data / "nato.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + '\nPL,"1999-03-12,broken\n', encoding="utf-8")
    return "nato.csv", len(lines) + 1, "malformed CSV"


def break_ragged_row(data: Path) -> tuple[str, int, str]:
    path = data / "nato.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + "\nPL,1999-03-12\n", encoding="utf-8")
    return "nato.csv", len(lines) + 1, "expected 5 fields, found 2"


def break_shape(data: Path) -> tuple[str, int, str]:
    line = append_row(data / "companies.csv", company(parent=first_company_id(data),
                                                      parent_share="150"))
    return "companies.csv", line, "parent_share: must be <= 100"


def break_regime_tier(data: Path) -> tuple[str, int, str]:
    path = data / "regimes.yaml"
    text = path.read_text(encoding="utf-8")
    assert "countries: [AU," in text
    broken = text.replace("countries: [AU,", "countries: [ZZ, AU,", 1)
    line = text[: text.index("countries: [AU,")].count("\n") + 1
    path.write_text(broken, encoding="utf-8")
    return "regimes.yaml", line, "unknown country code 'ZZ'"


CASES = [break_unknown_country, break_duplicate_id, break_missing_parent, break_negative_tpp,
         break_csv_quoting, break_ragged_row, break_shape]


@pytest.fixture(scope="module")
def good_home(built: Settings) -> Settings:
    """The session's store: failed builds must leave it exactly as it was."""
    return built


def count_countries(settings: Settings) -> int:
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        rows = list(kg.query("SELECT (COUNT(?c) AS ?n) { ?c a <https://w3id.org/exportkg/ontology#Country> }"))
        return int(rows[0][0])
    finally:
        kg.close()


@pytest.mark.parametrize("breaker", CASES, ids=lambda f: f.__name__)
def test_bad_row_stops_the_build_and_keeps_the_old_store(breaker, good_home: Settings,  # type: ignore[no-untyped-def]
                                                         data_copy: Path) -> None:
    before_target = StoreLocation(good_home.store_root).resolved()
    before_countries = count_countries(good_home)
    file, line, reason = breaker(data_copy)
    with pytest.raises(DataError) as info:
        build(good_home.with_(data_dir=data_copy))
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{file}:{line}:") and reason in m for m in messages), messages
    assert StoreLocation(good_home.store_root).resolved() == before_target
    assert count_countries(good_home) == before_countries > 240
    leftovers = list((good_home.store_root / "builds").iterdir())
    assert leftovers == [before_target], "a failed build left its directory behind"


def test_ownership_cycle_is_reported(data_copy: Path) -> None:
    append_row(data_copy / "companies.csv", company(id="cycle-a", parent="cycle-b", control="majority"))
    line_b = append_row(data_copy / "companies.csv", company(id="cycle-b", parent="cycle-a",
                                                             control="majority"))
    with pytest.raises(DataError) as info:
        build(Settings(home=data_copy.parent / "home", data_dir=data_copy))
    assert any("ownership cycle" in str(p) and "cycle-a" in str(p) for p in info.value.problems)
    del line_b


def test_unknown_source_id_is_a_row_error(data_copy: Path) -> None:
    line = append_row(data_copy / "companies.csv", company(source="made-up-source"))
    with pytest.raises(DataError) as info:
        build(Settings(home=data_copy.parent / "home", data_dir=data_copy))
    assert any(str(p).startswith(f"companies.csv:{line}:") and "unknown source id" in str(p)
               for p in info.value.problems)
