"""The golden cases (tests/golden/, tests/golden_law/) as data, and their parties as one import CSV.

Shared by tests/test_golden.py, which checks each case, and conftest.py, whose session home imports
every case's parties (with the markup-named party of the XSS tests) in one build.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

GOLDEN_DIRS = (Path(__file__).parent / "golden", Path(__file__).parent / "golden_law")
CSV_COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "owners", "list_entries",
               "operator", "h100e", "source"]


def _normalise(value: Any) -> Any:
    """YAML 1.1 reads an unquoted `on:` key as True and bare dates as date objects: undo both."""
    if isinstance(value, dict):
        return {("on" if k is True else k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for folder in GOLDEN_DIRS:
        for path in sorted(folder.glob("*.yaml")):
            case = _normalise(yaml.safe_load(path.read_text(encoding="utf-8")))
            case["_path"] = path
            cases.append(case)
    return cases


def write_parties(path: Path, cases: list[dict[str, Any]], extra: list[dict[str, str]] = ()) -> int:  # type: ignore[assignment]
    """Every case's parties (and `extra` rows) as one import CSV; how many rows."""
    rows = [row for case in cases for row in case.get("parties") or []] + list(extra)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else str(row[k]) for k in CSV_COLUMNS})
    return len(rows)
