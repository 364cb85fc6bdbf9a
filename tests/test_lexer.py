"""The guard's tokenizer (server/sparql/lexer.py) reads queries exactly as the token patterns it replaced
did (the security argument of server/sparql/guard.py rests on them), without their backtracking; and
the guard caches short queries only."""

from __future__ import annotations

import random
import re

from exportkg.server.sparql import guard
from exportkg.server.sparql.guard import vet
from exportkg.server.sparql.lexer import Lexer

_ESC = r"\\[\s\S]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_LC = r"[\w:-]|%[0-9A-Fa-f]{2}|\\\S"
#: the guard's token patterns before issue 18: correct, but quadratic on some inputs (fine on short ones)
REFERENCE = re.compile(
    rf"""(?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:'{{0,2}}(?:[^'\\]|{_ESC}))*'''|\"\"\"(?:"{{0,2}}(?:[^"\\]|{_ESC}))*\"\"\"
             |'(?:[^'\\\r\n]|{_ESC})*'|"(?:[^"\\\r\n]|{_ESC})*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d_](?:[\w.-]*[\w-])?)?:(?:(?:{_LC})(?:(?:{_LC}|\.)*(?:{_LC}))?)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<space>\s+)
  | (?P<other>.)""", re.VERBOSE | re.DOTALL)
PIECES = list("aAbSERVICE_ex:.-'\"\\<>#?$ \n\r\t{}()[]0123456789%uU!+,;/@^") + [
    "'''", '"""', "\\u0041", "\\U00000041", "ex:", "SERVICE", "·", "é", "²"]


def reference_tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in REFERENCE.finditer(text)
            if m.lastgroup not in ("comment", "space")]


def lexer_tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for kind, start, end in Lexer(text):
        piece = text[start:end]
        if kind == "other" and piece.isdecimal():
            out.extend(("other", digit) for digit in piece)
        else:
            out.append((kind, piece))
    return out


def test_the_lexer_tokenizes_exactly_as_the_reference_patterns() -> None:
    """20,000 random texts from the characters that matter to the grammar: the same tokens (a run of
    digits is one token for the lexer, one per digit for the reference)."""
    rng = random.Random(18)
    for _ in range(20_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 25)))
        assert lexer_tokens(text) == reference_tokens(text), repr(text)


def test_short_queries_are_cached_and_long_ones_are_not() -> None:
    guard._scan_cached.cache_clear()
    vet("ASK {}", [])
    vet("ASK {} #" + "x" * guard.CACHED_CHARS, [])
    assert guard._scan_cached.cache_info().currsize == 1
