"""The safety checks a query passes before it reaches the store: no SERVICE, no dataset outside the store.

pyoxigraph evaluates `SERVICE <iri>` by sending the query to that IRI (checked with 0.5.13: it POSTs
to the address), and pyoxigraph has no public algebra to inspect, so the query is tokenized here the
way SPARQL's grammar does: comments, strings, IRIs, variables and prefixed names are recognized first,
so `# SERVICE`, "SERVICE" or `ex:service` are allowed, while the keyword in any case is refused.
Every token rule accepts at least what Oxigraph accepts, so text Oxigraph reads as code is never
mistaken here for a string or a comment; the opposite can only make the check stricter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

_ESC = r"\\[\s\S]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_LOCAL_CHAR = r"[\w:-]|%[0-9A-Fa-f]{2}|\\\S"
TOKEN = re.compile(
    rf"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:'{{0,2}}(?:[^'\\]|{_ESC}))*'''
             | \"\"\"(?:"{{0,2}}(?:[^"\\]|{_ESC}))*\"\"\"
             | '(?:[^'\\\r\n]|{_ESC})*'
             | "(?:[^"\\\r\n]|{_ESC})*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d_](?:[\w.-]*[\w-])?)?:(?:(?:{_PN_LOCAL_CHAR})(?:(?:{_PN_LOCAL_CHAR}|\.)*(?:{_PN_LOCAL_CHAR}))?)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class Refused(Exception):
    """The query or its dataset would reach outside the store; the message says what to change."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Vetted:
    """What the guard learned about an accepted query."""

    form: str = ""
    #: the graphs of FROM and FROM NAMED clauses (absolute IRIs)
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def tokens(query: str) -> Iterator[Token]:
    """The query's tokens without comments and white space."""
    for match in TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            yield Token(kind, match.group())


def vet(query: str, graph_names: Iterable[str], default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = ()) -> Vetted:
    """Check one query and its protocol dataset; raise Refused, or return what was found."""
    known = graph_names if isinstance(graph_names, frozenset) else frozenset(graph_names)
    vetted = scan(query)
    for kind, iris in (("FROM", vetted.from_graphs), ("FROM NAMED", vetted.from_named),
                       ("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in iris:
            if iri not in known:
                raise Refused(f"{kind} <{iri}> is not a graph of this store, and this endpoint never fetches "
                              f"data from elsewhere; its graphs are: {', '.join(sorted(known))}")
    return vetted


@lru_cache(maxsize=512)
def scan(query: str) -> Vetted:
    """Tokenize and check one query text (cached: UIs and scripts send the same queries again and again)."""
    toks = list(tokens(query))
    form = ""
    from_graphs: list[str] = []
    from_named: list[str] = []
    prefixes: dict[str, str] = {}
    base: str | None = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        keyword = tok.text.upper() if tok.kind == "word" else ""
        if keyword == "SERVICE":
            raise Refused("SERVICE is not allowed: this endpoint answers from its own store and never "
                          "sends queries to other services")
        if keyword in FORMS and not form:
            form = keyword
        elif keyword == "BASE" and _kind(toks, i + 1) == "iri":
            base = _resolve(_iri_text(toks[i + 1].text), base)
        elif keyword == "PREFIX" and _kind(toks, i + 1) == "pname" and _kind(toks, i + 2) == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = _resolve(_iri_text(toks[i + 2].text), base)
        elif keyword == "FROM":
            named = _kind(toks, i + 1) == "word" and toks[i + 1].text.upper() == "NAMED"
            j = i + 2 if named else i + 1
            iri = _term_iri(toks[j] if j < len(toks) else None, prefixes, base)
            (from_named if named else from_graphs).append(iri)
            i = j
        i += 1
    return Vetted(form, tuple(from_graphs), tuple(from_named))


def _kind(toks: list[Token], i: int) -> str:
    return toks[i].kind if i < len(toks) else ""


def _term_iri(tok: Token | None, prefixes: dict[str, str], base: str | None) -> str:
    """The absolute IRI a FROM clause names; anything else is refused (it would not parse anyway)."""
    if tok is not None and tok.kind == "iri":
        return _resolve(_iri_text(tok.text), base)
    if tok is not None and tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        raise Refused(f"FROM {tok.text}: the prefix {prefix}: is not declared")
    raise Refused("FROM and FROM NAMED must be followed by the IRI of a graph of this store")


def _iri_text(token: str) -> str:
    inner = token[1:-1]
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(int(m.group(1) or m.group(2), 16)), inner)


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri
