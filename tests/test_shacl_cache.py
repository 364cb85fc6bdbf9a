"""The list entries' SHACL verdict is remembered per content, and a change is checked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from exportkg.graph import namespaces as ns
from exportkg.graph.build import shacl_cache
from exportkg.graph.build.pipeline import load_all, ontology_graph, validate_context
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.namespaces import EKG


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path_factory.mktemp("home"), cache_dir=tmp_path_factory.mktemp("cache"))
    return settings, load_all(settings), ontology_graph(settings)


def test_a_passed_check_is_remembered_and_reused(loaded) -> None:  # type: ignore[no-untyped-def]
    settings, ctx, ontology = loaded
    key = shacl_cache.digest(ctx.facts, shacl_cache.entries(ctx.facts), settings)
    assert not shacl_cache.marker(settings, key).exists()
    validate_context(ctx, settings, ontology)
    assert shacl_cache.marker(settings, key).exists()
    validate_context(ctx, settings, ontology)  # the entries are left out: still passes
    assert [p.name for p in settings.cache_dir.iterdir()] == [shacl_cache.marker(settings, key).name]


def test_a_changed_entry_is_checked_again(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, ctx, ontology = loaded
    validate_context(ctx, settings, ontology)
    entry = ns.ID["listed/entity-list/5dcbfd3d0ad6b288"]
    facts = ctx.facts
    facts.add((entry, EKG.listingNotice, Literal("not a citation")))
    try:
        with pytest.raises(DataError) as caught:
            validate_context(ctx, settings, ontology)
        assert "listing notice" in str(caught.value)
    finally:
        facts.remove((entry, EKG.listingNotice, Literal("not a citation")))


def test_a_changed_shape_file_changes_the_key(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, ctx, _ontology = loaded
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(settings.shapes_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (tmp_path / "exportkg.ttl").write_bytes(settings.ontology_file.read_bytes())
    nodes = shacl_cache.entries(ctx.facts)
    assert shacl_cache.digest(ctx.facts, nodes, settings) != shacl_cache.digest(
        ctx.facts, nodes, settings.with_(ontology_dir=tmp_path))
