"""Seeded mutations of requests, import rows and scenario files: what an attacker or a careless user
sends. Shared by the hostile-input tests (tests/test_hostile_fuzz.py, a few thousand) and the long run
(bench/hostile.py, 10,000 requests). Every generator takes a random.Random, so a run is repeatable
from its seed; sizes are bounded so that a run is bounded too.
"""

from __future__ import annotations

import json
import random
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

PREFIX = "PREFIX ekg: <https://w3id.org/exportkg/ontology#>\n"
SEED_QUERIES = [
    "ASK {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    PREFIX + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?m a ekg:NatoMembership ; ekg:member ?c }",
    PREFIX + "SELECT ?c ?joined { ?m a ekg:NatoMembership ; ekg:member ?c ; ekg:accessionDate ?joined } LIMIT 10",
    PREFIX + "CONSTRUCT { ?c ekg:accessionDate ?j } WHERE { ?m a ekg:NatoMembership ; ekg:member ?c ; "
             "ekg:accessionDate ?j } LIMIT 10",
    "DESCRIBE <https://w3id.org/exportkg/id/country/PL>",
    "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(REGEX(?l, 'Ali')) } LIMIT 3",
    "SELECT * FROM <https://w3id.org/exportkg/graph/facts> WHERE { ?s ?p ?o } LIMIT 2",
    "BASE <https://w3id.org/exportkg/graph/> SELECT * FROM NAMED <facts> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 2",
    'SELECT (STRLEN(CONCAT("a", "b")) AS ?n) WHERE { BIND("\\u0041" AS ?x) }',
]
TOKENS = ["{", "}", "(", ")", "[", "]", "<", ">", "'", '"', "'''", '"""', "\\", "\\u", "\\u0041", "\\U00110000",
          "\\uD800", "\\UFFFFFFFF", "#", "\n", "\r", "?", "$", ":", "SERVICE", "SERVICE <http://127.0.0.1:9/>",
          "FROM", "FROM NAMED", "NAMED", "BASE <http://[x>", "BASE <", "PREFIX p: <", "p:x", "INSERT", "DELETE",
          "LOAD", "CLEAR ALL", "a.", "!", "+", "-", "%", "%FF", "\x00", "é", "\U0001d11e", "FILTER(", "BIND(",
          "CONCAT(?x,?x)", "REGEX(?x, '(a+)+$')", "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "LIMIT 1",
          "OFFSET 99999999999999999999", "1e999999", "-0.0", "GRAPH ?g", "UNION", "OPTIONAL", "MINUS", "VALUES ?x {1}",
          "<http://x/\\u00e9>", "<urn:x>", "_:b", "@en", "^^<http://www.w3.org/2001/XMLSchema#integer>", "NOT EXISTS"]
ACCEPTS = ["application/sparql-results+json", "application/json", "text/csv", "text/turtle", "*/*", "text/html",
           "application/ld+json;q=0.5, */*;q=0.1", "image/png", "", ";;;", "text/" + "x" * 3000, "application/\x7f"]
FORMATS = ["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml", "html", "nope", "", "application/n-triples"]
REGIMES = ["ifr-jan2025", "draft-dec2024", "oct2023", "nonenforcement-may2025", "scenario-x", "../etc", ""]
ENTITIES = ["alibaba-group", "microsoft", "PL", "D:5", "org/tiktok-pte-ltd", "https://w3id.org/exportkg/id/country/CN",
            "nobody", "", "<script>", "a" * 300, "%00", "..", "/etc/passwd", "\u202e", "org/x?y#z"]
PAGES = ["/graph", "/graph/data", "/graph/tiers", "/graph/impact", "/graph/ownership", "/search", "/api/determine",
         "/api/queries", "/api/queries/tier-differences", "/api/queries/nope", "/api/impact", "/impact", "/ontology",
         "/id/org/microsoft", "/id/country/PL", "/", "/healthz", "/api/openapi.json", "/ontology.ttl"]


def mutate(rng: random.Random, text: str, *, max_len: int = 200_000) -> str:
    """One to four edits: insert or repeat a grammar token, delete, duplicate or cut a span, flip case."""
    for _ in range(rng.randint(1, 4)):
        if not text:
            text = rng.choice(TOKENS)
            continue
        at = rng.randrange(len(text) + 1)
        kind = rng.random()
        if kind < 0.35:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif kind < 0.45:
            text = text[:at] + rng.choice(TOKENS) * rng.choice([2, 10, 100, 1000, 5000]) + text[at:]
        elif kind < 0.6:
            text = text[:at] + text[at + rng.randint(1, 20):]
        elif kind < 0.7:
            end = min(len(text), at + rng.randint(1, 50))
            text = text[:end] + text[at:end] * rng.choice([1, 2, 50]) + text[end:]
        elif kind < 0.8:
            text = text[:at]
        elif kind < 0.9:
            odd = rng.choice([0, 9, 10, 13, 0x7F, 0xA0, 0xFFFD, 0x202E, rng.randrange(32, 0x3000)])
            text = text[:at] + chr(odd) + text[at:]
        else:
            text = text.swapcase()
    return text[:max_len]


@dataclass
class Request:
    """One HTTP request to send (or, when `raw` is set, these bytes as they are)."""

    method: str = "GET"
    path: str = "/sparql"
    params: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    @property
    def kind(self) -> str:
        return "raw" if self.raw is not None else f"{self.method} {self.path}"


def _query(rng: random.Random) -> str:
    return mutate(rng, rng.choice(SEED_QUERIES)) if rng.random() < 0.9 else rng.choice(SEED_QUERIES)


def sparql_request(rng: random.Random) -> Request:
    query = _query(rng)
    headers = {"Accept": rng.choice(ACCEPTS)} if rng.random() < 0.4 else {}
    params = [("format", rng.choice(FORMATS))] if rng.random() < 0.15 else []
    if rng.random() < 0.1:
        graph = rng.choice(["https://w3id.org/exportkg/graph/facts", "http://127.0.0.1:9/", mutate(rng, "urn:x")])
        params.append((rng.choice(["default-graph-uri", "named-graph-uri"]), graph))
    how = rng.random()
    if how < 0.4:
        return Request("GET", params=[("query", query), *params], headers=headers)
    if how < 0.5:
        return Request("HEAD", params=[("query", query), *params], headers=headers)
    if how < 0.75:
        charset = rng.choice(["", "; charset=utf-8", "; charset=latin-1", "; charset=utf-16", "; charset=nope"])
        headers["Content-Type"] = "application/sparql-query" + charset
        body = query.encode("utf-8", "surrogatepass")
        return Request("POST", params=params, body=body, headers=headers)
    if how < 0.95:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        fields = [("query", query), *params] + ([("update", query)] if rng.random() < 0.05 else [])
        return Request("POST", body=urllib.parse.urlencode(fields).encode(), headers=headers)
    headers["Content-Type"] = rng.choice(["text/plain", "application/json", "multipart/form-data; boundary=x", ""])
    return Request("POST", body=query.encode("utf-8", "surrogatepass"), headers=headers)


def _value(rng: random.Random, pool: list[str]) -> str:
    return mutate(rng, rng.choice(pool), max_len=2000) if rng.random() < 0.5 else rng.choice(pool)


def page_request(rng: random.Random) -> Request:
    path = rng.choice(PAGES)
    if path == "/id/org/microsoft" and rng.random() < 0.5:
        path = "/id/" + urllib.parse.quote(_value(rng, ENTITIES), safe="/")
    params = [(name, _value(rng, pool)) for name, pool in (
        ("entity", ENTITIES), ("regime", REGIMES), ("base", REGIMES), ("against", REGIMES + ["pl-ch-tier1"]),
        ("party", ENTITIES), ("item", ["3A090.a", "4E091", "nvidia-h100-sxm", "x"]), ("q", ENTITIES),
        ("depth", ["1", "2", "3", "-1", "9" * 30, "x"]), ("cap", ["10", "1000", "0", "1e9", ""]),
        ("format", FORMATS), ("on", ["2025-06-01", "2025-13-45", "0000-00-00", "x"]),
        ("a", REGIMES), ("b", REGIMES)) if rng.random() < 0.35]
    headers = {"Accept": rng.choice(ACCEPTS)} if rng.random() < 0.3 else {}
    if path == "/api/determine" and rng.random() < 0.3:
        body = json.dumps(dict(params)) if rng.random() < 0.5 else mutate(rng, '{"party": "microsoft"}')
        return Request("POST", path, body=body.encode("utf-8", "surrogatepass"),
                       headers={"Content-Type": "application/json"})
    return Request("GET", path, params=params, headers=headers)


def raw_request(rng: random.Random) -> Request:
    """Bytes no HTTP client library would send: bad request lines, encodings, headers."""
    target = rng.choice([b"/sparql?query=ASK%7B%7D", b"/sparql?query=%C3%28", b"/sparql?query=%ff%fe%00",
                         b"/id/%ff", b"/graph?entity=%E2%80", b"/healthz", b"/sparql?query=" + b"%7B" * 5000])
    method = rng.choice([b"GET", b"POST", b"HEAD", b"PUT", b"DELETE", b"BREW", b"G\x00T"])
    version = rng.choice([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b""])
    headers = rng.choice([b"Host: x\r\n", b"Host: x\r\nContent-Length: -1\r\n", b"Host: x\r\nContent-Length: 5\r\n",
                          b"Host: x\r\nTransfer-Encoding: chunked\r\n", b"Host: \xff\xfe\r\n",
                          b"X: " + b"y" * 70_000 + b"\r\n", b"Host: x\r\nAccept: \xe9\r\n", b""])
    body = rng.choice([b"", b"ASK {}", b"zz\r\nASK\r\n0\r\n\r\n", bytes(rng.randrange(256) for _ in range(20))])
    return Request(raw=method + b" " + target + b" " + version + b"\r\n" + headers + b"\r\n" + body)


def requests(rng: random.Random, count: int) -> Iterator[Request]:
    """A mix of SPARQL requests (60 %), page and API requests (35 %) and raw malformed ones (5 %)."""
    for _ in range(count):
        pick = rng.random()
        yield sparql_request(rng) if pick < 0.6 else page_request(rng) if pick < 0.95 else raw_request(rng)


# --- import rows and scenario files -----------------------------------------------------------------

IMPORT_ROWS = ["c-{n},Company {n},company,SG,SG,alibaba-group,100,,,annual report",
               "c-{n},Company {n},company,VN,CN,,,,,s",
               "d-{n},DC {n},data_center,AE,,,,microsoft,4000,press release",
               "c-{n},Minority {n},company,PL,PL,microsoft,10,,,s"]
CELLS = ["", "XX", "microsoft", "alibaba-group", "-5", "1e999999999999", "9" * 5000, "nan", "inf", "101", "50",
         "../../x", "robot", "data_center", "\u202e", "a,b", '"', "\x00", "é", "Ab C", "c-1", "=cmd|' /C calc'!A0"]


def import_rows(rng: random.Random, count: int) -> list[str]:
    """CSV lines of import rows: a template with some cells replaced by hostile ones."""
    out = []
    for n in range(count):
        cells = rng.choice(IMPORT_ROWS).format(n=n).split(",")
        for _ in range(rng.randint(0, 3)):
            cells[rng.randrange(len(cells))] = rng.choice(CELLS)
        line = ",".join(cells)
        out.append(mutate(rng, line, max_len=10_000) if rng.random() < 0.15 else line)
    return out


SCENARIO_VALUES = ["1", "2", "3", "true", "no", "NO", "~", "null", ".nan", ".inf", "-.inf", "-5", "1.0e+400",
                   "[1, 2]", "{a: b}", "abc", '"../../x"', "9" * 4500, "0x1F", "2025-13-45", "&a x", "*a",
                   "!!binary AA", "[PL, CH]", "[XX]", "microsoft", "tiktok-pte-ltd", "bytedance", "10", "50.0001",
                   "1e25"]
SCENARIO_KEYS = ["tier", "countries", "group", "add", "remove", "parameter", "value", "unset", "authorization",
                 "available", "ownership", "parent", "share", "datacenter", "country", "owner", "h100e", "note"]


def scenario_file(rng: random.Random, base: str) -> bytes:
    """A scenario file: a shipped one (or a hand-written change list) with values, keys and lines mutated."""
    lines = base.splitlines()
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(lines))
        pick = rng.random()
        if pick < 0.5 and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {rng.choice(SCENARIO_VALUES)}"
        elif pick < 0.7:
            values = ", ".join(f"{rng.choice(SCENARIO_KEYS)}: {rng.choice(SCENARIO_VALUES)}"
                               for _ in range(rng.randint(1, 3)))
            lines.insert(at, f"  - {{{values}}}")
        elif pick < 0.85:
            lines[at] = mutate(rng, lines[at], max_len=5000)
        else:
            del lines[at]
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.05:
        return text.encode("utf-16")
    if rng.random() < 0.05:
        return text.encode("utf-8") + b"\xff\xfe\x80"
    return text.encode("utf-8", "surrogatepass")


def send(host: str, port: int, request: Request, timeout: float = 60) -> int:
    """Send one request and return the status it got (0 when the server closed without an answer)."""
    return exchange(host, port, request, timeout)[0]


def exchange(host: str, port: int, request: Request, timeout: float = 60) -> tuple[int, str]:
    """Send one request: (the status it got, 0 when the server closed without an answer; the start of
    the answer's body, or what went wrong)."""
    import http.client
    import socket

    if request.raw is not None:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            try:
                sock.sendall(request.raw)
                sock.shutdown(socket.SHUT_WR)
                head = sock.recv(64)
            except OSError as exc:
                return 0, type(exc).__name__
        parts = head.split(b" ", 2)
        return (int(parts[1]), "") if len(parts) > 1 and parts[1].isdigit() else (0, "closed without an answer")
    url = request.path + ("?" + urllib.parse.urlencode(request.params) if request.params else "")
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(request.method, url, body=request.body, headers=request.headers)
        response = conn.getresponse()
        return response.status, response.read(200).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
