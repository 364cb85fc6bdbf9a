"""The Consolidated Screening List (CSL) in its three forms, read into one kind of row.

Forms read:
- the shipped snapshot (graph/data/ear/bis-lists-*.csv): CSL field names, with `countries` already
  taken from the addresses (graph/data/ear/README.md);
- trade.gov's published CSV (`consolidated.csv`): header `_id,source,entity_number,type,programs,name,
  title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,
  license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,
  remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,
  source_information_url,ids`, where `addresses` and `alt_names` are `;`-separated and each address ends
  with its country code ("No. 34 Mansour Street, Tehran, IR");
- trade.gov's JSON (`consolidated.json`): `{"results": [...]}` with the same field names, `alt_names`
  a list and `addresses` a list of objects with a `country`.
The formats were checked against code that reads the published files: the header and a row in
openedx/ecommerce's SDN fallback test (api.trade.gov/static/consolidated_screening_list/consolidated.csv),
moov-io/watchman's CSL parser (`;`-separated addresses and alternate names, `_id` first) and
opensanctions' us_trade_csl crawler (consolidated.json: `results`, `addresses[].country`, `id`).

Every row keeps its file and line (JSON: its index in `results`), so a problem reads `file:line: reason`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from exportkg.graph.errors import DataError, Problem
from exportkg.graph.loaders.csvio import read_rows

SHIPPED_COLUMNS = ["source", "entity_number", "type", "name", "alt_names", "countries",
                   "federal_register_notice", "license_requirement", "license_policy", "source_list_url"]
#: the trade.gov CSV columns the loader needs (the others are read and ignored)
TRADE_GOV_COLUMNS = ["source", "entity_number", "type", "name", "addresses", "federal_register_notice",
                     "start_date", "end_date", "license_requirement", "license_policy", "source_list_url",
                     "alt_names"]


@dataclass
class ListRow:
    """One entry of one list, as any of the three forms gives it."""

    file: str
    line: int | None
    source: str
    name: str
    entity_number: str = ""
    kind: str = ""
    alt_names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    notices: str = ""
    requirement: str = ""
    policy: str = ""
    start_date: str = ""
    end_date: str = ""
    list_url: str = ""
    key: str = ""

    def problem(self, reason: str) -> Problem:
        return Problem(self.file, self.line, reason)

    def content(self) -> tuple[object, ...]:
        """What an import report compares to say an entry changed."""
        return (self.name, tuple(sorted(self.alt_names)), tuple(sorted(set(self.countries))), self.notices,
                self.requirement, self.policy, self.start_date, self.end_date, self.kind)


def read(path: Path, label: str | None = None) -> list[ListRow]:
    """Rows of any form, each with its stable key; bad files and duplicates raise DataError."""
    name = label or path.name
    if path.suffix.lower() == ".json":
        rows = _read_json(path, name)
    else:
        rows = _read_csv(path, name)
    problems = [row.problem("name: required") for row in rows if not row.name]
    problems += [row.problem("source: the list is required") for row in rows if not row.source]
    if problems:
        raise DataError(problems)
    assign_keys(rows)
    return rows


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _read_csv(path: Path, name: str) -> list[ListRow]:
    header = _header(path, name)
    trade_gov = "addresses" in header and "countries" not in header
    columns = TRADE_GOV_COLUMNS if trade_gov else SHIPPED_COLUMNS
    rows = []
    for row in read_rows(path, columns, label=name):
        countries = _address_countries(row.get("addresses")) if trade_gov else _split(row.get("countries"))
        rows.append(ListRow(
            file=row.file, line=row.line, source=row.get("source"), name=row.get("name"),
            entity_number=row.get("entity_number"), kind=row.get("type"), alt_names=_split(row.get("alt_names")),
            countries=countries, notices=row.get("federal_register_notice"),
            requirement=row.get("license_requirement"), policy=row.get("license_policy"),
            start_date=row.get("start_date"), end_date=row.get("end_date"), list_url=row.get("source_list_url")))
    return rows


def _header(path: Path, name: str) -> list[str]:
    """The header, to tell the shipped form from trade.gov's (read_rows checks the rest). The whole file is
    decoded first so that broken encoding is reported at its own line (a text stream decodes by blocks)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError.single(name, None, f"cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError.single(name, data[:exc.start].count(b"\n") + 1, f"not UTF-8: {exc.reason}") from None
    return [h.strip() for h in text.split("\n", 1)[0].strip("\ufeff\r").split(",")]


def _address_countries(addresses: str) -> list[str]:
    """The country code that ends each `;`-separated address (trade.gov CSV)."""
    codes = []
    for address in _split(addresses):
        last = address.rsplit(",", 1)[-1].strip()
        if last and last not in codes and "," in address:
            codes.append(last)
    return codes


def _read_json(path: Path, name: str) -> list[ListRow]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError.single(name, data[:exc.start].count(b"\n") + 1, f"not UTF-8: {exc.reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError.single(name, exc.lineno, f"malformed JSON: {exc.msg}") from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise DataError.single(name, 1, 'expected an object {"results": [...]} (the trade.gov CSL JSON)')
    return [_json_row(name, index, item) for index, item in enumerate(results, start=1)]


def _json_row(name: str, index: int, item: object) -> ListRow:
    if not isinstance(item, dict):
        raise DataError.single(name, None, f"results[{index}]: not an object")

    def text(key: str) -> str:
        value = item.get(key)
        return "" if value is None else str(value).strip()

    addresses = item.get("addresses") or []
    countries: list[str] = []
    for address in addresses if isinstance(addresses, list) else []:
        code = str((address or {}).get("country") or "").strip() if isinstance(address, dict) else ""
        if code and code not in countries:
            countries.append(code)
    alt = item.get("alt_names") or []
    alt_names = [str(a).strip() for a in alt if str(a).strip()] if isinstance(alt, list) else _split(str(alt))
    # a JSON result has no line of its own: its index in `results` stands in for it
    return ListRow(file=f"{name} results[{index}]", line=None, source=text("source"), name=text("name"),
                   entity_number=text("entity_number"), kind=text("type"), alt_names=alt_names,
                   countries=countries, notices=text("federal_register_notice"),
                   requirement=text("license_requirement"), policy=text("license_policy"),
                   start_date=text("start_date"), end_date=text("end_date"), list_url=text("source_list_url"))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def assign_keys(rows: list[ListRow]) -> None:
    """A key per entry that survives a new download: the entity number where the list gives one; else a
    hash of list and name, widened by the countries and then the notices only when a list names the
    same party twice (the Denied Persons List has one entry per address). Two rows left with one key
    are the same entry twice: an error."""
    widths: dict[tuple[str, ...], int] = {}
    for row in rows:
        for fields in _key_fields(row):
            widths[fields] = widths.get(fields, 0) + 1
    seen: dict[str, ListRow] = {}
    problems = []
    for row in rows:
        levels = _key_fields(row)
        chosen = next((f for f in levels if widths[f] == 1), levels[-1])
        row.key = row.entity_number if row.entity_number else _digest(*chosen)
        full = (row.source, row.key)
        first = seen.setdefault("\x1f".join(full), row)
        if first is not row:
            where = f"line {first.line}" if first.line is not None else first.file
            problems.append(row.problem(f"duplicate entry {row.name!r} on {row.source!r} (first at {where})"))
    if problems:
        raise DataError(problems)


def _key_fields(row: ListRow) -> list[tuple[str, ...]]:
    countries = ";".join(sorted(set(row.countries)))
    return [(row.source, row.name), (row.source, row.name, countries),
            (row.source, row.name, countries, row.notices)]
