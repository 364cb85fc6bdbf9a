"""Credentials for a remote store's protected endpoints (Virtuoso's /sparql-auth, a secured Fuseki or
GraphDB). They come from the environment through Settings, never from a command line (where `ps` shows
them), and are never printed: the password is left out of every repr and message."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from SPARQLWrapper import BASIC, DIGEST, SPARQLWrapper

from exportkg.graph.errors import StoreError

if TYPE_CHECKING:
    from exportkg.graph.config import Settings


@dataclass(frozen=True)
class Credentials:
    """The user the remote store's protected endpoints know us as. Digest authentication answers the
    server's challenge without sending the password; basic sends it with each request."""

    user: str
    password: str = field(repr=False)
    scheme: str = "digest"
    #: the protection space SPARQLWrapper's digest handler answers for (Virtuoso's is "SPARQL")
    realm: str = "SPARQL"

    @classmethod
    def of(cls, settings: Settings) -> Credentials | None:
        if not settings.store_user:
            return None
        if settings.store_auth not in ("digest", "basic"):
            raise StoreError(f"EXPORTKG_STORE_AUTH must be digest or basic, not {settings.store_auth!r}")
        if not settings.store_password:
            raise StoreError("EXPORTKG_STORE_USER is set but EXPORTKG_STORE_PASSWORD is not")
        return cls(settings.store_user, settings.store_password, settings.store_auth)

    def apply(self, client: SPARQLWrapper) -> None:
        client.setCredentials(self.user, self.password, realm=self.realm)
        client.setHTTPAuth(DIGEST if self.scheme == "digest" else BASIC)

    def opener(self, *urls: str | None) -> urllib.request.OpenerDirector:
        """An opener answering the endpoints' challenges (Graph Store requests), for these URLs only."""
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in filter(None, urls):
            passwords.add_password(None, url, self.user, self.password)
        digest = self.scheme == "digest"
        handler = urllib.request.HTTPDigestAuthHandler if digest else urllib.request.HTTPBasicAuthHandler
        return urllib.request.build_opener(handler(passwords))
