"""`exportkg import` updates the published store through the rules its rows reach, and the store it
publishes is the one a full rebuild makes, graph for graph (graph/build/incremental.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from twins import assert_same, gleif_homes, quads

from exportkg.graph.build import inputs
from exportkg.graph.build.importer import import_parties
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.store.location import StoreLocation

pytestmark = pytest.mark.slow  # builds stores of its own

#: two regimes keep the builds short; the rules reached are the same for every regime
REGIMES = ("ifr-jan2025", "law-2025-01-13")
HEADER = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source,owners\n"
#: a chain under a GLEIF entity headquartered in Hong Kong, a data center of it, a minority owner
FIRST = HEADER + """u-top,Top Group,company,SG,SG,lei-54930000000000000487,100,,,annual report,
u-mid,Mid Holding,company,AE,AE,u-top,100,,,annual report,
u-low,Low Trading,company,AE,AE,u-mid,80,,,annual report,alibaba-group:20
u-dc,Low data center,data_center,AE,,u-low,,u-low,5000,press release,
u-free,Free Standing,company,NO,NO,,,,,registry,
"""
#: the chain's top moves under a Norwegian parent, the data center to another owner and country, and
#: the free-standing company joins a curated group
SECOND = HEADER + """u-top,Top Group,company,SG,SG,u-free,100,,,annual report,
u-dc,Low data center,data_center,SA,,u-free,,u-mid,7000,press release,
u-free,Free Standing,company,NO,NO,alibaba-group,60,,,registry,
"""


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    return gleif_homes(tmp_path_factory, REGIMES)


def imported(homes: tuple[Settings, Settings], text: str, tmp_path: Path) -> tuple[Settings, Settings]:
    path = tmp_path / "parties.csv"
    path.write_text(text, encoding="utf-8")
    updated, rebuilt = homes
    result = import_parties(updated, path)
    assert result.updated is not None, "the import rebuilt instead of updating"
    assert result.updated.rederived.steps > 0
    assert import_parties(rebuilt, path, rebuild=True).updated is None
    return updated, rebuilt


def test_an_import_then_a_change_publish_what_a_rebuild_does(homes: tuple[Settings, Settings],
                                                             tmp_path: Path) -> None:
    updated, rebuilt = imported(homes, FIRST, tmp_path)
    first = quads(updated)
    assert_same(first, quads(rebuilt))
    facts = "\n".join(first["<https://w3id.org/exportkg/graph/facts>"])
    assert "id/org/u-low>" in facts and "id/datacenter/u-dc>" in facts  # the rows are in the store
    updated, rebuilt = imported(homes, SECOND, tmp_path)
    second = quads(updated)
    assert_same(second, quads(rebuilt))
    assert second != first


def test_bad_rows_fail_like_a_build_and_change_nothing(homes: tuple[Settings, Settings], tmp_path: Path) -> None:
    updated, _rebuilt = homes
    before = StoreLocation(updated.store_root).resolved()
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "u-bad,Bad,company,XX,XX,no-such-parent,,,,x,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        import_parties(updated, path)
    assert all(p.file == "bad.csv" and p.row == 2 for p in caught.value.problems)
    assert StoreLocation(updated.store_root).resolved() == before


def test_a_changed_input_makes_the_import_rebuild(homes: tuple[Settings, Settings], tmp_path: Path) -> None:
    updated, _rebuilt = homes
    published = StoreLocation(updated.store_root).resolved()
    assert inputs.same(updated, published)
    assert not inputs.same(updated.with_(reason_regimes=("oct2023",)), published)
    lists = updated.home / "imports" / "lists-removed.csv"
    assert not lists.exists()
    lists.write_text("changed\n", encoding="utf-8")
    try:
        assert not inputs.same(updated, published)
    finally:
        lists.unlink()
