"""A scenario's `list` change as RDF: entries added to a BIS list, or entries taken off organizations.

An added entry is written as the list loader writes a real one (graph/loaders/bis_lists.py), with
what a what-if needs: all items subject to the EAR, the policy given (presumption of denial unless
said), no license exceptions (744.16(b) for the Entity List), and a listing date that is the day the
scenario's base regime is read as of (today for a regime without one), so the entry applies to every
answer the scenario gives. Removing takes every `ekg:designates` of that list off the organization.
"""

from __future__ import annotations

from datetime import date

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from exportkg.graph.config import Settings
from exportkg.graph.impact.scenario import Change, Scenario
from exportkg.graph.loaders.bis_lists import BIS_LISTS, POLICIES
from exportkg.graph.namespaces import EKG, ID
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows, run

#: a scenario's list code -> the ontology's list individual
LIST_NODES = {"EL": BIS_LISTS["Entity List"][1], "DPL": BIS_LISTS["Denied Persons List"][1],
              "UVL": BIS_LISTS["Unverified List"][1], "MEU": BIS_LISTS["Military End User"][1]}
DEFAULT_POLICY = "presumption_of_denial"


def entry_iri(scenario: Scenario, code: str, org: str) -> URIRef:
    return ID[f"listed/scenario-{scenario.name}/{code.lower()}-{org}"]


def listing_day(store: Store, settings: Settings, scenario: Scenario) -> str:
    """The base regime's as-of day (a legal state's date), else today."""
    found = rows(store, settings, "regime-info", regime=str(ID[f"regime/{scenario.base}"]))
    as_of = found[0]["asOf"] if found else None
    return str(as_of) if as_of is not None else date.today().isoformat()


def add_entry(graph: Graph, scenario: Scenario, change: Change, org: URIRef, org_id: str, day: str) -> None:
    code = str(change.data["list"])
    policy = str(change.data.get("policy") or DEFAULT_POLICY)
    node = entry_iri(scenario, code, org_id)
    graph.add((node, RDF.type, EKG.ListEntry))
    graph.add((node, RDFS.label, Literal(f"{org_id} (scenario {scenario.name})")))
    graph.add((node, EKG.onList, LIST_NODES[code]))
    graph.add((node, EKG.designates, org))
    graph.add((node, EKG.requirementScope, Literal("all_items")))
    graph.add((node, EKG.licenseRequirementText, Literal("For all items subject to the EAR (scenario).")))
    graph.add((node, EKG.policyCode, Literal(policy)))
    graph.add((node, EKG.entryReviewPolicy, POLICIES[policy]))
    graph.add((node, EKG.licensePolicyText, Literal(policy.replace("_", " ").capitalize() + " (scenario).")))
    graph.add((node, EKG.listingDate, Literal(day, datatype=XSD.date)))


def designations(store: Store, settings: Settings, code: str, org: URIRef) -> Graph:
    """The `ekg:designates` triples of the list's entries naming the organization."""
    return run(store, settings, "scenario-designations", org=str(org), list=code).graph
