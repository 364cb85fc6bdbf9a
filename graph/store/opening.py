"""Which store the settings name: the embedded on-disk Oxigraph store or a remote SPARQL 1.1 store.

Everything that reads the published graph (CLI, server, answers) opens it through here, so the choice
is made once, from `Settings.endpoint`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.remote import RemoteStore


def open_published(settings: Settings) -> Store:
    """The last published build, read-only for the embedded store."""
    if settings.endpoint:
        return RemoteStore.open_published(settings)
    return KnowledgeStore.open_read_only(StoreLocation(settings.store_root))


def published_exists(settings: Settings) -> bool:
    if settings.endpoint:
        return RemoteStore.open_published(settings).exists()
    return StoreLocation(settings.store_root).exists()


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    """The published store for the length of a `with` block, closed after it."""
    store = open_published(settings)
    try:
        yield store
    finally:
        store.close()
