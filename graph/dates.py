"""Dates, parsed one way everywhere: data files, scenario files, query parameters and `--on`.

A date is an ISO day, YYYY-MM-DD. Where a source gives only a year, a data file may write YYYY, kept
as xsd:gYear rather than padded into a false day; where the rules compare dates (a regime's dates, a
day asked for) a day is required and a bare year is refused with a message saying so.
"""

from __future__ import annotations

from datetime import date

from rdflib import XSD, Literal

DAY_FORMAT = "YYYY-MM-DD"


def parse_day(text: str) -> date:
    """An ISO day; ValueError with a message a user can act on."""
    text = str(text).strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO date ({DAY_FORMAT}): {text!r}") from None


def date_literal(text: str, *, year_ok: bool = True) -> Literal:
    """An xsd:date literal, or xsd:gYear for a bare year where `year_ok`."""
    text = str(text).strip()
    if year_ok and len(text) == 4 and text.isdigit():
        return Literal(text, datatype=XSD.gYear)
    try:
        return Literal(parse_day(text))
    except ValueError:
        allowed = f"{DAY_FORMAT} or YYYY" if year_ok else f"{DAY_FORMAT}; a day is needed here"
        raise ValueError(f"not an ISO date ({allowed}): {text!r}") from None
