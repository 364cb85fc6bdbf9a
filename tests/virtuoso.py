"""A private OpenLink Virtuoso 7.2 instance (Debian's `virtuoso-opensource`) for remote-store tests.

Each instance has its own virtuoso.ini and database files in a work directory, listens on free loopback
ports only (HTTP and ISQL), may read and write files in that directory alone (DirsAllowed) and has no
result-row cap, query timeout or 50 MB cap on one update's transaction log (a store under test must
not truncate answers silently, and a publish of a full build writes far more than 50 MB).

Writes go through Virtuoso's authenticated endpoints (`/sparql-auth`, `/sparql-graph-crud-auth`, HTTP
digest auth, realm "SPARQL") as a dedicated user holding the SPARQL_UPDATE role; the public `/sparql`
stays read-only, as on a real deployment. The well-known `dba`/`dba` account gets a random password
as soon as the server answers.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers import free_port, wait_for

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER = "exportkg"
#: seconds to wait for /sparql: a fresh database answers in 3-5 s on two cores; a reused one replays its
#: transaction log first (15 s after a 2-million-triple publish)
STARTUP = 120.0

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
CheckpointInterval = 60
; about 1 GB of page buffers (OpenLink's sizing: 85000 / 65000 per GB of RAM set aside)
NumberOfBuffers = 85000
MaxDirtyBuffers = 65000
MaxQueryMem = 1G
; bytes of transaction log one update may write (default 50 MB: SR325 aborts a full publish)
TransactionAfterImageLimit = 1500000000
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; 0 disables each limit: no row cap (default 10000), no cost-estimate refusal, no timeout
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """A running instance: where to send each kind of request, and who may write."""

    base: str
    user: str
    password: str
    isql_port: int
    dba_password: str
    workdir: Path

    @property
    def query_endpoint(self) -> str:
        """Public and anonymous: SPARQL SELECT/ASK/CONSTRUCT only."""
        return f"{self.base}/sparql"

    @property
    def update_endpoint(self) -> str:
        """Digest-authenticated; takes `update=` (and `query=`) as SPARQL 1.1 Update."""
        return f"{self.base}/sparql-auth"

    @property
    def store_endpoint(self) -> str:
        """Digest-authenticated Graph Store Protocol (`?graph=` only; no `?default`)."""
        return f"{self.base}/sparql-graph-crud-auth"

    @property
    def public_store_endpoint(self) -> str:
        """The anonymous Graph Store Protocol endpoint: GET works, writes are refused."""
        return f"{self.base}/sparql-graph-crud"

    def allow_anonymous_update(self) -> None:
        """Let anyone update through the public /sparql and /sparql-graph-crud (the SPARQL role, user
        `nobody`): only for clients that cannot authenticate, on a throwaway instance."""
        try:
            self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        except RuntimeError as exc:  # granted before, in a reused database
            if "already have role" not in str(exc):
                raise

    def isql(self, sql: str) -> str:
        """Run SQL statements (`;`-separated) as dba; raises on any SQL error (isql-vt exits 0)."""
        return _isql(self.isql_port, self.dba_password, sql)


def _isql(port: int, password: str, sql: str) -> str:
    done = subprocess.run([ISQL, f"127.0.0.1:{port}", "dba", password, "VERBOSE=OFF", "BANNER=OFF",
                           "PROMPT=OFF", "ECHO=OFF", f"exec={sql}"],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode or "*** Error" in done.stderr:
        raise RuntimeError(f"isql failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def available() -> bool:
    """Whether Virtuoso is installed (the tests fail without it: make test installs it)."""
    return bool(shutil.which(VIRTUOSO) and shutil.which(ISQL))


@contextlib.contextmanager
def virtuoso_process(workdir: Path, max_rows: int = 0) -> Iterator[VirtuosoServer]:
    """Virtuoso with its database in `workdir` (made there, or reused with its data and credentials)
    until the block ends; then terminated (a quick shutdown, under 2 s even mid-query) or killed."""
    workdir = workdir.resolve()
    secret = workdir / "credentials"  # a database made here before keeps its users and passwords
    fresh = not (workdir / "virtuoso.db").exists()
    (workdir / "www").mkdir(parents=True, exist_ok=True)
    http_port, isql_port = free_port(), free_port()
    while isql_port == http_port:
        isql_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(INI.format(dir=workdir, http_port=http_port, isql_port=isql_port, max_rows=max_rows),
                   encoding="utf-8")
    output = (workdir / "virtuoso.out").open("w+", encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=workdir,
                            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    proc.output = output  # type: ignore[attr-defined]  # wait_for shows it if the server dies
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_for(f"{base}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), proc, STARTUP)
        if fresh:
            dba, password = secrets.token_hex(12), secrets.token_hex(12)
            _isql(isql_port, "dba", f"DB.DBA.USER_CREATE('{USER}', '{password}'); "
                                    f"GRANT SPARQL_UPDATE TO \"{USER}\"; USER_SET_PASSWORD('dba', '{dba}');")
            secret.write_text(f"{dba} {password}\n", encoding="utf-8")
        dba, password = secret.read_text(encoding="utf-8").split()
        yield VirtuosoServer(base, USER, password, isql_port, dba, workdir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        output.close()
