"""`exportkg import` with the optional `owners` column (`id:share;id:share`): several owners per party.

The loader-level tests run the curated organizations and the import loader alone (no build, fast
tier); the end-to-end tests at the bottom import through `import_parties` into a fresh home (slow)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.build import record
from exportkg.graph.build.importer import import_parties
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders import companies, countries, imports, sources
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.namespaces import EKG, ID
from exportkg.graph.store import named
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

OLD_HEADER = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source\n"
HEADER = OLD_HEADER.rstrip("\n") + ",owners\n"
#: a party owned 60 % by A; A owned 30 % by B and 25 % by C (and by Huawei, share unknown)
GROUP = HEADER + """o-b,Owner B,company,CN,CN,,,,,annual report,
o-c,Owner C,company,HK,HK,,,,,annual report,
o-a,Holding A,company,SG,SG,,,,,annual report,o-b:30;o-c:25.5;huawei:
o-p,Party P,company,MY,MY,,,,,annual report,o-a:60
"""


def load(tmp_path: Path, text: str, name: str = "owners.csv") -> LoadContext:
    """The curated organizations, then the file as an import: the loaders `exportkg import` runs first."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    ctx = LoadContext(Settings(home=tmp_path / "home"))
    for loader in (sources.load, countries.load, companies.load):
        loader(ctx)
    assert ctx.problems == []
    imports.load(ctx, path)
    return ctx


def link(owned: str, owner: str) -> URIRef:
    return ID[f"ownership/{owned}/{owner}"]


def errors(tmp_path: Path, rows: str, header: str = HEADER) -> list[str]:
    ctx = load(tmp_path, header + "x-ok,Fine Co,company,SG,SG,,,,,s,\n" + rows, name="bad.csv")
    return [str(p) for p in ctx.problems]


def test_two_owners_become_two_ownership_links_with_their_shares(tmp_path: Path) -> None:
    ctx = load(tmp_path, GROUP)
    assert ctx.problems == []
    facts, held = ctx.facts, ns.org("o-a")
    for owner, share in (("o-b", "30"), ("o-c", "25.5")):
        node = link("o-a", owner)
        assert (node, EKG.owner, ns.org(owner)) in facts and (node, EKG.owned, held) in facts
        assert facts.value(node, EKG.sharePercent) == Literal(Decimal(share))
        assert facts.value(node, EKG.controlBasis) == EKG.MinorityStake  # 50 % or less: not control
        assert facts.value(node, ns.DCTERMS.source) is not None
    assert facts.value(link("o-p", "o-a"), EKG.controlBasis) == EKG.MajorityControl
    assert (ns.org("o-p"), EKG.controlledBy, ns.org("o-a")) in facts
    assert set(facts.objects(held, EKG.controlledBy)) == set()  # no owner of A controls it


def test_an_owner_without_a_share_is_unknown_not_zero(tmp_path: Path) -> None:
    facts = load(tmp_path, GROUP).facts
    node = link("o-a", "huawei")  # `huawei:` (the curated Huawei)
    assert (node, EKG.owner, ns.org("huawei")) in facts
    assert facts.value(node, EKG.sharePercent) is None
    assert facts.value(node, EKG.controlBasis) is None
    assert (node, EKG.valueUnknown, Literal("controlBasis")) in facts
    bare = load(tmp_path, HEADER + "o-x,X,company,SG,SG,,,,,s,huawei\n").facts  # `huawei`, no colon
    assert bare.value(link("o-x", "huawei"), EKG.sharePercent) is None
    assert (link("o-x", "huawei"), EKG.valueUnknown, Literal("controlBasis")) in bare


def test_parent_and_owners_together(tmp_path: Path) -> None:
    ctx = load(tmp_path, HEADER + "o-x,X,company,SG,SG,huawei,40,,,s,tencent:35;alibaba-group\n")
    assert ctx.problems == []
    facts = ctx.facts
    assert facts.value(link("o-x", "huawei"), EKG.sharePercent) == Literal(Decimal(40))
    assert facts.value(link("o-x", "huawei"), EKG.controlBasis) == EKG.MinorityStake
    assert facts.value(link("o-x", "tencent"), EKG.sharePercent) == Literal(Decimal(35))
    assert (link("o-x", "alibaba-group"), EKG.owner, ns.org("alibaba-group")) in facts
    assert (link("o-x", "alibaba-group"), EKG.valueUnknown, Literal("controlBasis")) in facts


def test_a_file_without_the_owners_column_still_loads(tmp_path: Path) -> None:
    ctx = load(tmp_path, OLD_HEADER + "o-x,X,company,SG,SG,huawei,,,,s\no-y,Y,company,SG,SG,o-x,30,,,s\n")
    assert ctx.problems == []
    assert ctx.facts.value(link("o-x", "huawei"), EKG.controlBasis) == EKG.StatedControl  # as before
    assert ctx.facts.value(link("o-y", "o-x"), EKG.controlBasis) == EKG.MinorityStake


@pytest.mark.parametrize("rows, line, reason", [
    ("x-a,A,company,SG,SG,,,,,s,no-such:20\n", 3, "owners: 'no-such' does not exist"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:20:5\n", 3, "owners: malformed entry 'huawei:20:5'"),
    ("x-a,A,company,SG,SG,,,,,s,:20\n", 3, "owners: malformed entry ':20'"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:20;;tencent:10\n", 3, "owners: malformed entry ''"),
    ("x-a,A,company,SG,SG,,,,,s,Huawei Co:20\n", 3, "owners: malformed entry 'Huawei Co:20'"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:thirty\n", 3, "owners (huawei): not a number: 'thirty'"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:101\n", 3, "owners (huawei): a share must be <= 100, got 101"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:-1\n", 3, "owners (huawei): must be >= 0"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:nan\n", 3, "owners (huawei): not a finite number"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:inf\n", 3, "owners (huawei): not a finite number"),
    ("x-a,A,company,SG,SG,,,,,s,x-a:10\n", 3, "owners: an organization cannot own itself"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:60;tencent:50.5\n", 3, "owners: the owners' shares sum to 110.5 %, over 100"),
    ("x-a,A,company,SG,SG,huawei,70,,,s,tencent:40\n", 3, "owners: the owners' shares sum to 110 %, over 100"),
    ("x-a,A,company,SG,SG,,,,,s,huawei:10;huawei:20\n", 3, "owners: 'huawei' is named twice"),
    ("x-a,A,company,SG,SG,huawei,10,,,s,huawei:20\n", 3, "owners: 'huawei' is named twice (it is the parent)"),
    ("x-a,A,company,SG,SG,huawei,,,,s,tencent:60\n", 3, "owners: more than one owner would control it"),
    ("x-a,A,company,SG,SG,,,,,s,x-b:10\nx-b,B,company,SG,SG,,,,,s,x-a:10\n", None, "ownership cycle: "),
    ("x-a,A,company,SG,SG,x-c,60,,,s,\nx-b,B,company,SG,SG,,,,,s,x-a:10\nx-c,C,company,SG,SG,,,,,s,tencent:5;x-b\n",
     None, "ownership cycle: "),
    ("x-a,A,data_center,SG,,,,,,s,huawei:10\n", 3, "owners: only a company has owners"),
], ids=["unknown-owner", "two-colons", "no-id", "empty-entry", "not-an-id", "not-a-number", "over-100",
        "negative", "nan", "infinite", "self", "sum-over-100", "sum-with-parent", "twice", "parent-twice",
        "two-controllers", "cycle", "cycle-through-minority-owners", "data-center"])
def test_owner_errors_name_file_line_and_reason(tmp_path: Path, rows: str, line: int | None, reason: str) -> None:
    messages = errors(tmp_path, rows)
    prefix = "bad.csv:" if line is None else f"bad.csv:{line}: "
    assert any(m.startswith(prefix) and reason in m for m in messages), messages


def test_a_cycle_is_reported_once_with_its_path(tmp_path: Path) -> None:
    messages = errors(tmp_path, "x-a,A,company,SG,SG,,,,,s,x-b:10\nx-b,B,company,SG,SG,,,,,s,tencent;x-a:10\n")
    assert [m for m in messages if "cycle" in m] == ["bad.csv:3: ownership cycle: x-a -> x-b -> x-a"]


def test_ownership_up_returns_every_link_above_a_party(tmp_path: Path) -> None:
    ctx = load(tmp_path, GROUP)
    kg = KnowledgeStore.in_memory()
    kg.load_graph(ctx.facts, ns.FACTS_GRAPH)
    rows = named.rows(kg, ctx.settings, "ownership-up", party=str(ns.org("o-p")))
    got = {(str(r["owned"]).rsplit("/", 1)[1], str(r["owner"]).rsplit("/", 1)[1]):
           (None if r["share"] is None else r["share"].toPython(),
            None if r["control"] is None else r["control"].toPython()) for r in rows}
    assert got[("o-p", "o-a")] == (Decimal(60), True)
    assert got[("o-a", "o-b")] == (Decimal(30), False)
    assert got[("o-a", "o-c")] == (Decimal("25.5"), False)
    assert got[("o-a", "huawei")] == (None, None)  # share and control unknown: unbound
    # the chain goes on above the curated Huawei, and nothing below or beside the party is included
    assert all(owned in {"o-p", "o-a"} or owned.startswith("huawei") for owned, _ in got)
    assert len(rows) == len(got)
    top = named.rows(kg, ctx.settings, "ownership-up", party=str(ns.org("o-b")))
    assert top == []


# ---------------------------------------------------------------------------- end to end (real builds)

def store_facts(settings: Settings, sparql: str) -> list[tuple] | bool:
    """A SELECT's rows, or an ASK's answer, read from the published store."""
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        result = kg.query(sparql)
        return bool(result.askAnswer) if result.type == "ASK" else [tuple(row) for row in result]
    finally:
        kg.close()


@pytest.mark.slow
def test_import_parties_with_owners_end_to_end(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", reason_regimes=("ifr-jan2025",))  # facts checked, not the law
    old = tmp_path / "old.csv"  # a file made before the owners column: still imported
    old.write_text(OLD_HEADER + "o-old,Old Co,company,VN,CN,huawei,80,,,annual report\n", encoding="utf-8")
    assert (import_parties(settings, old).added, 0) == (1, 0)
    path = tmp_path / "group.csv"
    path.write_text(GROUP, encoding="utf-8")
    result = import_parties(settings, path)
    assert (result.added, result.replaced) == (4, 0)
    rows = store_facts(settings, f"""PREFIX ekg: <{EKG}>
        SELECT ?owner ?share ?basis WHERE {{
          ?l a ekg:Ownership ; ekg:owned <{ns.org('o-a')}> ; ekg:owner ?owner .
          OPTIONAL {{ ?l ekg:sharePercent ?share }} OPTIONAL {{ ?l ekg:controlBasis ?basis }} }}""")
    got = {str(o).rsplit("/", 1)[1]: (s and s.toPython(), b) for o, s, b in rows}  # type: ignore[union-attr]
    assert got == {"o-b": (Decimal(30), EKG.MinorityStake), "o-c": (Decimal("25.5"), EKG.MinorityStake),
                   "huawei": (None, None)}
    assert store_facts(settings, f"ASK {{ <{ns.org('o-old')}> <{EKG.controlledBy}> <{ns.org('huawei')}> }}")
    assert "owners" in record.published(settings).read_text(encoding="utf-8").splitlines()[0]  # type: ignore[union-attr]

    bad = tmp_path / "bad.csv"  # a good row and a bad one: the whole file is refused
    bad.write_text(HEADER + "o-new,New Co,company,SG,SG,,,,,s,o-a:30\no-bad,Bad,company,SG,SG,,,,,s,o-b:90;o-c:20\n",
                   encoding="utf-8")
    before = record.published(settings).read_text(encoding="utf-8")  # type: ignore[union-attr]
    store_before = StoreLocation(settings.store_root).resolved()
    with pytest.raises(DataError) as info:
        import_parties(settings, bad)
    assert [str(p) for p in info.value.problems] == [
        "bad.csv:3: owners: the owners' shares sum to 110 %, over 100 (o-b 90, o-c 20)"]
    assert record.published(settings).read_text(encoding="utf-8") == before  # type: ignore[union-attr]
    assert StoreLocation(settings.store_root).resolved() == store_before
    assert not store_facts(settings, f"ASK {{ <{ns.org('o-new')}> ?p ?o }}")
