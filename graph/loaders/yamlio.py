"""YAML with line numbers, so that a bad regime or scenario entry is reported at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from exportkg.graph.errors import DataError
from exportkg.graph.loaders.csvio import Row

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that records each mapping's first line (1-based) under LINE_KEY."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Parse a YAML file; syntax errors become DataError with the line yaml points at."""
    name = label or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError.single(name, None, f"cannot read: {exc.strerror}") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DataError.single(name, line, f"malformed YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise DataError.single(name, None, f"malformed YAML: {exc}") from exc


def as_row(name: str, mapping: dict[str, Any]) -> Row:
    """A YAML mapping seen as a Row, so loaders cite and fail the same way as for CSV rows."""
    values = {}
    for key, value in mapping.items():
        if key == LINE_KEY or isinstance(value, dict):
            continue
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        values[str(key)] = "" if value is None else str(value)
    return Row(name, int(mapping.get(LINE_KEY, 0)), values)
