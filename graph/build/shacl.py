"""SHACL validation of the loaded facts, reported at the data file and row each node came from."""

from __future__ import annotations

import logging

from pyshacl import validate
from rdflib import RDF, Graph, URIRef

from exportkg.graph.errors import DataError, Problem
from exportkg.graph.namespaces import SH

log = logging.getLogger(__name__)


def check_shapes(data: Graph, shapes: Graph, ontology: Graph, origins: dict[URIRef, str],
                 stand_ins: frozenset[URIRef] = frozenset()) -> None:
    """Raise DataError listing every violation; the ontology supplies the class hierarchy. The
    `stand_ins` are nodes checked elsewhere, present only by their type (a GLEIF parent of an
    imported party): what their own shapes would say of them is not reported."""
    conforms, report, _ = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", abort_on_first=False,
        allow_warnings=True,
    )
    if conforms:
        return
    problems = [_problem(report, result, origins) for result in report.subjects(RDF.type, SH.ValidationResult)
                if report.value(result, SH.focusNode) not in stand_ins]
    if not problems:
        return
    problems.sort(key=lambda p: (p.file, p.row or 0, p.reason))
    raise DataError(problems)


def _problem(report: Graph, result: URIRef, origins: dict[URIRef, str]) -> Problem:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    value = report.value(result, SH.value)
    where = origins.get(focus, str(focus))
    file, _, line = where.rpartition(":")
    row = int(line) if line.isdigit() else None
    what = f"{_short(path)}: {message}" if path is not None else str(message)
    if value is not None:
        what += f" (value {_short(value)})"
    return Problem(file if row is not None else where, row, f"{_short(focus)}: {what}")


def _short(term: object) -> str:
    text = str(term)
    for sep in ("#", "/id/"):
        if sep in text:
            return text.split(sep, 1)[1]
    return text
