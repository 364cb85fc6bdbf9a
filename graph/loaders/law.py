"""The law on every day: provisions with their dated statuses, and one legal state per day on which
anything changes.

A legal state `law-<day>` is a regime like the others, so the same rules run on it: it extends the
version of the text in force that day (the latest `law_from` on or before it), has its own copy of that
version's tier lists (inferences are keyed by tier nodes), is read with the country groups of its own
day (its as-of date), and names the status each provision has that day. A state is made for each
version's `law_from`, each provision status change and each change of an A:5, A:6, D:1, D:4 or D:5
membership, so that between two states nothing the rules read changes. On the day a version takes
effect, if the law that day is just that version as written (every provision enforced, no superseded
scope still enforced), the version itself is typed a legal state instead of being copied.
`exportkg determine --on DAY` answers from the legal state with the latest `lawFrom` on or before DAY.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, date_cell
from exportkg.graph.loaders.regimes import FILE, inherited_tiers, load_tiers
from exportkg.graph.loaders.yamlio import as_row
from exportkg.graph.namespaces import EKG, ID

STATUS = {"enforced": EKG.Enforced, "not_enforced": EKG.NotEnforced, "suspended": EKG.Suspended,
          "compliance_not_yet_required": EKG.ComplianceNotYetRequired, "unknown": EKG.StatusUnknown}
#: the groups the rules read a destination's position from: a change in one makes a new state
RULE_GROUPS = {ns.group(code) for code in ("A:5", "A:6", "D:1", "D:4", "D:5")}

#: by provision key: (first day, status node, status) of each dated status, oldest first
Events = dict[str, list[tuple[date, URIRef, URIRef]]]


def load(ctx: LoadContext) -> None:
    events = _provisions(ctx)
    versions = _versions(ctx)
    if not versions:
        return
    first = versions[0][0]
    days = {day for day, _ in versions} | {event[0] for dated in events.values() for event in dated}
    days |= {day for day in _membership_days(ctx) if day >= first}
    for day in sorted(d for d in days if d >= first):
        since, version = max((v for v in versions if v[0] <= day), key=lambda v: v[0])
        statuses = _statuses(events, day)
        if since == day and _reads_as_written(ctx, version, statuses):
            _version_as_state(ctx, version, statuses)
        else:
            _state(ctx, day, version, statuses)


#: the ids of the legal states the build derives (the versions standing as legal states keep theirs)
STATE_PREFIX = "law-"


def state_id(day: date) -> str:
    return f"{STATE_PREFIX}{day.isoformat()}"


def _versions(ctx: LoadContext) -> list[tuple[date, str]]:
    """(law_from, version id) of the text chain, oldest first."""
    found = []
    for rid, entry in ctx.regime_entries.items():
        if entry.get("law_from"):
            cell = date_cell(ctx, as_row(FILE, entry), "law_from", year_ok=False)
            if cell is not None:
                found.append((cell.toPython(), rid))
    return sorted(found)


def _provisions(ctx: LoadContext) -> Events:
    """Every provision's dated statuses (nodes in the introducing version's graph), by provision key."""
    events: Events = {}
    for rid, entry in ctx.regime_entries.items():
        graph = ctx.regime_graphs.setdefault(rid, Graph())
        for spec in entry.get("provisions") or []:
            row = as_row(FILE, spec)
            key = row.get("id")
            if not key:
                ctx.fail(row, "a provision needs an id")
                continue
            node = ctx.mint(ID[f"provision/{key}"], EKG.Provision, row, row.get("title") or key, graph)
            graph.add((ns.regime(rid), EKG.hasProvision, node))
            graph.add((node, EKG.provision, Literal(key)))
            if row.get("citation"):
                graph.add((node, EKG.citation, Literal(row.get("citation"))))
            ctx.cite(node, as_row(FILE, entry), graph=graph)
            dated = [e for s in spec.get("statuses") or [] if (e := _event(ctx, key, node, s, graph))]
            if row.get("reach") == "parties":
                # read for a party when an answer is given (graph/answers/end_user.py): no legal state
                graph.add((node, EKG.readFor, Literal("parties")))
            else:
                events[key] = dated
    return events


def _event(ctx: LoadContext, key: str, provision: URIRef, spec: dict[str, Any],
           graph: Graph) -> tuple[date, URIRef, URIRef] | None:
    row = as_row(FILE, spec)
    since = date_cell(ctx, row, "from", year_ok=False)
    status = STATUS.get(row.get("status"))
    if status is None:
        ctx.fail(row, f"status must be one of {', '.join(STATUS)}, got {row.get('status')!r}")
    if since is None or status is None:
        if since is None and not row.get("from"):
            ctx.fail(row, "from: a provision status needs the day it starts")
        return None
    node = ctx.mint(ID[f"provision/{key}/status/{since}"], EKG.ProvisionStatus, row,
                    f"{key}: {row.get('status').replace('_', ' ')} from {since}", graph)
    graph.add((provision, EKG.statusEvent, node))
    graph.add((node, EKG.ofProvision, provision))
    graph.add((node, EKG.provision, Literal(key)))
    graph.add((node, EKG.status, status))
    graph.add((node, EKG.statusSince, since))
    if row.get("note"):
        graph.add((node, EKG.note, Literal(row.get("note"))))
    ctx.cite(node, row, graph=graph)
    return since.toPython(), node, status


def _membership_days(ctx: LoadContext) -> set[date]:
    """The days an asserted membership of a group the rules read starts or ends."""
    days = set()
    for member in ctx.facts.subjects(RDF.type, EKG.GroupMembership):
        if (ctx.facts.value(member, EKG.membershipStatus) != EKG.Asserted
                or ctx.facts.value(member, EKG.group) not in RULE_GROUPS):
            continue
        for prop in (EKG.validFrom, EKG.validTo):
            value = ctx.facts.value(member, prop)
            if value is not None and isinstance(value.toPython(), date):
                days.add(value.toPython())
    return days


def _statuses(events: Events, day: date) -> list[tuple[URIRef, URIRef]]:
    """Each provision's (status node, status) on `day`: its latest change on or before it."""
    current = ([(node, status) for since, node, status in dated if since <= day] for dated in events.values())
    return [found[-1] for found in current if found]


def _reads_as_written(ctx: LoadContext, version: str, statuses: list[tuple[URIRef, URIRef]]) -> bool:
    """The law on the day a version takes effect is that version as written when every provision is
    enforced and the text replaced no scope BIS kept enforcing (no tiers yet): the version then
    stands as the legal state itself, and the rules do not run twice on the same law."""
    return all(status == EKG.Enforced for _node, status in statuses) and inherited_tiers(ctx, version) is None


def _version_as_state(ctx: LoadContext, version: str, statuses: list[tuple[URIRef, URIRef]]) -> None:
    """The version is the law from its own `law_from` (already on it) to the next state."""
    graph = ctx.regime_graphs.setdefault(version, Graph())
    node = ns.regime(version)
    graph.add((node, RDF.type, EKG.LegalState))
    graph.add((node, EKG.lawVersion, node))
    for status_node, _status in statuses:
        graph.add((node, EKG.provisionStatus, status_node))


def _state(ctx: LoadContext, day: date, version: str, statuses: list[tuple[URIRef, URIRef]]) -> None:
    sid = state_id(day)
    graph = ctx.regime_graphs.setdefault(sid, Graph())
    entry = ctx.regime_entries[version]
    row = as_row(FILE, entry)
    node = ctx.mint(ns.regime(sid), EKG.Regime, row, f"The law on {day}", graph)
    graph.add((node, RDF.type, EKG.LegalState))
    title = entry.get("short_title") or entry.get("title")
    graph.add((node, DCTERMS.title, Literal(f"The law in force on {day}: {title}, as amended")))
    graph.add((node, RDFS.comment, Literal(
        f"The text in force from {day} ({version}), read with the country groups of that day and each "
        "provision's status on it; derived by the build from the versions and their dated provisions.")))
    for prop, value in ((EKG.asOfDate, Literal(day)), (EKG.effectiveDate, Literal(day)),
                        (EKG.regimeStatus, Literal("legal_state")), (EKG.lawVersion, ns.regime(version)),
                        (EKG.extends, ns.regime(version))):
        graph.add((node, prop, value))
    ctx.cite(node, row, graph=graph)
    _state_parameter(ctx, sid, node, row, graph)
    tiers = inherited_tiers(ctx, version)
    if tiers:
        load_tiers(ctx, sid, node, tiers, row, graph)
    graph.add((node, EKG.lawFrom, Literal(day)))
    for status_node, _status in statuses:
        graph.add((node, EKG.provisionStatus, status_node))


def _state_parameter(ctx: LoadContext, sid: str, node: URIRef, row: Any, graph: Graph) -> None:
    """`law_state`: rules that read a superseded scope BIS still enforces fire in legal states only."""
    param = ctx.mint(ID[f"regime/{sid}/param/law_state"], EKG.Parameter, row, f"{sid}: law_state", graph)
    graph.add((node, EKG.hasParameter, param))
    graph.add((param, EKG.parameterName, Literal("law_state")))
    graph.add((param, EKG.value, Literal(True)))
    ctx.cite(param, row, graph=graph)
