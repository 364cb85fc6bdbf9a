"""A SPARQL tokenizer whose work is linear in the length of the query, whatever the query.

The guard (server/sparql/guard.py) runs on a web thread before any timeout applies, so it must not
backtrack: a regular expression such as `[\\w.-]*[\\w-]:` retried at every position of `a.a.a.a...`
costs time quadratic in the length (40 KB took 8 s). Here every token is found by a hand-written
dispatch on its first character and, for its body, by patterns with no nested or ambiguous
repetition, each run once per token. The two places where a failing match would be retried from a
later position (an unclosed string, a name not followed by `:`) remember how far the last attempt
reached, so no character is examined more than a constant number of times.

The token rules are those the guard has always used (they accept at least what Oxigraph accepts, so
text Oxigraph reads as code is never mistaken here for a string, a comment or a name):

- gaps: white space and `#` comments up to the end of the line;
- strings: `'''...'''`, `\"\"\"...\"\"\"`, `'...'`, `"..."` (a backslash escapes any character; the short
  forms end at a line break); an unclosed long string falls back to an empty short one, like the
  grammar's longest-match rule;
- IRIs `<...>` without the characters IRIREF excludes (a `<` that opens none is an operator);
- variables `?name`, `$name`; prefixed names `prefix:local` (with `%XX` and `\\x` in the local part);
- words (keywords, `a`, function names) and single other characters. A run of digits is one token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

GAP = re.compile(r"(?:\s++|#[^\r\n]*+)++")
IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>")
VAR = re.compile(r"[?$]\w+")
LETTER = re.compile(r"[^\W\d_]")
#: what may follow the first letter of a prefix (its last character must not be a dot)
PREFIX_RUN = re.compile(r"[\w.-]*")
WORD_REST = re.compile(r"\w*")
DIGITS = re.compile(r"\d+")
_LC = r"[\w:-]|%[0-9A-Fa-f]{2}|\\\S"
#: a prefixed name's local part: it may contain dots but not end with one
LOCAL = re.compile(rf"(?:{_LC})(?:(?:{_LC}|\.)*(?:{_LC}))?")
#: a string's body up to where it stops: its closing delimiter (unescaped), a line break for the
#: one-line forms, or the end of the text. Possessive and with disjoint alternatives: no backtracking.
BODIES = {"'": re.compile(r"(?:[^'\\\r\n]++|\\[\s\S])*+"), '"': re.compile(r'(?:[^"\\\r\n]++|\\[\s\S])*+'),
          "'''": re.compile(r"(?:[^'\\]++|\\[\s\S]|'(?!''))*+"),
          '"""': re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+')}
OPEN, CLOSE = "{([", "})]"

Token = tuple[str, int, int]  # (kind, start, end): kinds gap-free: string, iri, var, pname, word, other


class Lexer:
    """Tokens of one query text, in order, without gaps."""

    def __init__(self, text: str):
        self.text = text
        #: per delimiter: (content start of the last search, where it stopped)
        self._stops: dict[str, tuple[int, int]] = {}
        #: letters before this position are known not to start a prefixed name
        self._no_prefix_until = -1

    def __iter__(self) -> Iterator[Token]:
        text, n, i = self.text, len(self.text), 0
        while i < n:
            c = text[i]
            if c.isspace() or c == "#":
                i = GAP.match(text, i).end()  # type: ignore[union-attr]
                continue
            end, kind = self._token(c, i)
            yield kind, i, end
            i = end

    def _token(self, c: str, i: int) -> tuple[int, str]:
        """The end and kind of the token starting at i (never empty)."""
        text = self.text
        if c in "'\"":
            end = self._string(c, i)
            return (end, "string") if end else (i + 1, "other")
        if c == "<":
            match = IRI.match(text, i)
            return (match.end(), "iri") if match else (i + 1, "other")
        if c in "?$":
            match = VAR.match(text, i)
            return (match.end(), "var") if match else (i + 1, "other")
        if c == ":":
            return self._local(i + 1), "pname"
        if c == "_":
            return WORD_REST.match(text, i + 1).end(), "word"  # type: ignore[union-attr]
        if LETTER.match(c):
            colon = self._prefix_colon(i)
            if colon is not None:
                return self._local(colon + 1), "pname"
            return WORD_REST.match(text, i + 1).end(), "word"  # type: ignore[union-attr]
        if c.isdecimal():
            return DIGITS.match(text, i).end(), "other"  # type: ignore[union-attr]
        return i + 1, "other"

    def _prefix_colon(self, i: int) -> int | None:
        """Where the `:` of a prefixed name starting at i is, or None. A run with no colon after it is
        remembered, so the words inside it are not searched again."""
        if i < self._no_prefix_until:
            return None
        end = PREFIX_RUN.match(self.text, i + 1).end()  # type: ignore[union-attr]
        if end < len(self.text) and self.text[end] == ":" and self.text[end - 1] != ".":
            return end
        self._no_prefix_until = end
        return None

    def _local(self, start: int) -> int:
        match = LOCAL.match(self.text, start)
        return match.end() if match else start

    def _string(self, quote: str, i: int) -> int:
        """The end of the string starting at i, or 0 when none does (an unclosed short string)."""
        text = self.text
        long_delim = quote * 3
        if text.startswith(long_delim, i):
            stop = self._stop(long_delim, i + 3)
            if text.startswith(long_delim, stop):
                return stop + 3
        stop = self._stop(quote, i + 1)
        return stop + 1 if stop < len(text) and text[stop] == quote else 0

    def _stop(self, delim: str, start: int) -> int:
        """Where the body of a string whose content starts at `start` stops: at its closing delimiter,
        at a line break (one-line forms) or at the end. Whether a character is escaped depends only on
        the backslashes right before it, so a later start inside the same body stops at the same place:
        remembered, so an unclosed string is not searched again from every quote inside it."""
        last = self._stops.get(delim)
        if last is not None and last[0] <= start <= last[1]:
            return last[1]
        stop = BODIES[delim].match(self.text, start).end()  # type: ignore[union-attr]
        self._stops[delim] = (start, stop)
        return stop
