"""The GLEIF golden copy import: the published CSV layout read by column name, every parent that is not
known kept as an unknown with its reason, bad files refused by file and line, and (slow) the sample
imported into a built home answering `determine` as the law and the files say."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.build import pipeline
from exportkg.graph.build.shacl import check_shapes
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders import countries, gleif, sources
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.namespaces import EKG

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
import gleif_synth as synth  # noqa: E402

SAMPLE = Path(__file__).parent / "data" / "gleif"


def org(k: int) -> URIRef:
    return ns.org(gleif.org_id(synth.lei(k)))


def loaded(folder: Path) -> LoadContext:
    """The GLEIF loader alone, over the sources and countries it cites and refers to."""
    ctx = LoadContext(Settings(home=Path(tempfile.mkdtemp(prefix="exportkg-gleif-test-"))))
    sources.load(ctx)
    countries.load(ctx)
    try:
        gleif.load(ctx, folder)
        if ctx.bulk is not None:  # the entities and links are written as N-Triples (loaders/bulk.py)
            ctx.facts += ctx.bulk.graph()
    finally:
        ctx.discard_bulk()
    return ctx


def unknown_parent(ctx: LoadContext, k: int) -> str | None:
    if (org(k), EKG.valueUnknown, Literal("controlledBy")) not in ctx.facts:
        return None
    return str(ctx.facts.value(org(k), EKG.parentUnknownReason))


@pytest.fixture(scope="module")
def sample() -> LoadContext:
    return loaded(SAMPLE)


def test_lei_check_digits() -> None:
    assert gleif.valid_lei("5493001KJTIIGC8Y1R12")  # GLEIF's own LEI
    assert not gleif.valid_lei("5493001KJTIIGC8Y1R13")
    assert not gleif.valid_lei("5493001kjtiigc8y1r12") and not gleif.valid_lei("5493001KJTIIGC8Y1R1")
    assert all(gleif.valid_lei(synth.lei(k)) for k in (1, 36, 10**9))


def test_the_shipped_sample_has_the_published_headers() -> None:
    """Every column of the published layout, in order (338, 55 and 13 columns), and every column the
    importer needs among them."""
    for kind, header in (("lei2", synth.level1_header()), ("rr", synth.rr_header()), ("repex", synth.repex_header())):
        first = (SAMPLE / f"{kind}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first == ",".join(f'"{h}"' for h in header)
        assert set(gleif.FILES[kind]) <= set(header)
    assert (len(synth.level1_header()), len(synth.rr_header()), len(synth.repex_header())) == (338, 55, 13)


def test_three_levels_lead_to_the_hong_kong_parent(sample: LoadContext) -> None:
    facts = sample.facts
    assert [facts.value(org(k), EKG.controlledBy) for k in (1, 2, 3)] == [org(2), org(3), org(4)]
    assert facts.value(org(4), EKG.headquarteredIn) == ns.country("HK")
    assert unknown_parent(sample, 4) is None  # natural persons: no parent entity, stated in a note
    assert "NATURAL_PERSONS" in str(facts.value(org(4), EKG.note))
    link = ns.ID[f"ownership/{gleif.org_id(synth.lei(1))}/{gleif.org_id(synth.lei(2))}"]
    assert facts.value(link, EKG.controlBasis) == EKG.StatedControl
    assert facts.value(link, EKG.confidence) == EKG.Dataset
    assert facts.value(link, ns.DCTERMS.source) == ns.source(gleif.SOURCE)
    assert "GLEIF rr file rr.csv line 2" in str(facts.value(link, EKG.note))  # the record it comes from


def test_a_parent_not_known_is_unknown_with_its_reason(sample: LoadContext) -> None:
    assert "NON_PUBLIC" in unknown_parent(sample, 5) and "LEGAL_OBSTACLES" in unknown_parent(sample, 5)
    dangling = ns.org(gleif.org_id(synth.lei(9999, lou="9845")))  # the parent without a record
    assert sample.facts.value(org(9), EKG.controlledBy) == dangling
    assert (dangling, EKG.valueUnknown, Literal("headquarteredIn")) in sample.facts
    assert "no level 1 record" in str(sample.facts.value(dangling, EKG.parentUnknownReason))
    assert "cycle" in unknown_parent(sample, 10) and "cycle" in unknown_parent(sample, 11)
    assert sample.facts.value(org(10), EKG.controlledBy) is None  # a cycle has no top: not followed
    assert "neither a parent relationship nor a reporting exception" in unknown_parent(sample, 14)


def test_statuses_and_relationship_kinds_as_the_code_lists_define(sample: LoadContext) -> None:
    facts = sample.facts
    assert facts.value(org(6), EKG.registrationStatus) == Literal("LAPSED")
    assert facts.value(org(7), EKG.registrationStatus) == Literal("RETIRED")
    assert (org(8), None, None) not in facts  # annulled: no valid record
    assert facts.value(org(12), EKG.controlledBy) == org(13)  # a lapsed relationship record still stands
    assert facts.value(org(15), EKG.controlledBy) is None  # an inactive relationship does not
    assert facts.value(org(14), EKG.controlledBy) is None  # a fund manager is no parent
    assert unknown_parent(sample, 13) is None  # no known person: the top, as stated


def test_the_streamed_triples_meet_the_shapes_the_build_no_longer_checks_them_against(sample: LoadContext) -> None:
    """A build does not give the GLEIF triples to pySHACL (millions of nodes): their rows are checked
    by the loader, and the triples it writes must be what the shapes ask of every Organization and
    Ownership. Here they are checked: the sample's entities, links and unknowns with the ontology."""
    settings = Settings(home=Path(tempfile.mkdtemp(prefix="exportkg-gleif-test-")))
    ontology = pipeline.ontology_graph(settings)
    data = Graph()
    data += ontology
    data += sample.facts
    check_shapes(data, pipeline.shapes_graph(settings), ontology, {})  # raises DataError on a violation
    assert len(set(sample.facts.subjects(ns.RDF.type, EKG.Ownership))) > 5


def test_any_name_survives_the_n_triples_file(tmp_path: Path) -> None:
    """Names are written as N-Triples text: quotes, backslashes, line breaks, `>` and scripts of every
    kind come back as written, and stay a literal (nothing of a name becomes a term)."""
    names = ['A "quoted" \\ name', "Two\nlines\rthree", "x> <http://evil/> .", "华为技术有限公司", "Ünïcödé ✓"]
    entities = [synth.entity(synth.lei(k), name, "CN") for k, name in enumerate(names, start=1)]
    ctx = loaded(synth.write(tmp_path / "names", entities, [], [])["lei2"].parent)
    assert [str(ctx.facts.value(org(k), ns.RDFS.label)) for k in range(1, 6)] == names
    assert not any("evil" in str(t) for triple in ctx.facts for t in triple if not isinstance(t, Literal))


def test_zipped_files_read_like_plain_ones(tmp_path: Path) -> None:
    folder = tmp_path / "zipped"
    synth.generate(300, 7, folder, zipped=True)
    plain = tmp_path / "plain"
    synth.generate(300, 7, plain)
    zipped_ctx, plain_ctx = loaded(folder), loaded(plain)
    assert len(zipped_ctx.facts) == len(plain_ctx.facts) > 3000
    assert sorted(p for p in folder.iterdir()) == [folder / f"{k}.zip" for k in ("lei2", "repex", "rr")]


def test_the_generator_makes_every_case(tmp_path: Path) -> None:
    ctx = loaded(synth_folder(tmp_path, 2000))
    reasons = [str(o) for o in ctx.facts.objects(None, EKG.parentUnknownReason)]
    for text in ("cycle", "no level 1 record", "NON_CONSOLIDATING", "neither a parent"):
        assert any(text in r for r in reasons), text
    assert len(set(ctx.facts.subjects(EKG.controlledBy, None))) > 800


def synth_folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "synthetic"
    synth.generate(n, 3, folder)
    return folder


def _bad(tmp_path: Path, kind: str, row: dict[str, str]) -> Path:
    folder = tmp_path / "bad"
    shutil.copytree(SAMPLE, folder)
    header = {"lei2": synth.level1_header, "rr": synth.rr_header, "repex": synth.repex_header}[kind]()
    with (folder / f"{kind}.csv").open("a", encoding="utf-8") as handle:
        handle.write(",".join(row.get(h, "") for h in header) + "\n")
    return folder


@pytest.mark.parametrize("kind, row, reason", [
    ("lei2", synth.entity("5493001KJTIIGC8Y1R13", "Bad Check Ltd", "GB"), "is not a valid LEI"),
    ("lei2", synth.entity(synth.lei(50), "Odd Status Ltd", "GB", status="FROZEN"), "unknown status 'FROZEN'"),
    ("lei2", synth.entity(synth.lei(51), "Nowhere Ltd", "QQ"), "unknown country code 'QQ'"),
    ("lei2", synth.entity(synth.lei(1), "Twice Ltd", "GB"), "appears twice (first at line 2)"),
    ("rr", synth.relationship(synth.lei(1), synth.lei(2), kind="IS_BEST_FRIEND_OF"), "unknown type"),
    ("rr", synth.relationship(synth.lei(1), synth.lei(1)), "start and end node are the same"),
    ("repex", synth.exception(synth.lei(5), "DIRECT", "SHY"), "Exception.Reason"),
], ids=["check-digits", "status", "country", "duplicate", "type", "self", "reason"])
def test_a_bad_row_is_refused_with_file_line_and_reason(tmp_path: Path, kind: str, row: dict[str, str],
                                                         reason: str) -> None:
    folder = _bad(tmp_path, kind, row)
    lines = len((folder / f"{kind}.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(DataError) as info:
        loaded(folder)
    assert any(str(p).startswith(f"GLEIF {kind} file {kind}.csv:{lines}: ") and reason in str(p)
               for p in info.value.problems), info.value.problems


def test_a_missing_column_or_a_zip_of_two_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cut"
    shutil.copytree(SAMPLE, folder)
    text = (folder / "rr.csv").read_text(encoding="utf-8").replace('"Relationship.RelationshipType"', '"Type"')
    (folder / "rr.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"rr.csv:1: missing column\(s\): Relationship.RelationshipType"):
        loaded(folder)
    import zipfile
    two = tmp_path / "two"
    two.mkdir()
    with zipfile.ZipFile(two / "lei2.zip", "w") as archive:
        archive.write(SAMPLE / "lei2.csv", "a.csv")
        archive.write(SAMPLE / "lei2.csv", "b.csv")
    with pytest.raises(DataError, match="expected one .csv inside the zip, found 2"):
        loaded(two)


# --- end to end: imported into a built home, answered by `determine` ------------------------------------

REGIME = "ifr-jan2025"  # HQ-D5M: a presumption of denial wherever the party is (15 CFR 742.6(a)(6)(iii)(A))


@pytest.fixture(scope="module")
def imported(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from exportkg.graph.build.gleif_import import GleifFiles, import_gleif

    from helpers import copy_home

    settings = copy_home(built, tmp_path_factory.mktemp("gleif")).with_(reason_regimes=(REGIME,))
    IMPORTS[settings.home] = import_gleif(settings, GleifFiles(SAMPLE / "lei2.csv", SAMPLE / "rr.csv",
                                                               SAMPLE / "repex.csv"))
    return settings


#: what each import of the `imported` fixture returned, by home
IMPORTS: dict[Path, object] = {}


def answer(settings: Settings, k: int, item: str = "3A090.a"):  # type: ignore[no-untyped-def]
    from exportkg.graph.answers.determine import determine
    from exportkg.graph.store.embedded import KnowledgeStore
    from exportkg.graph.store.location import StoreLocation

    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        return determine(kg, settings, gleif.org_id(synth.lei(k)), item, regime=REGIME)
    finally:
        kg.close()


@pytest.mark.slow
def test_a_parent_in_hong_kong_three_levels_up_means_a_presumption_of_denial(imported: Settings) -> None:
    result = answer(imported, 1)
    assert (result.license_required, result.review_policy) == (True, "presumption_of_denial")
    chain = next(r.because for r in result.reasons if r.rule == "hq-d5m")
    for name in ("Orchard Holdings", "Harbour Capital", "Victoria Peak Group"):
        assert name in chain, chain
    macau = answer(imported, 12)  # a lapsed relationship record to a parent in Macau
    assert macau.review_policy == "presumption_of_denial"


@pytest.mark.slow
@pytest.mark.parametrize("k, why", [(5, "NON_PUBLIC"), (9, "no level 1 record"), (10, "cycle"),
                                    (14, "neither a parent relationship nor a reporting exception")],
                         ids=["exception", "dangling", "cycle", "no-level-2"])
def test_a_parent_nobody_knows_makes_the_answer_undetermined(imported: Settings, k: int, why: str) -> None:
    result = answer(imported, k)
    assert result.license_required is None or result.review_policy != "presumption_of_approval"
    assert any(why in u.fact for u in result.unknowns), [u.fact for u in result.unknowns]


@pytest.mark.slow
def test_a_stated_top_or_an_ended_link_is_known_not_undetermined(imported: Settings) -> None:
    for k in (6, 15):  # lapsed, natural persons; an inactive link to a Chinese parent
        result = answer(imported, k)
        assert result.unknowns == [] and result.review_policy != "presumption_of_denial", k
        assert all(r.rule != "hq-d5m" for r in result.reasons)


@pytest.mark.slow
def test_a_bad_file_changes_nothing_and_the_cli_reports(imported: Settings, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from exportkg.graph.build.gleif_import import GleifFiles, import_gleif
    from exportkg.graph.cli.main import main
    from exportkg.graph.store.location import StoreLocation

    folder = _bad(tmp_path, "rr", synth.relationship(synth.lei(1), synth.lei(1)))
    before, kept = StoreLocation(imported.store_root).resolved(), sorted(imported.gleif_home.iterdir())
    with pytest.raises(DataError, match="rr.csv:12: the relationship's start and end node"):
        import_gleif(imported, GleifFiles(folder / "lei2.csv", folder / "rr.csv"))
    assert StoreLocation(imported.store_root).resolved() == before
    assert sorted(imported.gleif_home.iterdir()) == kept
    assert [p.name for p in (imported.home / "imports").iterdir() if p.name.startswith("gleif.")] == []
    result = runner.invoke(main, ["--home", str(imported.home), "import-gleif", str(folder / "lei2.csv"),
                                  "--relationships", str(folder / "rr.csv")])
    assert result.exit_code == 1 and "rr.csv:12: the relationship's start and end node" in result.output
    assert StoreLocation(imported.store_root).resolved() == before


@pytest.mark.slow
def test_the_import_summary_counts_known_and_unknown_parents(imported: Settings) -> None:
    """15 valid level 1 records and the parent without one; known parents: the three-level chain (3),
    the dangling parent's child and the Macau subsidiary; unknown: the withheld parent, the cycle (2),
    the two entities with no level 2 data and the parent without a record."""
    from exportkg.graph.store.named import records
    from exportkg.graph.store.opening import opened

    with opened(imported) as store:
        row = records(store, imported, "gleif-summary")[0]
    assert (int(row.entities), int(row.withParent), int(row.parentUnknown)) == (16, 5, 6)
    # the command's summary is the loader's count of what it wrote (the query takes 20 s at 3.1M): the same
    counts = IMPORTS[imported.home].counts  # type: ignore[attr-defined]
    assert (counts["entities"], counts["withParent"], counts["parentUnknown"]) == (16, 5, 6)


def test_a_cycle_is_told_the_same_way_whatever_the_order_entities_come_in() -> None:
    """A cycle's text is a fact of the graph: it must not depend on the order a set of LEIs is walked
    in (Python's string hashing differs per process, so two builds once told one cycle two ways)."""
    from exportkg.graph.loaders.gleif_parents import Link, Parents, cycles

    ring = ["C0000000000000000003", "A0000000000000000001", "B0000000000000000002"]
    parents = Parents(direct={child: [Link(parent, "IS_DIRECTLY_CONSOLIDATED_BY", "ACTIVE", "rr.csv line 2")]
                              for child, parent in zip(ring, ring[1:] + ring[:1], strict=True)})
    told = {tuple(sorted(cycles(order, parents.chosen, set(ring).__contains__).items()))
            for order in (ring, ring[::-1], ring[1:] + ring[:1])}
    assert len(told) == 1
    text = dict(next(iter(told)))["B0000000000000000002"]
    assert text == "A0000000000000000001 -> B0000000000000000002 -> C0000000000000000003 -> A0000000000000000001"
