"""`exportkg import` and `exportkg determine`: researchers' parties get determinations at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exportkg.graph.answers.determine import DeterminationError, determine
from exportkg.graph.build import record
from exportkg.graph.build.importer import import_parties
from exportkg.graph.build.pipeline import build
from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

from helpers import copy_home

pytestmark = pytest.mark.slow  # builds stores of its own

HEADER = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source\n"
CHAIN = HEADER + """i-top,Top Group,company,CN,CN,,,,,annual report 2024
i-hold,Holding HK,company,HK,HK,i-top,100,,,annual report 2024
i-region,Regional SG,company,SG,SG,i-hold,100,,,annual report 2024
i-local,Local AE,company,AE,AE,i-region,70,,,annual report 2024
i-dc,AE data center,data_center,AE,,i-local,,i-local,4000,press release
"""


#: the regimes these tests determine under
REGIMES = ("oct2023", "ifr-jan2025", "nonenforcement-may2025", "law-2025-01-13")


@pytest.fixture(scope="module")
def imported(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the session's store, then the chain imported; its builds reason only the regimes the
    tests here ask about (the law of the other regimes is the golden tests' part)."""
    settings = copy_home(built, tmp_path_factory.mktemp("imported")).with_(reason_regimes=REGIMES)
    home = settings.home
    path = home / "chain.csv"
    path.write_text(CHAIN, encoding="utf-8")
    result = import_parties(settings, path)
    assert (result.added, result.replaced) == (5, 0)
    return settings


def open_store(settings: Settings) -> KnowledgeStore:
    return KnowledgeStore.open_read_only(StoreLocation(settings.store_root))


def test_three_levels_below_a_chinese_parent_is_denied_with_the_chain(imported: Settings) -> None:
    kg = open_store(imported)
    try:
        for regime in ("oct2023", "ifr-jan2025", "nonenforcement-may2025"):
            result = determine(kg, imported, "i-local", "3A090.a", regime=regime)
            assert result.license_required is True
            assert result.review_policy == "presumption_of_denial", regime
            assert result.exceptions == []
            chain = next(r.because for r in result.reasons if r.rule == "hq-d5m")
            for name in ("Top Group", "Holding HK", "Regional SG", "Local AE"):
                assert name in chain
    finally:
        kg.close()


def test_data_center_follows_its_owner(imported: Settings) -> None:
    kg = open_store(imported)
    try:
        result = determine(kg, imported, "i-dc", "nvidia-h100-sxm", regime="ifr-jan2025")
        assert (result.eccn, result.destination, result.review_policy) == ("3A090.a", "AE",
                                                                           "presumption_of_denial")
    finally:
        kg.close()


def test_imports_survive_a_restart_and_a_rebuild(imported: Settings) -> None:
    build(imported)  # a later build keeps the imported parties
    kg = open_store(imported)
    try:
        assert determine(kg, imported, "i-top", "3A090.b", regime="oct2023").license_required
    finally:
        kg.close()


def test_reimport_replaces_the_same_id(imported: Settings, tmp_path: Path) -> None:
    path = tmp_path / "again.csv"
    path.write_text(HEADER + "i-local,Local AE (divested),company,AE,AE,,,,,divestment notice\n")
    result = import_parties(imported, path)
    assert (result.added, result.replaced) == (0, 1)
    kg = open_store(imported)
    try:
        after = determine(kg, imported, "i-local", "3A090.a", regime="oct2023")
        assert after.review_policy == "presumption_of_approval"
    finally:
        kg.close()
    path.write_text(CHAIN, encoding="utf-8")
    import_parties(imported, path)


@pytest.mark.parametrize("rows, line, reason", [
    ("x-a,A,company,XX,CN,,,,,s\n", 2, "unknown country code 'XX'"),
    ("x-a,A,company,SG,SG,no-such,100,,,s\n", 2, "'no-such' does not exist"),
    ("x-a,A,company,SG,SG,x-b,100,,,s\nx-b,B,company,SG,SG,x-a,100,,,s\n", None, "ownership cycle"),
    ("x-a,A,company,SG,SG,,,,,s\nx-a,A again,company,SG,SG,,,,,s\n", 3, "duplicate id 'x-a'"),
    ("x-a,A,robot,SG,SG,,,,,s\n", 2, "kind must be company or data_center"),
], ids=["bad-code", "unknown-parent", "cycle", "duplicate", "bad-kind"])
def test_import_errors_name_row_and_reason_and_import_nothing(imported: Settings, tmp_path: Path,
                                                                rows: str, line: int | None,
                                                                reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "x-ok,Fine Co,company,SG,SG,,,,,s\n" + rows, encoding="utf-8")
    before = record.published(imported).read_text(encoding="utf-8")  # type: ignore[union-attr]
    store_before = StoreLocation(imported.store_root).resolved()
    with pytest.raises(DataError) as info:
        import_parties(imported, path)
    messages = [str(p) for p in info.value.problems]
    expected_line = None if line is None else line + 1  # the x-ok row comes first
    assert any(reason in m and m.startswith("bad.csv:") and
               (expected_line is None or m.startswith(f"bad.csv:{expected_line}:")) for m in messages), messages
    assert record.published(imported).read_text(encoding="utf-8") == before  # type: ignore[union-attr]
    assert StoreLocation(imported.store_root).resolved() == store_before
    kg = open_store(imported)
    try:
        with pytest.raises(DeterminationError):
            determine(kg, imported, "x-ok", "3A090.a", regime="oct2023")
    finally:
        kg.close()


def test_cli_determine_text_and_json(imported: Settings, runner) -> None:  # type: ignore[no-untyped-def]
    home = ["--home", str(imported.home)]
    text = runner.invoke(main, [*home, "determine", "--party", "i-local", "--item", "3A090.a",
                                "--regime", "oct2023"])
    assert text.exit_code == 0, text.output
    assert "presumption of denial" in text.output and "744.23(a)(3)" in text.output
    js = runner.invoke(main, [*home, "determine", "--party", "microsoft", "--item", "3A090.a",
                              "--destination", "DE", "--on", "2025-03-01", "--format", "json"])
    assert js.exit_code == 0, js.output
    data = json.loads(js.output)
    assert set(data) == {"regime", "item", "eccn", "party", "destination", "license_required",
                         "review_policy", "exceptions", "reasons", "as_of", "legal_state", "party_name",
                         "item_name", "requirements", "unknowns", "destination_name"}
    assert data["destination_name"] and data["destination_name"] != data["destination"]
    # 2025-03-01: the AI Diffusion rule is in effect, compliance not yet required: the 2023 scope decides
    assert data["regime"] == data["legal_state"] == "law-2025-01-13" and data["as_of"] == "2025-03-01"
    assert data["license_required"] is False and data["exceptions"] == []
    statuses = {r["rule"]: r["status"] for r in data["requirements"]}
    assert statuses.get("tiers-2025") == "compliance_not_yet_required"
    bad = runner.invoke(main, [*home, "determine", "--party", "nobody", "--item", "3A090.a"])
    assert bad.exit_code != 0 and "unknown party" in bad.output


def test_cli_import(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.rmtree(home, ignore_errors=True)
    path = tmp_path / "one.csv"
    path.write_text(HEADER + "c-one,One,company,VN,CN,,,,,s\n", encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home), "import", str(path)],
                           env={"EXPORTKG_REASON_REGIMES": "oct2023"})  # the one regime asked about below
    assert result.exit_code == 0, result.output
    assert "imported 1 new" in result.output
    out = runner.invoke(main, ["--home", str(home), "determine", "--party", "c-one", "--item",
                               "3A090.a", "--regime", "oct2023", "--format", "json"])
    assert json.loads(out.output)["review_policy"] == "presumption_of_denial"
