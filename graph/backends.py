"""Which store the settings name: the embedded on-disk Oxigraph store or a remote SPARQL 1.1 store.

Everything that reads the published graph (CLI, server, determinations) opens it through here, so the
choice is made once, from `Settings.endpoint`.
"""

from __future__ import annotations

from .config import Settings
from .remote import RemoteStore
from .store import KnowledgeStore, StoreLocation

AnyStore = KnowledgeStore | RemoteStore


def open_published(settings: Settings) -> AnyStore:
    """The last published build, read-only for the embedded store."""
    if settings.endpoint:
        return RemoteStore.open_published(settings)
    return KnowledgeStore.open_read_only(StoreLocation(settings.store_root))


def published_exists(settings: Settings) -> bool:
    if settings.endpoint:
        return RemoteStore.open_published(settings).exists()
    return StoreLocation(settings.store_root).exists()
