"""Render SPARQL results as a table, CSV, TSV or SPARQL JSON for the CLI."""

from __future__ import annotations

import csv
import io

from rdflib import XSD, Literal, URIRef
from rdflib.query import Result
from rich.console import Console
from rich.table import Table

from exportkg.graph import namespaces as ns
from exportkg.graph.render.results import render_rdflib

#: decimals and doubles are shown for people: FLOP-sized values in exponent notation, others with
#: thousands separators and at most two decimals (the CSV, TSV and JSON forms keep the exact value)
FRACTIONAL = (XSD.decimal, XSD.double, XSD.float)
EXPONENT_FROM = 1e15


def number(value: float) -> str:
    if abs(value) >= EXPONENT_FROM:
        return f"{value:.3g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def short(term: object) -> str:
    """Compact display: id/... and ekg:... IRIs shortened, numbers formatted, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype in FRACTIONAL:
        try:
            return number(float(term))
        except ValueError:
            return str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in (("", ns.ID), ("ekg:", ns.EKG)):
            if str(term).startswith(str(namespace)):
                return prefix + str(term)[len(str(namespace)):]
        return str(term)
    return str(term)


def rows_of(result: Result) -> tuple[list[str], list[list[object]]]:
    names = [str(v) for v in result.vars or []]
    return names, [[row[i] if i < len(row) else None for i in range(len(names))] for row in result]


def render(result: Result, fmt: str, console: Console | None = None) -> str:
    if result.type == "ASK":
        return "true" if result.askAnswer else "false"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    if fmt in ("json", "csv"):  # SPARQL 1.1 results, written as the endpoint writes them
        return render_rdflib(result, fmt).decode("utf-8")
    names, rows = rows_of(result)
    if fmt == "tsv":  # plain values for spreadsheets (the endpoint's TSV is SPARQL's, terms in N-Triples)
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(names)
        writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
        return out.getvalue()
    table = Table(*names, show_lines=False)
    for row in rows:
        table.add_row(*(short(v) for v in row))
    console = console or Console(width=200, record=True)
    with console.capture() as capture:
        console.print(table)
        console.print(f"{len(rows)} row(s)")
    return capture.get()
