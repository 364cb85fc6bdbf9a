"""How exactly a remote store's answers carry its numbers: probed once, reported, never guessed.

Some servers write numbers into their answers less precisely than they store them. Virtuoso 7.2.5
(Debian's 7.2.5.1) prints an `xsd:double` with C's `%lg`, six significant digits, in its JSON, XML,
CSV and TSV results and in N-Triples (upstream fixed this in 7.2.12: openlink/virtuoso-opensource
commit 04476e9). Its Turtle writer prints twenty digits, but writes a double without an exponent as a
bare number, which Turtle reads as an xsd:decimal, so a Turtle result set loses the datatype instead.

exportkg reads graphs (the rules' input) through the Graph Store Protocol as Turtle: the doubles of its
data are operation counts and thresholds (1e20 and up), which that writer gives with their exponent, so the rules see
them exactly. SELECT answers stay SPARQL JSON: a server that rounds doubles there is found by
`DOUBLE_PROBE` (a double of eight significant digits read back), named once in the log, and its
answers show such values as it writes them.
"""

from __future__ import annotations

from rdflib import Literal, Variable
from rdflib.query import Result

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
#: a double with more significant digits than `%lg` keeps
PROBE_VALUE = 1.0000001
DOUBLE_PROBE = f'SELECT ?d WHERE {{ VALUES ?d {{ "{PROBE_VALUE}"^^<{XSD_DOUBLE}> }} }}'


def keeps_doubles(result: Result) -> bool:
    """Whether the probe's answer holds the double it was sent."""
    values = [row.get(Variable("d")) for row in result.bindings]
    return len(values) == 1 and isinstance(values[0], Literal) and float(values[0]) == PROBE_VALUE
