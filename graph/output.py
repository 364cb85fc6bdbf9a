"""Render SPARQL results as a table, CSV, TSV or SPARQL JSON for the CLI."""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result
from rich.console import Console
from rich.table import Table

from . import namespaces as ns


def short(term: object) -> str:
    """Compact display: id/... and ekg:... IRIs shortened, literals as their text."""
    if term is None:
        return ""
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
    names, rows = rows_of(result)
    if fmt == "json":
        return json.dumps(_sparql_json(names, rows), indent=2)
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
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


def _sparql_json(names: list[str], rows: list[list[object]]) -> dict[str, object]:
    """SPARQL 1.1 Query Results JSON."""
    bindings = []
    for row in rows:
        binding = {}
        for name, value in zip(names, row, strict=True):
            if value is None:
                continue
            if isinstance(value, URIRef):
                binding[name] = {"type": "uri", "value": str(value)}
            elif isinstance(value, BNode):
                binding[name] = {"type": "bnode", "value": str(value)}
            elif isinstance(value, Literal):
                cell: dict[str, str] = {"type": "literal", "value": str(value)}
                if value.language:
                    cell["xml:lang"] = value.language
                elif value.datatype:
                    cell["datatype"] = str(value.datatype)
                binding[name] = cell
        bindings.append(binding)
    return {"head": {"vars": names}, "results": {"bindings": bindings}}
