"""Shared fixtures: one real build of the shipped data per session, and copies of the data to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exportkg.graph.build import build
from exportkg.graph.config import Settings
from exportkg.graph.store import KnowledgeStore, StoreLocation

SHIPPED = Settings()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data built once into a fresh home (a real on-disk Oxigraph store)."""
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def store(built: Settings):  # type: ignore[no-untyped-def]
    kg = KnowledgeStore.open_read_only(StoreLocation(built.store_root))
    yield kg
    kg.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of graph/data for tests that break or extend it."""
    target = tmp_path / "data"
    shutil.copytree(SHIPPED.data_dir, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def select(kg: KnowledgeStore, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, for compact assertions."""
    result = kg.query(sparql)
    names = [str(v) for v in result.vars]
    return [{n: (None if row[i] is None else str(row[i])) for i, n in enumerate(names)}
            for row in result]
