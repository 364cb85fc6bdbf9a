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
        """SPARQLWrapper's digest mode installs a process-wide urllib opener for the endpoint: harmless
        here (one store's credentials per process), and Graph Store requests use `opener` instead."""
        client.setCredentials(self.user, self.password, realm=self.realm)
        client.setHTTPAuth(DIGEST if self.scheme == "digest" else BASIC)

    def opener(self, *urls: str | None) -> urllib.request.OpenerDirector:
        """An opener answering the endpoints' challenges (Graph Store requests), for these URLs only."""
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in filter(None, urls):
            passwords.add_password(None, url, self.user, self.password)
        handler = SignedAhead if self.scheme == "digest" else urllib.request.HTTPBasicAuthHandler
        return urllib.request.build_opener(handler(passwords))


class SignedAhead(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that signs each request with the last challenge seen. urllib's own
    handler sends a request unsigned, waits for the 401 and sends it again; Virtuoso answers a large
    body's first sending with a 401 and a closed connection (a reset above about 1 MB), so a Graph
    Store load of a whole graph would never get its second try. RemoteStore._prime fetches a
    challenge with a bodiless request before the first body goes."""

    challenge: dict[str, str] | None = None

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge and not req.has_header("Authorization"):
            signed = self.get_authorization(req, self.challenge)
            if signed:
                req.add_unredirected_header("Authorization", f"Digest {signed}")
        return req

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        offered = headers.get("www-authenticate", "")
        if offered.lower().startswith("digest "):
            self.challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(offered[7:]))
        # the 401 is done with once answered (or the answer failed): its socket is closed now, not left
        # to the garbage collector; unanswered, it goes on to the default handler as an HTTPError
        try:
            answer = super().http_error_401(req, fp, code, msg, headers)
        except BaseException:
            fp.close()
            raise
        if answer is not None:
            fp.close()
        return answer

    https_request = http_request
