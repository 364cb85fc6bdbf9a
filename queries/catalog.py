"""Named SPARQL files: their headers, their parameters and how values are put into them.

A file starts with `# key: value` header lines (name, title, description, param, citation, ...).
Parameters appear in the SPARQL as `$name` (a valid SPARQL variable, so every file parses as is);
the runner replaces them with a validated, serialized RDF term, so no user text reaches the query
unescaped and the same text runs on the embedded store and on any remote SPARQL 1.1 store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rdflib import XSD, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.dates import parse_day
from exportkg.graph.errors import QueryError

HEADER = re.compile(r"^#\s?([a-z_]+)\s*:\s*(.*)$")  # one space at most: indented lines continue the last key
#: `# focus KIND ?var` on a line of its own: where a focused run puts `VALUES ?var { ... }` (a comment
#: otherwise, so the file stays valid SPARQL that runs unfocused)
FOCUS_LINE = re.compile(r"(?m)^([ \t]*)#\s*focus\s+([a-z]+)\s+\?(\w+)[ \t]*$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
IRI_SAFE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _slug_iri(maker):  # type: ignore[no-untyped-def]
    def convert(value: str) -> URIRef:
        if not SLUG.match(value):
            raise ValueError("expected an id such as ifr-jan2025")
        return maker(value)
    return convert


def _country(value: str) -> URIRef:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError("expected an ISO 3166-1 alpha-2 code such as CN")
    return ns.country(value)


def _group(value: str) -> URIRef:
    if not re.fullmatch(r"[A-E]:?[0-9]?", value):
        raise ValueError("expected an EAR country group such as D:5")
    return ns.group(value)


def _iri(value: str) -> URIRef:
    if not IRI_SAFE.match(value):
        raise ValueError("expected an absolute http(s) IRI")
    return URIRef(value)


def _number(value: str) -> Literal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError("expected a number such as 1e25") from None
    return Literal(float(number), datatype=XSD.double)


CONVERTERS = {
    "regime": _slug_iri(ns.regime),
    "org": _slug_iri(ns.org),
    "chip": _slug_iri(ns.chip),
    "country": _country,
    "group": _group,
    "iri": _iri,
    "date": lambda v: Literal(parse_day(v)),
    "number": _number,
    "string": lambda v: Literal(v),
}


#: parameter kinds that name an entity of the graph (checked to exist before a query runs)
ENTITY_KINDS = ("regime", "org", "chip", "country", "group")


@dataclass
class Parameter:
    name: str
    kind: str
    default: str | None
    description: str = ""

    def term(self, value: str) -> str:
        try:
            return CONVERTERS[self.kind](value).n3()
        except (ValueError, KeyError) as exc:
            raise QueryError(f"parameter {self.name}: {value!r} is not a valid {self.kind}: {exc}") from None


@dataclass
class NamedQuery:
    """A SPARQL file with its header."""

    name: str
    path: Path
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    params: list[Parameter] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta.get("title", self.name)

    @property
    def description(self) -> str:
        return self.meta.get("description", "")

    @property
    def focus_kinds(self) -> set[str]:
        """The kinds of key (country, profile, group, ...) this file can be focused on."""
        return {m.group(2) for m in FOCUS_LINE.finditer(self.text)}

    def render(self, values: dict[str, str] | None = None,
               focus: dict[str, tuple[str, ...]] | None = None) -> str:
        """The SPARQL with every $param replaced (unknown or missing parameters are errors) and, when
        `focus` gives IRIs for a kind, each `# focus KIND ?var` line made `VALUES ?var { ... }`."""
        return focused(self._with_params(values), focus or {})

    def entities(self, values: dict[str, str] | None = None) -> list[tuple[str, str, URIRef]]:
        """(parameter, value, IRI) of each parameter naming a thing the graph must hold (a regime, an
        organization, a chip, a country, a group): a well-formed id the graph lacks is an error to
        report, not a query that quietly answers no rows."""
        values = values or {}
        found = []
        for param in self.params:
            value = values.get(param.name, param.default)
            if param.kind in ENTITY_KINDS and value is not None:
                found.append((param.name, value, URIRef(CONVERTERS[param.kind](value))))
        return found

    def _with_params(self, values: dict[str, str] | None) -> str:
        values = dict(values or {})
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise QueryError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(known)) or 'none'}")
        text = self.text
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise QueryError(f"{self.name}: parameter {param.name} is required")
            term = param.term(value)
            text = re.sub(rf"\${param.name}\b", lambda _m, t=term: t, text)
        return text


def focused(text: str, focus: dict[str, tuple[str, ...]]) -> str:
    """Restrict a query to some keys: `# focus KIND ?var` lines whose kind `focus` names become VALUES
    blocks (the IRIs are checked, so nothing but IRIs reaches the text); other lines stay comments."""
    def values(match: re.Match[str]) -> str:
        indent, kind, var = match.groups()
        if kind not in focus:
            return match.group(0)
        iris = " ".join(ns.URIRef(_iri(iri)).n3() for iri in focus[kind])
        return f"{indent}VALUES ?{var} {{ {iris} }}"
    return FOCUS_LINE.sub(values, text)


def parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    last = None
    for line in text.splitlines():
        match = HEADER.match(line)
        if not match:
            if line.strip() and not line.startswith("#"):
                break
            if last and last != "param" and line.startswith("#") and line[1:].strip():
                meta[last] = f"{meta[last]} {line[1:].strip()}"
            continue
        key, value = match.group(1), match.group(2).strip()
        last = key
        if key == "param":
            params.append(_parse_param(path, value))
        else:
            meta[key] = f"{meta[key]} {value}" if key in meta else value
    name = meta.get("name", path.stem)
    return NamedQuery(name, path, text, meta, params)


def _parse_param(path: Path, spec: str) -> Parameter:
    """`name kind [default] -- description`"""
    head, _, description = spec.partition("--")
    parts = head.split()
    if len(parts) < 2 or parts[1] not in CONVERTERS:
        raise QueryError(f"{path.name}: bad param header {spec!r} "
                         f"(expected: name kind [default] -- description; kinds: {', '.join(CONVERTERS)})")
    return Parameter(parts[0], parts[1], parts[2] if len(parts) > 2 else None, description.strip())


def load_catalog(directory: Path) -> dict[str, NamedQuery]:
    queries = {}
    for path in sorted(directory.glob("*.rq")):
        query = parse(path)
        queries[query.name] = query
    return queries


@dataclass(frozen=True)
class Catalog:
    """Every SPARQL file of the product, parsed once: the named queries researchers run, the system
    queries the answers, pages and impact read with, and the reasoner's rules."""

    named: dict[str, NamedQuery]
    system: dict[str, NamedQuery]
    rules: dict[str, NamedQuery]

    def rule(self, name: str) -> NamedQuery | None:
        """A rule by its header name (rule IRIs end in it)."""
        return next((r for r in self.rules.values() if r.name == name), None)


@lru_cache(maxsize=8)
def catalog(queries_dir: Path) -> Catalog:
    """The catalog of a queries directory (the shipped one, or a test's copy), read once per process."""
    return Catalog(load_catalog(queries_dir), load_catalog(queries_dir / "system"),
                   load_catalog(queries_dir / "rules"))
