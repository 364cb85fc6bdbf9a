"""The determination page's store work, a task of server/sparql/tasks.py run in a query worker under
the query timeout like every page's. No Flask here: workers import this module.

The answer is `work.determine_json`, the body of /api/determine, unchanged: the page and the memo only
put it into words, so they can never disagree with the API or with `exportkg determine`. What the
page adds is finding the party (its id, its IRI, or part of its name through the same `search` that
/search runs) and the country names, and it checks the form's values first so a mistake is answered
with the form and a message rather than an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.answers.determine import ECCN_CODES
from exportkg.graph.answers.model import NEEDS, named
from exportkg.graph.config import Settings
from exportkg.graph.dates import parse_day
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows
from exportkg.server.errors import HttpError
from exportkg.server.views import work
from exportkg.server.views.terms import TermView, view

#: the item classes the form offers: those determine() takes by code (it also takes chip and model ids)
ITEMS = tuple(sorted(ECCN_CODES))
CONFIDENCE = {"P": "primary source", "S": "secondary source", "U": "unverified", "C": "code note", "D": "dataset"}
STATUS = {"enforced": "enforced", "as_written": "as written", "not_enforced": "not enforced",
          "suspended": "suspended", "compliance_not_yet_required": "compliance not yet required",
          "unknown": "status unknown"}


@dataclass(frozen=True)
class Question:
    """The form's values as given (empty where not given)."""

    party: str = ""
    item: str = ""
    destination: str = ""
    date: str = ""


@dataclass
class Answer:
    """One determination (the /api/determine body) and the names it is shown with."""

    determination: dict[str, object]
    party: TermView
    destination: str
    regime: TermView

    @property
    def verdict(self) -> str:
        return NEEDS[self.determination["license_required"]]  # type: ignore[index]

    @property
    def verdict_key(self) -> str:
        """A class name for the verdict: required, not-required or undetermined."""
        return {True: "required", False: "not-required", None: "undetermined"}[
            self.determination["license_required"]]  # type: ignore[index]

    @property
    def policy(self) -> str:
        return str(self.determination["review_policy"]).replace("_", " ")

    @property
    def item_class(self) -> str:
        eccn = str(self.determination["eccn"])
        return {"not controlled": "not in a controlled class", "unknown": "class not known"}.get(eccn, f"ECCN {eccn}")

    @property
    def item(self) -> str:
        """The item by name with its class; a class asked for by its code is just its class."""
        name = str(self.determination["item_name"] or self.determination["item"])
        return self.item_class if name == self.determination["eccn"] else f"{name} ({self.item_class})"

    @property
    def law(self) -> str:
        if self.determination["legal_state"]:
            return f"the law in force on {self.determination['as_of']}"
        return f"version {self.determination['regime']} of the rules, as written"

    @property
    def not_enforced(self) -> list[dict[str, object]]:
        """Requirements of the text that did not apply that day (suspended, not enforced, ...)."""
        return [r for r in self.determination["requirements"]  # type: ignore[attr-defined]
                if r["status"] not in ("enforced", "as_written")]


@dataclass
class DeterminePage:
    """What the form page (and the memo) shows: the answer, or the parties to choose from, or why not."""

    countries: list[tuple[str, str]]
    answer: Answer | None = None
    candidates: list[TermView] = field(default_factory=list)
    error: str = ""
    status: int = 200


def determine_page(store: Store, settings: Settings, party: str, item: str, destination: str,
                   day: str) -> DeterminePage:
    """The determination for the form's question, or the form again with what to change."""
    countries = sorted(((str(r["code"]), str(r["name"] or r["code"])) for r in rows(store, settings, "countries")),
                       key=lambda c: c[1].casefold())
    page = DeterminePage(countries)
    if not party:
        return page
    try:
        _check(item, day)
        asked = {"item": item, "destination": destination or None, "regime": None, "on": day or None}
        try:
            found = work.determine_json(store, settings, party=party, **asked)
        except HttpError as exc:
            if exc.status != 404:  # 404: no party has this id or IRI; it may be part of a name
                raise
            iri = _named(store, settings, party, page)
            if iri is None:
                return page
            found = work.determine_json(store, settings, party=iri, **asked)
    except HttpError as exc:
        page.error, page.status = exc.message, exc.status
        return page
    page.answer = _answer(found, dict(countries))
    return page


def _answer(found: dict[str, object], names: dict[str, str]) -> Answer:
    """The determination with the party's name and IRI, the country's name and the regime's page."""
    code, regime = str(found["destination"]), str(found["regime"])
    for key in ("reasons", "requirements"):  # rule texts write the destination's code: name it
        found[key] = [{**r, "because": named(str(r["because"]), code, names.get(code, ""))}
                      for r in found[key]]  # type: ignore[attr-defined]
    party = view(URIRef(str(found["party"])), Literal(found["party_name"] or found["party"]))
    return Answer(found, party, f"{names.get(code, code)} ({code})", view(ns.regime(regime), Literal(regime)))


def _check(item: str, day: str) -> None:
    """The form's own mistakes, named by its fields (determine() would say `--on` for the date)."""
    if not item:
        raise HttpError(400, f"choose an item: {', '.join(ITEMS)} (or give a chip or model id)")
    if day:
        try:
            parse_day(day)
        except ValueError as exc:
            raise HttpError(400, f"date: {exc}") from None


def _named(store: Store, settings: Settings, text: str, page: DeterminePage) -> str | None:
    """The IRI of the one party whose name is the text, or else contains it (queries/system/
    search-parties.rq: parties only, so list entries never crowd them out); None, with page.candidates
    set, when several do."""
    found = [view(r["entity"], r["label"]) for r in rows(store, settings, "search-parties", text=text)]
    exact = [e for e in found if e.text.casefold() == text.casefold()]
    if len(exact) == 1 or len(found) == 1:
        return str((exact or found)[0].iri)
    if not found:
        raise HttpError(404, f"no organization or data center has the id, the IRI or a name containing {text!r}")
    page.candidates = found
    return None
