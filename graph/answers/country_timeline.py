"""A country's position over time, as a picture for its page: the text in force and the country's tier
in it, each provision's status (enforced, not enforced, suspended …), and its country-group
memberships, on one time axis from the first legal state to today; the days its tier or a membership
changes are marked.

Read with queries/system/country-timeline-states.rq and country-memberships.rq; drawn by
graph/render/lanes.py. Legal states only: drafts and scenarios are never the law.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from exportkg.graph.answers.maps import TIERS
from exportkg.graph.config import Settings
from exportkg.graph.render.lanes import Bar, Event, Lane, Timeline
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records

NO_TIERS = "#cfd8dc"
STATUS_COLOURS = {"enforced": "#2b8cbe", "not enforced": "#bdbdbd", "suspended": "#fdae61",
                  "compliance not yet required": "#a6dba0", "status unknown": "#f1d4e6"}
UNKNOWN_STATUS = STATUS_COLOURS["status unknown"]
GROUP_COLOURS = {"D": "#d6604d", "E": "#8c2d04", "A": "#4d9221"}
OTHER_GROUP = "#6a51a3"


def _day(term: object) -> date | None:
    return date.fromisoformat(str(term)[:10]) if term is not None else None


def _states(store: Store, settings: Settings, iri: str) -> list[dict]:
    """Legal states in order, each with its version, the country's tier and provision statuses."""
    states: dict[date, dict] = {}
    for row in records(store, settings, "country-timeline-states", country=iri):
        day = _day(row["from"])
        state = states.setdefault(day, {"from": day, "version": str(row.version),  # type: ignore[arg-type]
                                        "label": str(row.versionLabel or row.version),
                                        "citation": str(row.citation or ""),
                                        "tier": int(row.tier) if row.tier is not None else None, "provisions": {}})
        if row.provision is not None:
            state["provisions"][str(row.provisionLabel)] = str(row.status)
    return [states[d] for d in sorted(states)]


def _tier_colour(tier: int | None) -> str:
    return next((c.colour for c in TIERS if c.key == str(tier)), NO_TIERS)


def _law_lanes(states: list[dict], name: str, today: date) -> tuple[list[Lane], list[Event]]:
    text, provisions, events = Lane("Text in force, tier"), defaultdict(list), []
    for i, state in enumerate(states):
        start, end = state["from"], states[i + 1]["from"] if i + 1 < len(states) else today
        tier = f"Tier {state['tier']}" if state["tier"] else "no AI Diffusion tiers"
        cite = f", {state['citation']}" if state["citation"] else ""
        text.bars.append(Bar(start, end, _tier_colour(state["tier"]),
                             f"From {start}: {state['label']} ({state['version']}{cite})\n{name}: {tier}",
                             f"T{state['tier']}" if state["tier"] else ""))
        for label, status in state["provisions"].items():
            provisions[label].append(Bar(start, end, STATUS_COLOURS.get(status, UNKNOWN_STATUS),
                                         f"{label}\nFrom {start}: {status}"))
        before = states[i - 1]["tier"] if i else None
        if i and before != state["tier"]:
            change = f"Tier {before or 'none'} → {state['tier'] or 'none'}"
            events.append(Event(start, change, f"{start}: {name} moves, {change} ({state['label']})"))
    lanes = [text] + [Lane(_short(label), bars) for label, bars in provisions.items()]
    return lanes, events


def _short(label: str, limit: int = 27) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _group_lanes(store: Store, settings: Settings, iri: str, start: date, today: date,
                 name: str) -> tuple[list[Lane], list[Event]]:
    lanes: dict[str, Lane] = {}
    events = []
    for row in records(store, settings, "country-memberships", country=iri):
        group, begin, end = str(row.group), _day(row["from"]), _day(row.to)
        if end is not None and end <= start:
            continue
        known = f"from {begin}" if begin else "start unknown (held before the first rule, or not found)"
        hover = (f"Country group {group}: {known}, {'until ' + str(end) if end else 'still held'}\n"
                 f"Confidence: {row.confidence or 'not recorded'}; sources: {row.sources or 'not recorded'}")
        colour = GROUP_COLOURS.get(group[:1], OTHER_GROUP)
        lane = lanes.setdefault(group, Lane(f"Country group {group}"))
        lane.bars.append(Bar(begin or start, end or today, colour, hover, group, open_start=begin is None))
        for day, verb in ((begin, "joins"), (end, "leaves")):
            if day is not None and start < day <= today:
                events.append(Event(day, f"{verb} {group}", f"{day}: {name} {verb} country group {group}"))
    return [lanes[g] for g in sorted(lanes)], events


def country_timeline(store: Store, settings: Settings, iri: str, name: str, today: date | None = None) -> Timeline:
    """The picture's data for one country (its IRI and display name)."""
    today = today or date.today()
    states = _states(store, settings, iri)
    start = states[0]["from"] if states else today
    law, law_events = _law_lanes(states, name, today)
    groups, group_events = _group_lanes(store, settings, iri, start, today, name)
    legend = [(c.colour, c.label) for c in TIERS[:3]] + [(NO_TIERS, "version without tiers")]
    legend += [(colour, f"provision {status}") for status, colour in STATUS_COLOURS.items()]
    legend += [(GROUP_COLOURS["D"], "D group (concern)"), (GROUP_COLOURS["A"], "A group (allied)")]
    return Timeline(f"{name}: the law over time", start, today, law + groups,
                    sorted(law_events + group_events, key=lambda e: e.day), legend)
