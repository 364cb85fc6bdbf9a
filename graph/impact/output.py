"""Impact reports and timelines as text (for reading) and CSV (one flat table, a `section` column)."""

from __future__ import annotations

import csv
import io

from exportkg.graph.impact.compare import PartyChange, Report
from exportkg.graph.impact.snapshot import FLAG_WORDS, HQ_UNKNOWN
from exportkg.graph.impact.timeline import Timeline

SHOWN = 10  # parties named per country in the text report


def report_text(report: Report) -> str:
    c = report.counts()
    lines = [f"Impact of {report.against} against {report.base}",
             f"{c['determinations']} changed determinations in {c['countries']} countries; "
             f"{c['parties']} parties affected; {c['tiers']} countries change tier; "
             f"{c['models']} models change class; {c['ledgers']} ledgers change; "
             f"{c['listings']} parties reached or no longer reached by a list entry."]
    lines += _section("Tiers", [f"{t['iso']} {t['country']}: Tier {t['base']} -> Tier {t['against']}"
                                for t in report.tiers])
    lines += _section("By country (determinations by change; parties affected)",
                      [f"{report.country(iso)}: {_changes(v['determinations'])}; "
                       f"{_count(v['parties'], 'party', 'parties')} affected"
                       for iso, v in report.by_country().items()])
    lines += _section("Determinations", [f"{d.item} to {report.country(d.iso)}, {FLAG_WORDS[d.flag]}: {d.change}: "
                                         f"{d.base} -> {d.against}" for d in report.determinations])
    lines += _section("Parties", _parties(report))
    lines += _section("Listed parties (what a list entry reaches)",
                      [f"{x['label']} ({x['party']}): {x['change']}: {x['list']} {x['entry']}: {x['how']}"
                       for x in report.listings])
    lines += _section("Models", [f"{m['label']} ({m['weights']}, {m['training_ops']:.3g} ops): "
                                 f"{m['base']} -> {m['against']}" if m["training_ops"] else
                                 f"{m['label']}: {m['base']} -> {m['against']}" for m in report.models])
    lines += _section("Tier 2 ledgers (cap / used / left, H100e)",
                      [f"{report.country(x['iso'])}: {_ledger(x['base'])} -> {_ledger(x['against'])}"
                       for x in report.ledgers])
    return "\n".join(lines) + "\n"


def _section(title: str, items: list[str]) -> list[str]:
    return ["", f"{title}:"] + ([f"  {i}" for i in items] or ["  (none)"])


def _changes(kinds: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no determination changes"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _flags(party: PartyChange) -> str:
    """The party's headquarters position, or its move; unknown headquarters said as such."""
    before, after = party.flag_base, party.flag_against
    flags = FLAG_WORDS[before] if before == after else f"{FLAG_WORDS[before]} -> {FLAG_WORDS[after]}"
    return flags if party.hq_known else f"{flags}; {HQ_UNKNOWN}"


def _parties(report: Report) -> list[str]:
    by_iso: dict[str, list] = {}
    for p in report.parties:
        by_iso.setdefault(p.iso, []).append(p)
    out = []
    for iso, parties in sorted(by_iso.items()):
        names = "; ".join(f"{p.label} ({_flags(p)})" for p in parties[:SHOWN])
        more = f" and {len(parties) - SHOWN} more" if len(parties) > SHOWN else ""
        out.append(f"{report.country(iso)} ({len(parties)}): {names}{more}")
    return out


def _ledger(values: dict | None) -> str:
    if values is None:
        return "no ledger"
    return " / ".join(f"{values[k]:,.0f}" for k in ("cap_h100e", "used_h100e", "left_h100e"))


CSV_COLUMNS = ["section", "key", "label", "country", "country_name", "parties", "change", "base", "against"]


def report_csv(report: Report) -> str:
    """One flat table: each row's id (`key`) beside its name (`label`), codes beside their names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    name = report.country_names.get
    for t in report.tiers:
        writer.writerow(["tier", t["iso"], t["country"], t["iso"], t["country"], "", "tier changed", t["base"],
                         t["against"]])
    for d in report.determinations:
        writer.writerow(["determination", d.item, d.item, d.iso, name(d.iso, ""), FLAG_WORDS[d.flag], d.change,
                         d.base, d.against])
    for p in report.parties:
        for item, (before, after) in p.items.items():
            writer.writerow(["party", p.party, p.label, p.iso, name(p.iso, ""), _flags(p),
                             item, before, after])
    for x in report.listings:
        writer.writerow(["listing", x["party"], x["label"], "", "", "", x["change"], x["entry"], x["how"]])
    for m in report.models:
        writer.writerow(["model", m["model"], m["label"], "", "", "", "class changed", m["base"], m["against"]])
    for x in report.ledgers:
        writer.writerow(["ledger", x["iso"], name(x["iso"], ""), x["iso"], name(x["iso"], ""), "", "ledger changed",
                         _ledger(x["base"]), _ledger(x["against"])])
    return buffer.getvalue()


def timeline_text(tl: Timeline) -> str:
    lines = [f"Timeline of {tl.subject}:"]
    for row in tl.rows:
        head = f"{row['date']} {row['regime']}"
        rest = "; ".join(f"{k}: {_timeline_value(k, v)}" for k, v in row.items()
                         if k not in ("regime", "date", "title"))
        lines.append(f"  {head}: {rest}")
    return "\n".join(lines) + "\n"


def _timeline_value(key: str, value: object) -> str:
    """A timeline cell in words: the headquarters flag spelled out, an absent tier said as such."""
    if key == "flag" and isinstance(value, str):
        return FLAG_WORDS.get(value, value)
    if value is None:
        return "no tiers in this version" if key == "tier" else "not known"
    return str(value)


def timeline_csv(tl: Timeline) -> str:
    buffer = io.StringIO()
    fields = list(tl.rows[0]) if tl.rows else ["regime"]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(tl.rows)
    return buffer.getvalue()
