"""Serialize query results to the SPARQL 1.1 result formats and to RDF, with the row cap applied.

SELECT rows are written here rather than by pyoxigraph's own serializer because the cap must stop the
evaluation after row_cap + 1 rows and must be announced inside the JSON body; pyoxigraph cannot
serialize a cut list of solutions. Graph results go through pyoxigraph's serializers (rdflib for
JSON-LD). Used in worker processes and by the remote executor, so both answer byte-for-byte alike.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _q
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from exportkg.graph.formats import media_type
from exportkg.graph.render.answer import Answer

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}
TRUNCATION_NOTE = "result cut at the row cap of this endpoint ({cap} rows); add LIMIT/OFFSET to page through it"

Row = tuple[object, ...]


def render(result: object, fmt: str, row_cap: int) -> Answer:
    """Any pyoxigraph query result (solutions, boolean or triples) in the negotiated format."""
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return render_solutions(names, (tuple(s) for s in result), fmt, row_cap)
    if isinstance(result, ox.QueryBoolean):
        return render_boolean(bool(result), fmt)
    return render_triples(result, fmt, row_cap)  # type: ignore[arg-type]


def from_rdflib(term: object) -> object:
    """An rdflib term as the pyoxigraph term this writer takes (results read through rdflib: the CLI,
    the API, a remote store), so every consumer gets the same bytes for the same answer."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))
    raise TypeError(f"not an RDF term: {term!r}")


def render_rdflib(result: object, fmt: str) -> bytes:
    """A whole rdflib SELECT or ASK result in a SPARQL results format (nothing cut)."""
    if getattr(result, "type", None) == "ASK":
        return render_boolean(bool(result.askAnswer), fmt).body  # type: ignore[attr-defined]
    names = [str(v) for v in result.vars or []]  # type: ignore[attr-defined]
    rows = [tuple(from_rdflib(row[i] if i < len(row) else None) for i in range(len(names))) for row in result]  # type: ignore[attr-defined]
    return render_solutions(names, iter(rows), fmt, len(rows)).body


def cut(items: Iterable[object], cap: int) -> tuple[list[object], bool]:
    """The first `cap` items and whether there were more (reads at most cap + 1: the rest is never evaluated)."""
    head = list(itertools.islice(items, cap + 1))
    return head[:cap], len(head) > cap


def render_solutions(names: list[str], rows: Iterator[Row], fmt: str, row_cap: int) -> Answer:
    kept, truncated = cut(rows, row_cap)
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
    body = writer(names, kept, row_cap if truncated else None)  # type: ignore[arg-type]
    return Answer(body, media_type(fmt), len(kept), truncated)


def render_boolean(value: bool, fmt: str) -> Answer:
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    else:  # CSV and TSV have no boolean form; a one-cell table is what Jena and Oxigraph answer
        body = f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    return Answer(body, media_type(fmt), 1)


def render_triples(triples: Iterable[ox.Triple], fmt: str, row_cap: int) -> Answer:
    kept, truncated = cut(triples, row_cap)
    if fmt == "jsonld":
        body = _jsonld(kept)  # type: ignore[arg-type]
    else:
        body = ox.serialize(kept, format=RDF_FORMATS[fmt], prefixes=_prefixes() if fmt == "ttl" else None)
    return Answer(body or b"", media_type(fmt), len(kept), truncated)


def _prefixes() -> dict[str, str]:
    from exportkg.graph.namespaces import PREFIXES

    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD through rdflib (imported here only: the other formats do not need it)."""
    from rdflib import Graph

    graph = Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph.serialize(format="json-ld", encoding="utf-8")


def _json_term(term: object) -> str:
    """One term as SPARQL JSON, written as text: a result has thousands of terms, and building a dict
    per term for json.dumps cost twice as much (encode_basestring is json's own C escaper)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _q(term.value) + "}"  # type: ignore[attr-defined]
    if kind is ox.Literal:
        value = _q(term.value)  # type: ignore[attr-defined]
        if term.language:  # type: ignore[attr-defined]
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _q(term.language) + "}"  # type: ignore[attr-defined]
        datatype = term.datatype.value  # type: ignore[attr-defined]
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _q(datatype) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _q(term.value) + "}"  # type: ignore[attr-defined]
    if kind is ox.Triple:
        return ('{"type":"triple","value":{"subject":' + _json_term(term.subject)  # type: ignore[attr-defined]
                + ',"predicate":' + _json_term(term.predicate)  # type: ignore[attr-defined]
                + ',"object":' + _json_term(term.object) + "}}")  # type: ignore[attr-defined]
    raise TypeError(f"not an RDF term: {term!r}")


def _json(names: list[str], rows: list[Row], cap: int | None) -> bytes:
    keys = [_q(n) + ":" for n in names]
    bindings = ",".join("{" + ",".join(k + _json_term(t) for k, t in zip(keys, row, strict=True) if t is not None)
                        + "}" for row in rows)
    extra = ""
    if cap is not None:  # an extra top-level member: SPARQL JSON clients ignore what they do not know
        note = {"truncated": True, "rowCap": cap, "note": TRUNCATION_NOTE.format(cap=cap)}
        extra = ',"exportkg":' + json.dumps(note, ensure_ascii=False, separators=(",", ":"))
    text = ('{"head":{"vars":[' + ",".join(_q(n) for n in names) + ']},"results":{"bindings":['
            + bindings + "]}" + extra + "}")
    return text.encode("utf-8")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _xml(names: list[str], rows: list[Row], cap: int | None) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
    out.writelines(f"<variable name={quoteattr(n)}/>" for n in names)
    out.write("</head>")
    if cap is not None:
        out.write(f"<!-- {escape(TRUNCATION_NOTE.format(cap=cap))} -->")
    out.write("<results>")
    for row in rows:
        out.write("<result>")
        out.writelines(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                       for n, t in zip(names, row, strict=True) if t is not None)
        out.write("</result>")
    out.write("</results></sparql>\n")
    return out.getvalue().encode("utf-8")


def _csv_cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(names: list[str], rows: list[Row], cap: int | None) -> bytes:
    lines = [",".join(names)] + [",".join(_csv_cell(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv(names: list[str], rows: list[Row], cap: int | None) -> bytes:
    """TSV cells are terms in Turtle/N-Triples syntax; pyoxigraph's str() escapes tabs and newlines."""
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
