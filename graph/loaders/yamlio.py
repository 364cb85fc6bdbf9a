"""YAML with line numbers, so that a bad regime or scenario entry is reported at its line; and YAML
that cannot hurt: whatever a file holds, reading it ends with the data or a `file:line: reason`.

PyYAML's safe loader builds no objects, but it will still follow a billion-laughs file (9 levels of
10 aliases: a billion nodes for whoever walks them), recurse once per nesting level (20,000 `[` is a
RecursionError), turn a 5,000-digit integer into a ValueError, and read only UTF-8. So: files over
MAX_BYTES, nesting over MAX_DEPTH, and documents whose aliases would expand past MAX_NODES nodes are
refused; text that is not UTF-8 is named as such; every value the constructor cannot make is a
problem at its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from exportkg.graph.errors import DataError
from exportkg.graph.loaders.csvio import Row

LINE_KEY = "__line__"
MAX_BYTES = 1_000_000
MAX_DEPTH = 50
#: nodes a document may have once its aliases are expanded
MAX_NODES = 100_000


class Lines(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the line (1-based) of each of its items."""

    lines: list[int]

    def line(self, index: int, default: int | None = None) -> int | None:
        lines = getattr(self, "lines", [])
        return lines[index] if index < len(lines) else default


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that records each mapping's first line (1-based) under LINE_KEY and each
    sequence item's line, and refuses documents too deep or too big once aliases are expanded."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: object) -> Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise ComposerError(None, None, "an alias refers to the node that contains it", mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(node)] = size = 1 + sum(self._sizes.get(id(child), 1) for child in _children(node))
        if size > MAX_NODES:
            raise ComposerError(None, None, f"more than {MAX_NODES:,} values once its aliases are expanded",
                                node.start_mark)
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # a 5,000-digit integer, a date that does not exist
            raise ConstructorError(None, None, f"cannot read this value: {str(exc)[:120]}", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping

    def construct_lined_sequence(self, node: SequenceNode):  # type: ignore[no-untyped-def]
        data = Lines()
        data.lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_sequence(node))


_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_lined_sequence)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _text(path: Path, name: str) -> str:
    """The file as text: at most MAX_BYTES, UTF-8 (a byte order mark is allowed)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError.single(name, None, f"cannot read: {exc.strerror}") from exc
    if len(data) > MAX_BYTES:
        raise DataError.single(name, None, f"larger than {MAX_BYTES:,} bytes; a YAML file here is a few KB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError.single(name, 1, "the file is UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DataError.single(name, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as "
                                           "UTF-8") from None


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Parse a YAML file; syntax errors and refused documents become DataError with their line."""
    name = label or path.name
    text = _text(path, name)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        line = text[:exc.position].count("\n") + 1
        raise DataError.single(name, line, f"the character U+{exc.character:04X} is not allowed in YAML"
                               if isinstance(exc.character, int) else "a character not allowed in YAML") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DataError.single(name, line, f"malformed YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise DataError.single(name, None, f"malformed YAML: {exc}") from exc
    except RecursionError:
        raise DataError.single(name, None, "malformed YAML: nested too deeply") from None


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
