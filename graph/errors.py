"""Typed errors: the CLI turns them into messages and exit codes, library code never exits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ExportKGError(Exception):
    """Base of every error exportkg reports to a user."""


@dataclass
class Problem:
    """One thing wrong with one input row: enough to find and fix it."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{where}: {self.reason}"


class DataError(ExportKGError):
    """Bad input data. Carries every problem found, each with file, row and reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the input data:\n{shown}{more}")

    @classmethod
    def single(cls, file: str | Path, row: int | None, reason: str) -> DataError:
        return cls([Problem(str(file), row, reason)])


class StoreError(ExportKGError):
    """The store is missing, locked or unreadable."""


class QueryError(ExportKGError):
    """A named query is unknown, malformed or given bad parameters."""


class ServeError(ExportKGError):
    """The web service cannot start (its address is taken or not allowed)."""
