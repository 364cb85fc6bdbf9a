"""One configuration object for the CLI, the build and (later) the server.

Paths default to the installed package's own data and to `./var` for the store, and can be moved with
EXPORTKG_HOME so that tests, CI and users never share a store by accident.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where exportkg reads its inputs and keeps its store."""

    home: Path = field(default_factory=lambda: Path(os.environ.get("EXPORTKG_HOME", "var")))
    data_dir: Path = PACKAGE_ROOT / "graph" / "data"
    ontology_dir: Path = PACKAGE_ROOT / "ontology"
    queries_dir: Path = PACKAGE_ROOT / "queries"
    #: the embedded store lives under home/store; "current" is a symlink swapped atomically
    store_name: str = "store"
    #: the import record a build reads (graph/build/record.py sets it: the published build's record,
    #: or the staging file of `exportkg import`)
    imports_override: Path | None = None
    #: a staged GLEIF golden copy directory to build with instead of the kept one (`exportkg import-gleif`)
    gleif_override: Path | None = None
    #: a staged list file (CSL) to build with instead of the imported one (used by `exportkg lists import`)
    lists_override: Path | None = None
    #: the staged record of list entries a newer list file no longer holds (used by `exportkg lists import`)
    removals_override: Path | None = None
    #: scenario files a build includes (each a regime `scenario-<name>` and its facts delta): the
    #: full-build path that the incremental `exportkg impact` is checked against
    scenarios: tuple[Path, ...] = ()
    #: remote-store mode: a SPARQL 1.1 query endpoint (and its update endpoint) instead of the embedded store
    endpoint: str | None = None
    update_endpoint: str | None = None
    #: optionally its SPARQL 1.1 Graph Store Protocol endpoint, for faster bulk loads than INSERT DATA
    store_endpoint: str | None = None
    #: who the remote store's protected endpoints know us as: from the environment only (never a command
    #: line, where `ps` shows it, and never printed: the password is left out of repr)
    store_user: str | None = field(default_factory=lambda: os.environ.get("EXPORTKG_STORE_USER") or None)
    store_password: str | None = field(default_factory=lambda: os.environ.get("EXPORTKG_STORE_PASSWORD") or None,
                                       repr=False)
    #: how to send them: "digest" (Virtuoso's /sparql-auth) answers the server's challenge and never
    #: sends the password; "basic" (Fuseki, GraphDB) sends it with every request
    store_auth: str = field(default_factory=lambda: os.environ.get("EXPORTKG_STORE_AUTH", "digest").lower())
    #: the web service: a query is stopped after this many seconds (its worker process is killed)
    query_timeout: float = 30.0
    #: at most this many result rows per /sparql answer; a cut is signalled, never silent
    row_cap: int = 10_000
    #: the largest request body /sparql accepts, in bytes
    max_request_bytes: int = 1_000_000
    #: query worker processes serving /sparql and the work of every page and API call
    query_workers: int = 2
    #: each query worker's address space in MB (RLIMIT_AS): a query needing more is stopped with a 503
    worker_memory_mb: int = 2048
    #: threads answering requests (waitress)
    web_threads: int = 16
    #: open connections at most, and per client address; a new connection over either cap takes the
    #: place of an idle one (server/connections.py)
    connection_limit: int = 500
    connections_per_address: int = 64
    #: seconds a connection may stay open with nothing in progress, and a request may take to arrive
    idle_timeout: float = 15.0
    request_timeout: float = 30.0
    #: what builds remember between runs (the list entries' SHACL verdict): EXPORTKG_CACHE, else the
    #: user's cache directory (XDG_CACHE_HOME or ~/.cache)/exportkg
    cache_dir: Path = field(default_factory=lambda: Path(os.environ.get("EXPORTKG_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "exportkg"))
    #: a build reasons only these regimes (and the global rules); empty: every regime. For quick
    #: builds while working on one rule (EXPORTKG_REASON_REGIMES=ifr-jan2025,h200-jan2026): every
    #: regime is still loaded, the others simply have no inferences (their answers say so)
    reason_regimes: tuple[str, ...] = field(default_factory=lambda: tuple(
        r.strip() for r in os.environ.get("EXPORTKG_REASON_REGIMES", "").split(",") if r.strip()))
    #: threads the rule engine runs one stratum's steps on (embedded store; a remote store gets one)
    reasoner_threads: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def store_root(self) -> Path:
        return self.home / self.store_name

    @property
    def scenarios_root(self) -> Path:
        """Each applied scenario keeps its own store here (home/scenarios/<name>/current)."""
        return self.home / "scenarios"

    @property
    def imports_file(self) -> Path:
        """Where imported parties were kept before builds carried them (and still are for a remote
        store): read when the published build has no record of its own."""
        return self.home / "imports" / "parties.csv"

    @property
    def gleif_home(self) -> Path:
        """Where the GLEIF golden copy last imported is kept (lei2, rr, repex as .csv or .zip)."""
        return self.home / "imports" / "gleif"

    @property
    def gleif_dir(self) -> Path | None:
        """The GLEIF files a build reads: a staged import's, else the kept ones, else none."""
        if self.gleif_override is not None:
            return self.gleif_override
        return self.gleif_home if self.gleif_home.is_dir() else None

    @property
    def lists_file(self) -> Path | None:
        """The Consolidated Screening List file last imported (home/imports/lists.csv or .json), which
        replaces the shipped BIS lists snapshot in every later build; None: the snapshot."""
        if self.lists_override is not None:
            return self.lists_override
        return next((p for p in (self.home / "imports" / f"lists.{ext}" for ext in ("csv", "json"))
                     if p.exists()), None)

    @property
    def list_removals_file(self) -> Path:
        """Entries earlier list files held and later ones do not (home/imports/lists-removed.csv): kept,
        so an answer about a day when they were listed still finds them."""
        return self.removals_override or self.home / "imports" / "lists-removed.csv"

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "exportkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests point data_dir at fixtures this way)."""
        return replace(self, **changes)  # type: ignore[arg-type]
