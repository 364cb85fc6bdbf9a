"""The types and ranges of a scenario's changes, checked as strictly as an import's rows.

YAML gives a value whatever type it looks like: `tier: true` is a boolean (and True == 1 in Python),
`value: [1, 2]` a list, `.nan`, `.inf` and `1e400` floats, `NO` a boolean, `share: abc` a string. A
scenario is read only when every value of every change has the type and range its key means; each
problem comes back as a reason for the change's line. What a scenario names (countries, regimes,
organizations) is checked against the graph afterwards (scenario_rdf.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
#: numbers a scenario may give: finite, non-negative, below this (operation counts reach 1e26)
MAX_NUMBER = 1e30


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(value: Any, what: str, *, high: float = MAX_NUMBER) -> str | None:
    """A reason if `value` is not a finite number in [0, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{what}: expected a number, got {shown(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{what}: expected a finite number, got {shown(value)}"
    if value < 0 or value > high:
        got = shown(value) if abs(value) < 1e40 else "a number too large to be a cap, share or count"
        return f"{what}: expected a number from 0 to {high:g}, got {got}"
    return None


def codes(value: Any, what: str, *, required: bool) -> str | None:
    """A reason if `value` is not a country code or a list of them."""
    if value is None:
        return f"{what}: expected a list of ISO 3166-1 alpha-2 codes such as [PL, CH]" if required else None
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, bool):
            return f"{what}: {shown(item)} is a boolean to YAML; quote country codes such as \"NO\" (Norway)"
        if not isinstance(item, str):
            return f"{what}: expected ISO 3166-1 alpha-2 codes, got {shown(item)}"
    return None


def slug(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not SLUG.match(value):
        return f"{what}: expected an id such as tiktok-pte-ltd (lowercase letters, digits, -), got {shown(value)}"
    return None


def text(value: Any, what: str) -> str | None:
    return None if value is None or isinstance(value, str) else f"{what}: expected text, got {shown(value)}"


def _tier(data: dict[str, Any]) -> list[str | None]:
    tier = data.get("tier")
    bad = isinstance(tier, bool) or tier not in (1, 2, 3)
    return [f"tier: expected 1, 2 or 3, got {shown(tier)}" if bad else None,
            codes(data.get("countries"), "countries", required=True)]


def _group(data: dict[str, Any]) -> list[str | None]:
    group = data.get("group")
    found = [None if isinstance(group, str) else f"group: expected a group such as \"D:5\", got {shown(group)}"]
    for key in ("add", "remove"):
        if key in data:
            found.append(codes(data[key], key, required=True))
    return found


def _parameter(data: dict[str, Any]) -> list[str | None]:
    name = data.get("parameter")
    found = [None if isinstance(name, str) else f"parameter: expected a parameter name, got {shown(name)}"]
    if "unset" in data and data["unset"] is not True:
        found.append(f"unset: only `unset: true` is meaningful, got {shown(data['unset'])}")
    if "value" in data:
        high = 100 if isinstance(name, str) and name.endswith("_pct") else MAX_NUMBER
        found.append(number(data["value"], f"parameter {name}", high=high))
    return found


def _authorization(data: dict[str, Any]) -> list[str | None]:
    found = [text(data.get("authorization"), "authorization")]
    if not isinstance(data.get("available"), bool):
        found.append(f"authorization: available must be true or false, got {shown(data.get('available'))}")
    if "value" in data:
        found.append(number(data["value"], "value"))
    return found


def _ownership(data: dict[str, Any]) -> list[str | None]:
    owned, parent = data.get("ownership"), data.get("parent")
    found = [slug(owned, "ownership"), slug(parent, "parent", required=False)]
    if parent is not None and parent == owned:
        found.append(f"parent: an organization cannot be its own parent ({owned})")
    if data.get("share") is not None:
        found.append("share: a share needs a parent" if parent is None else number(data["share"], "share", high=100))
    return found


def _datacenter(data: dict[str, Any]) -> list[str | None]:
    found = [slug(data.get("datacenter"), "datacenter"), text(data.get("name"), "name"),
             slug(data.get("owner"), "owner", required=False)]
    if data.get("country") is not None:
        found.append(codes(data["country"], "country", required=True))
        if isinstance(data["country"], list):
            found.append("country: a data center is in one country")
    if data.get("h100e") is not None:
        found.append(number(data["h100e"], "h100e"))
    return found


LISTS = ("EL", "MEU", "DPL", "UVL")
LIST_POLICIES = ("presumption_of_denial", "case_by_case", "presumption_of_approval")


def _list(data: dict[str, Any]) -> list[str | None]:
    found: list[str | None] = []
    if data.get("list") not in LISTS:
        found.append(f"list: expected one of {', '.join(LISTS)}, got {shown(data.get('list'))}")
    add, remove = data.get("add") or [], data.get("remove") or []
    for key, value in (("add", add), ("remove", remove)):
        if not isinstance(value, list):
            found.append(f"{key}: expected a list of organization ids such as [deepseek], got {shown(value)}")
        else:
            found += [slug(v, key) for v in value]
    if not add and not remove:
        found.append("list change: add or remove names at least one organization")
    policy = data.get("policy")
    if policy is not None and policy not in LIST_POLICIES:
        found.append(f"policy: expected one of {', '.join(LIST_POLICIES)}, got {shown(policy)}")
    if policy is not None and not add:
        found.append("policy: a policy is for the entries a change adds")
    if isinstance(add, list) and isinstance(remove, list) and set(map(str, add)) & set(map(str, remove)):
        found.append("add and remove name the same organization")
    return found


CHECKS = {"tier": _tier, "group": _group, "parameter": _parameter, "authorization": _authorization,
          "ownership": _ownership, "datacenter": _datacenter, "list": _list}


def problems(kind: str, data: dict[str, Any]) -> list[str]:
    """What is wrong with the values of one change of this kind (empty when nothing is)."""
    found = CHECKS[kind](data) + [text(data.get("note"), "note")]
    return [reason for reason in found if reason]
