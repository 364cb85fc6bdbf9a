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
    #: a staged imports file to build with instead of the published one (used by `exportkg import`)
    imports_override: Path | None = None
    #: scenario files a build includes (each a regime `scenario-<name>` and its facts delta): the
    #: full-build path that the incremental `exportkg impact` is checked against
    scenarios: tuple[Path, ...] = ()
    #: remote-store mode: a SPARQL 1.1 query endpoint (and its update endpoint) instead of the embedded store
    endpoint: str | None = None
    update_endpoint: str | None = None
    #: optionally its SPARQL 1.1 Graph Store Protocol endpoint, for faster bulk loads than INSERT DATA
    store_endpoint: str | None = None
    #: the web service: a query is stopped after this many seconds (its worker process is killed)
    query_timeout: float = 30.0
    #: at most this many result rows per /sparql answer; a cut is signalled, never silent
    row_cap: int = 10_000
    #: the largest request body /sparql accepts, in bytes
    max_request_bytes: int = 1_000_000
    #: query worker processes serving /sparql
    query_workers: int = 2
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
        """Parties researchers imported: kept beside the store so every build includes them."""
        return self.imports_override or self.home / "imports" / "parties.csv"

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "exportkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests point data_dir at fixtures this way)."""
        return replace(self, **changes)  # type: ignore[arg-type]
