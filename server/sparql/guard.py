"""The checks a query passes before it reaches the store: bounded, read-only, nothing from outside.

pyoxigraph evaluates `SERVICE <iri>` by sending the query to that IRI (checked with 0.5.13: it POSTs
to the address), and pyoxigraph has no public algebra to inspect, so the query is tokenized here the
way SPARQL's grammar does (server/sparql/lexer.py, in time linear in its length): comments, strings,
IRIs, variables and prefixed names are recognized first, so `# SERVICE`, "SERVICE" or `ex:service`
are allowed, while the keyword in any case is refused.

The guard also bounds what the query engine is given. Oxigraph's parser and evaluator recurse: 2,200
nested `{`, 9,600 `!` or 2,700 BINDs in a row overflow an 8 MB stack and kill the process (exit 139).
So nesting deeper than MAX_DEPTH brackets or MAX_UNARY unary operators in a row is refused, and so is
a query of more than MAX_TOKENS tokens; the worker evaluates on a thread with a 256 MB stack
(server/sparql/worker.py), on which the longest chains these limits allow stay several times under
the depth that overflowed. An update sent as a query is refused as an update (403), and every IRI the
guard reads must be well formed (a bad escape or BASE is a 400, not a crash).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from exportkg.server.sparql.lexer import CLOSE, OPEN, Lexer, Token

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
#: words that start an update: as the first keyword of a "query" they make it an update (403)
UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
#: nesting of { ( [ (a real query rarely passes 10)
MAX_DEPTH = 64
#: unary operators (! + -) in a row
MAX_UNARY = 32
#: tokens of one query (strings, IRIs and names count one each; 1 MB of `a.` is 500,000)
MAX_TOKENS = 100_000
#: queries up to this length are remembered with their verdict (UIs send the same ones again)
CACHED_CHARS = 8192
#: queries longer than this are checked at most TWO at a time (a 1 MB query takes up to 0.3 s of CPU):
#: short requests then wait behind two running threads, not behind every one of them
LONG_CHARS = 64 * 1024
_long = threading.BoundedSemaphore(2)
LONG_WAIT_S = 10.0
UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
SHOWN = 200  # characters of an IRI quoted back in a message


class Refused(Exception):
    """The query may not run; the message says what to change, `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return type(self), (self.message, self.status)


READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


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


def vet(query: str, graph_names: Iterable[str], default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = ()) -> Vetted:
    """Check one query and its protocol dataset; raise Refused, or return what was found."""
    known = graph_names if isinstance(graph_names, frozenset) else frozenset(graph_names)
    vetted = scan(query)
    for kind, iris in (("FROM", vetted.from_graphs), ("FROM NAMED", vetted.from_named),
                       ("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in iris:
            if iri not in known:
                raise Refused(f"{kind} <{shown(iri)}> is not a graph of this store, and this endpoint never "
                              f"fetches data from elsewhere; its graphs are: {', '.join(sorted(known))}")
    return vetted


def scan(query: str) -> Vetted:
    """Tokenize and check one query text. Short texts are cached (keyed by the text, so the cache
    holds at most 512 x CACHED_CHARS characters); a long one is scanned each time it comes."""
    if len(query) <= CACHED_CHARS:
        return _scan_cached(query)
    if len(query) <= LONG_CHARS:
        return _scan(query)
    if not _long.acquire(timeout=LONG_WAIT_S):
        raise Refused("the server is busy checking other long queries; try again", 503)
    try:
        return _scan(query)
    finally:
        _long.release()


def _scan(query: str) -> Vetted:
    tokens = _Tokens(query)
    form = ""
    from_graphs: list[str] = []
    from_named: list[str] = []
    prefixes: dict[str, str] = {}
    base: str | None = None
    while (tok := tokens.next()) is not None:
        keyword = tokens.text(tok).upper() if tok[0] == "word" else ""
        if not keyword:
            continue
        if keyword == "SERVICE":
            raise Refused("SERVICE is not allowed: this endpoint answers from its own store and never "
                          "sends queries to other services")
        if keyword in FORMS and not form:
            form = keyword
        elif keyword in UPDATES and not form:
            raise Refused(READ_ONLY, 403)
        elif keyword == "BASE" and tokens.kind(0) == "iri":
            base = _resolve(_iri_text(tokens.text(tokens.peek(0))), base)
        elif keyword == "PREFIX" and tokens.kind(0) == "pname" and tokens.kind(1) == "iri":
            name = tokens.text(tokens.peek(0)).rstrip(":")
            prefixes[name] = _resolve(_iri_text(tokens.text(tokens.peek(1))), base)
        elif keyword == "FROM":
            named = tokens.kind(0) == "word" and tokens.text(tokens.peek(0)).upper() == "NAMED"
            if named:
                tokens.next()
            iri = _term_iri(tokens, tokens.next(), prefixes, base)
            (from_named if named else from_graphs).append(iri)
    return Vetted(form, tuple(from_graphs), tuple(from_named))


_scan_cached = lru_cache(maxsize=512)(_scan)


class _Tokens:
    """The lexer's tokens with two of lookahead, counted and with their nesting checked on the way."""

    def __init__(self, query: str):
        self.query = query
        self._source: Iterator[Token] = iter(Lexer(query))
        self._ahead: deque[Token] = deque()
        self._count = self._depth = self._unary = 0

    def next(self) -> Token | None:
        return self._ahead.popleft() if self._ahead else self._pull()

    def peek(self, k: int) -> Token | None:
        while len(self._ahead) <= k:
            tok = self._pull()
            if tok is None:
                return None
            self._ahead.append(tok)
        return self._ahead[k]

    def kind(self, k: int) -> str:
        tok = self.peek(k)
        return tok[0] if tok is not None else ""

    def text(self, tok: Token | None) -> str:
        return "" if tok is None else self.query[tok[1]:tok[2]]

    def _pull(self) -> Token | None:
        tok = next(self._source, None)
        if tok is None:
            return None
        self._count += 1
        if self._count > MAX_TOKENS:
            raise Refused(f"the query is too long: more than {MAX_TOKENS:,} tokens; split it or use fewer values")
        if tok[0] == "other":
            self._nesting(self.query[tok[1]])
        else:
            self._unary = 0
        return tok

    def _nesting(self, char: str) -> None:
        if char in "!+-":
            self._unary += 1
            if self._unary > MAX_UNARY:
                raise Refused(f"more than {MAX_UNARY} unary operators (! + -) in a row; simplify the expression")
            return
        self._unary = 0
        if char in OPEN:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise Refused(f"the query nests brackets more than {MAX_DEPTH} deep; this endpoint evaluates "
                              f"queries nested at most {MAX_DEPTH} levels")
        elif char in CLOSE:
            self._depth = max(0, self._depth - 1)


def _term_iri(tokens: _Tokens, tok: Token | None, prefixes: dict[str, str], base: str | None) -> str:
    """The absolute IRI a FROM clause names; anything else is refused (it would not parse anyway)."""
    if tok is not None and tok[0] == "iri":
        return _resolve(_iri_text(tokens.text(tok)), base)
    if tok is not None and tok[0] == "pname":
        prefix, _, local = tokens.text(tok).partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        raise Refused(f"FROM {shown(tokens.text(tok))}: the prefix {shown(prefix)}: is not declared")
    raise Refused("FROM and FROM NAMED must be followed by the IRI of a graph of this store")


def _iri_text(token: str) -> str:
    """An IRI token's text with its \\u and \\U escapes decoded; an escape that names no Unicode
    scalar value (past U+10FFFF, or a surrogate) is refused, as Oxigraph would."""
    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refused(f"the IRI escape {match.group(0)} is not a Unicode character (U+{code:X})")
        return chr(code)

    return UCHAR.sub(decode, token[1:-1])


def _resolve(iri: str, base: str | None) -> str:
    if not base:
        return iri
    try:
        return urljoin(base, iri)
    except ValueError as exc:
        raise Refused(f"<{shown(iri)}> cannot be resolved against BASE <{shown(base)}>: {exc}") from None


def shown(text: str) -> str:
    """A piece of the user's text quoted back: cut short, control characters escaped."""
    cut = text[:SHOWN] + ("..." if len(text) > SHOWN else "")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in cut)
