"""What every loader shares: the graphs being built, the ids seen so far and where each node came from.

Loaders record the file and row of every node they mint, so that a SHACL violation found later on a
node can still be reported as `file:row: reason`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.dates import date_literal
from exportkg.graph.errors import DataError, Problem, StoreError
from exportkg.graph.loaders.bulk import BulkFacts, Reader
from exportkg.graph.loaders.csvio import Row
from exportkg.graph.namespaces import EKG

CONFIDENCE = {
    "P": EKG.Primary,
    "S": EKG.Secondary,
    "U": EKG.Unverified,
    "C": EKG.CodeNote,
    "D": EKG.Dataset,
}
#: weakest first: a node citing several sources keeps the lowest rank among them
RANK = {EKG.Unverified: 0, EKG.CodeNote: 1, EKG.Secondary: 2, EKG.Dataset: 3, EKG.Primary: 4}
EPOCH_CREDIT = "Data: Epoch AI, https://epoch.ai/data, CC BY 4.0"
#: a number cell may have at most this many digits either side of the point: 1e999999999999 is a
#: valid decimal, and writing it out in full (as an xsd:decimal must be) takes more memory than there is
MAX_DIGITS = 30
log = logging.getLogger(__name__)


@dataclass
class LoadContext:
    """The state of one build while the loaders run."""

    settings: Settings
    facts: Graph = field(default_factory=Graph)
    regime_graphs: dict[str, Graph] = field(default_factory=dict)
    origins: dict[URIRef, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    country_aliases: dict[str, str] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    org_aliases: dict[str, str] = field(default_factory=dict)
    chips: set[str] = field(default_factory=set)
    chip_aliases: dict[str, str] = field(default_factory=dict)
    #: regimes.yaml entries by id: versions inherit tier lists, and legal states are built from them
    regime_entries: dict[str, dict] = field(default_factory=dict)
    #: facts written as N-Triples text (loaders/bulk.py), their organizations and their name matches
    bulk: BulkFacts | None = None
    bulk_orgs: set[str] = field(default_factory=set)
    bulk_candidates: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    #: the file of what the GLEIF files say about parents, kept beside the store for delta imports
    #: (loaders/gleif_parents.py; written by the loader, in the bulk facts' folder)
    gleif_parents: Path | None = None
    #: where the bulk facts go as they are written (a store's bulk load of a named pipe, started by
    #: this); None: a file, read once the loaders are done
    stream_bulk: Callable[[Path], Reader] | None = None
    #: what the GLEIF loader imported: entities, with a known controlling parent, with an unknown one
    gleif_counts: dict[str, int] = field(default_factory=dict)

    def forget_names(self) -> None:
        """The organizations' names, needed while the loaders check one another's rows and the shapes
        check them: a golden copy's are millions of strings (about 0.5 GB) that the rules would hold."""
        self.orgs, self.bulk_orgs = set(), set()

    # ------------------------------------------------------------------ bulk facts
    def bulk_facts(self) -> BulkFacts:
        """The build's N-Triples file, opened on first use in a folder of its own under the home
        (the same disk as the store: a golden copy's file is gigabytes)."""
        if self.bulk is None:
            work = self.settings.home / "tmp"
            work.mkdir(parents=True, exist_ok=True)
            path = Path(tempfile.mkdtemp(prefix="bulk-", dir=work)) / "facts.nt"
            self.bulk = BulkFacts(path) if self.stream_bulk is None else BulkFacts.streamed(path, self.stream_bulk)
        return self.bulk

    def discard_bulk(self) -> None:
        """The N-Triples file and its folder, once the store has them (or the build failed)."""
        if self.bulk is not None:
            try:
                self.bulk.close()
            except (OSError, StoreError) as exc:  # the build failed already, or raised this in `close`
                log.warning("bulk facts discarded: %s", exc)
            shutil.rmtree(self.bulk.path.parent, ignore_errors=True)

    # ------------------------------------------------------------------ problems
    def fail(self, row: Row, reason: str) -> None:
        self.problems.append(row.problem(reason))

    def raise_problems(self) -> None:
        """Stop the build if any loader so far found bad rows; all of them are reported at once."""
        if self.problems:
            raise DataError(self.problems)

    # ------------------------------------------------------------------ provenance
    def mint(self, node: URIRef, cls: URIRef, row: Row, label: str | None = None,
             graph: Graph | None = None) -> URIRef:
        """Type a node, label it and remember the row it came from."""
        g = self.facts if graph is None else graph
        g.add((node, RDF.type, cls))
        if label:
            g.add((node, RDFS.label, Literal(label)))
        self.origins.setdefault(node, f"{row.file}:{row.line}")
        return node

    def cite(self, node: URIRef, row: Row, source_cell: str | None = None,
             confidence_cell: str | None = None, graph: Graph | None = None) -> None:
        """Attach dcterms:source and ekg:confidence to a fact node; unknown ids are row errors."""
        g = self.facts if graph is None else graph
        ids = [s.strip() for s in (source_cell if source_cell is not None else row.get("source")).split(";")]
        ids = [s for s in ids if s]
        if not ids:
            self.fail(row, "no source given (every fact needs one)")
        for sid in ids:
            if sid not in self.sources:
                self.fail(row, f"unknown source id {sid!r} (not in any sources*.csv)")
            g.add((node, DCTERMS.source, ns.source(sid)))
        mark = (confidence_cell if confidence_cell is not None else row.get("confidence")).upper()
        if mark not in CONFIDENCE:
            self.fail(row, f"confidence must be one of P, S, U, C, D, got {mark!r}")
            return
        self.set_confidence(node, CONFIDENCE[mark], g)

    def set_confidence(self, node: URIRef, level: URIRef, graph: Graph | None = None) -> None:
        """A node has one confidence: the weakest of the marks its sources give it."""
        g = self.facts if graph is None else graph
        current = g.value(node, EKG.confidence)
        if current is not None and RANK[current] <= RANK[level]:
            return
        g.set((node, EKG.confidence, level))

    # ------------------------------------------------------------------ references
    def country_ref(self, row: Row, code: str, column: str) -> URIRef | None:
        """An ISO 3166-1 alpha-2 code that must exist; a bad one is a row error."""
        code = code.strip().upper()
        if not code:
            return None
        if code not in self.countries:
            self.fail(row, f"{column}: unknown country code {code!r} (ISO 3166-1 alpha-2 expected)")
            return None
        return ns.country(code)

    def resolve_country_name(self, name: str) -> str | None:
        name = name.strip()
        return self.country_aliases.get(name) or self.country_aliases.get(name.lower())


def decimal_cell(ctx: LoadContext, row: Row, column: str, *, minimum: float | None = 0,
                 required: bool = False) -> Decimal | None:
    """A number cell: empty is unknown, a non-number or a value under the minimum is a row error."""
    return decimal_text(ctx, row, column, row.get(column).replace(",", ""), minimum=minimum, required=required)


def decimal_text(ctx: LoadContext, row: Row, column: str, text: str, *, minimum: float | None = 0,
                 required: bool = False) -> Decimal | None:
    """A number read from part of a cell (`column` names it in errors), checked like `decimal_cell`."""
    text = text.strip()
    if not text:
        if required:
            ctx.fail(row, f"{column}: a value is required")
        return None
    shown = text if len(text) <= 40 else text[:37] + "..."
    try:
        value = Decimal(text)
    except InvalidOperation:
        ctx.fail(row, f"{column}: not a number: {shown!r}")
        return None
    if not value.is_finite():
        ctx.fail(row, f"{column}: not a finite number: {shown!r}")
        return None
    if value and not -MAX_DIGITS <= value.adjusted() < MAX_DIGITS:
        ctx.fail(row, f"{column}: {shown} is out of range (at most {MAX_DIGITS} digits either side of the point)")
        return None
    if minimum is not None and value < minimum:
        ctx.fail(row, f"{column}: must be >= {minimum}, got {text}")
        return None
    return value


def date_cell(ctx: LoadContext, row: Row, column: str, *, year_ok: bool = True) -> Literal | None:
    """A date cell (graph/dates.py): empty is unknown, a bad one is a row error."""
    text = row.get(column)
    if not text:
        return None
    try:
        return date_literal(text, year_ok=year_ok)
    except ValueError as exc:
        ctx.fail(row, f"{column}: {exc}")
        return None


def unique_ids(ctx: LoadContext, rows: list[Row], column: str = "id") -> list[Row]:
    """Drop rows whose id repeats an earlier one, reporting each duplicate with both lines."""
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        key = row.get(column)
        if not key:
            ctx.fail(row, f"{column}: empty id")
            continue
        if key in seen:
            ctx.fail(row, f"duplicate {column} {key!r} (first at line {seen[key]})")
            continue
        seen[key] = row.line
        kept.append(row)
    return kept


def number(text: str) -> Decimal | None:
    """Dataset numbers as given; a blank or non-numeric cell is unknown, not an error."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
