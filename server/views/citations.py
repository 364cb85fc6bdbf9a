"""Citations as links: the Federal Register and eCFR references inside a citation text, each linked to
its official page, the rest left as plain text.

A determination's citations are free text written by people ("15 CFR 742.6(a)(6)(iii)(A); 15 CFR 740.27
(AIA); 90 FR 4544 (Jan 15, 2025)", "15 CFR part 744, Supplement No. 4"), so the links are found in the
text, not looked up. Only forms whose page is certain are linked: a Federal Register volume and page
or document number, a CFR section, part or supplement. A supplement of a part of the EAR (15 CFR parts
730-774) is the EAR's by its name ("Supplement No. 1 to part 740"); a bare section or part
("742.6(b)(10)(ii)", "part 744") is read as the EAR's only when the text itself names the CFR or the
EAR. Anything else (an ECCN, an executive order, a law firm's note, "License Exception HBM (740.25)")
stays text, so no link is ever guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote

FR = "https://www.federalregister.gov/citation/{volume}-FR-{page}"
FR_DOC = "https://www.federalregister.gov/d/{number}"
ECFR = "https://www.ecfr.gov/current/title-{title}"
EAR_TITLE, EAR_PARTS = "15", range(730, 775)

_PARAGRAPHS = r"(?:\([A-Za-z0-9]{1,5}\))*"
_REFERENCE = re.compile(
    r"(?P<fr>\b(?P<volume>\d{1,3}) FR (?P<page>\d{1,6})\b)"
    r"|(?P<doc>\bFR Doc\. (?P<number>\d{4}-\d{4,6})\b)"
    r"|(?P<supp>\b(?:(?P<st>\d{1,2}) CFR )?part (?P<sp>\d{1,4}),? (?:Supp\.|Supplements?) No\.? ?(?P<sn>\d{1,2})\b)"
    r"|(?P<supp_to>\bSupplements? No\.? ?(?P<tn>\d{1,2}) to part (?P<tp>\d{1,4})\b)"
    r"|(?P<part>\b(?:(?P<pt>\d{1,2}) CFR )?part (?P<pp>\d{1,4})\b)"
    rf"|(?P<section>(?:\b(?P<ct>\d{{1,2}}) CFR |§§? ?|\b)(?P<cs>\d{{1,4}}\.\d{{1,4}})(?!\d|\.\d){_PARAGRAPHS})",
    re.IGNORECASE)
_CONTEXT = re.compile(r"\bCFR\b|\bEAR\b|§")


class Segment(NamedTuple):
    """A piece of a citation text: a link where `href` is set, plain text where it is None."""

    text: str
    href: str | None = None


def segments(text: str | None) -> list[Segment]:
    """The citation text cut into plain and linked pieces; joined, the pieces give the text back."""
    text = text or ""
    ear = bool(_CONTEXT.search(text))
    found: list[Segment] = []
    at = 0
    for match in _REFERENCE.finditer(text):
        href = _href(match, ear)
        if href is None:
            continue
        if match.start() > at:
            found.append(Segment(text[at:match.start()]))
        found.append(Segment(match.group(0), href))
        at = match.end()
    if at < len(text):
        found.append(Segment(text[at:]))
    return found


def _href(match: re.Match[str], ear: bool) -> str | None:
    """The page of one reference, or None where its title is not certain."""
    group = match.groupdict()
    if group["fr"]:
        return FR.format(volume=group["volume"], page=group["page"])
    if group["doc"]:
        return FR_DOC.format(number=group["number"])
    if group["supp"] or group["supp_to"]:
        part, number = (group["sp"], group["sn"]) if group["supp"] else (group["tp"], group["tn"])
        title = _title(group["st"] if group["supp"] else None, part, True)  # "Supplement No. 1 to part 740": the EAR's
        if title is None:
            return None
        appendix = quote(f"Supplement No. {int(number)} to Part {int(part)}")
        return f"{ECFR.format(title=title)}/part-{int(part)}/appendix-{appendix}"
    if group["part"]:
        title = _title(group["pt"], group["pp"], ear)
        return None if title is None else f"{ECFR.format(title=title)}/part-{int(group['pp'])}"
    part = group["cs"].split(".", 1)[0]
    title = _title(group["ct"], part, ear)
    return None if title is None else f"{ECFR.format(title=title)}/section-{group['cs']}"


def _title(given: str | None, part: str, ear: bool) -> str | None:
    """The CFR title: as written, else 15 for a part of the EAR in a text that names the CFR or EAR."""
    if given:
        return str(int(given))
    return EAR_TITLE if ear and int(part) in EAR_PARTS else None
