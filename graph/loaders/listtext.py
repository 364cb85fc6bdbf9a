"""Reading the License Requirement and License Review Policy columns of the BIS lists.

The columns are free text as printed in Supplement No. 4 to part 744, with many spellings of the same
statement. Only what the text plainly says is parsed: the scope of the requirement (all items subject to
the EAR, with or without carve-outs; named items; the MEU List's Supplement No. 2 items), the foreign
direct product paragraphs and footnote markers it cites, and the review policy when one policy is
stated for all items (or one for "all other items"). Anything else keeps its text and is marked
unknown: a determination must never rest on a guessed reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ECCN = re.compile(r"\b\d[A-E]\d{3}(?:\.[a-z0-9]+(?:\.[a-z0-9]+)*)?\b")
FDP_PARAGRAPH = re.compile(r"734\.9\s?\((e|g)\)(?:\s?\((\d)\))?")
#: a footnote marker printed right after a paragraph ("734.9(e)1", "734.9(g),3") or at the end
MARKER_AFTER_PARAGRAPH = re.compile(r"734\.9\s?\((?:e|g)\),?\s?([1-5])(?![\d(])")
MARKER_AT_END = re.compile(r"EAR\s?\)?\s?([1-5])\.?\s*$")
NOTICE = re.compile(r"(\d{1,3})\s?\.?\s?F\.?\s?R\.?\s*(\d[\d,]*)")

POLICY_PHRASES = {
    "policy_of_denial": re.compile(r"policy of denial"),
    "presumption_of_denial": re.compile(r"presumption (?:of|for) denial"),
    "case_by_case": re.compile(r"case[- ]by[- ]case"),
    "presumption_of_approval": re.compile(r"presumption of approval"),
}
OTHER_ITEMS = re.compile(r"(policy of denial|presumption (?:of|for) denial|case[- ]by[- ]case|presumption of "
                         r"approval)(?: review)? for all other items")
LEADING_WITH_CARVE_OUT = re.compile(r"^(policy of denial|presumption (?:of|for) denial)\b[^;]*?"
                                    r"\b(?:apart from|except)\b")


@dataclass
class Requirement:
    """The License Requirement column, parsed as far as it plainly goes."""

    scope: str
    fdp_paragraphs: list[str] = field(default_factory=list)
    footnotes: list[int] = field(default_factory=list)
    eccns: list[str] = field(default_factory=list)


@dataclass
class Policy:
    """The License Review Policy column: one code, and the policy for all items or for all other items."""

    code: str
    policy: str | None = None
    other_items: str | None = None
    eccns: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def requirement(text: str) -> Requirement:
    """Scope codes: all_items, all_items_with_carve_outs, named_items, meu_supplement_2, not_stated, unknown."""
    low = _norm(text)
    if not low:
        return Requirement("not_stated")
    if "supplement no. 2 to part 744" in low:
        scope = "meu_supplement_2"
    elif "all items subject to the ear" in low:
        carve = any(w in low for w in ("when used in", "except", "apart from", "case-by-case"))
        scope = "all_items_with_carve_outs" if carve else "all_items"
    elif "items on the ccl" in low or ECCN.search(text):
        scope = "named_items"
    else:
        scope = "unknown"
    paragraphs = sorted({f"734.9({m.group(1)})" + (f"({m.group(2)})" if m.group(2) else "")
                         for m in FDP_PARAGRAPH.finditer(text)})
    markers = {int(m.group(1)) for m in MARKER_AFTER_PARAGRAPH.finditer(text)}
    markers |= {int(m.group(1)) for m in MARKER_AT_END.finditer(text.strip())}
    return Requirement(scope, paragraphs, sorted(markers), sorted(set(ECCN.findall(text))))


def policy(text: str) -> Policy:
    """Codes: presumption_of_denial, policy_of_denial, case_by_case, presumption_of_approval (one policy for
    every item the entry covers), mixed (several; `other_items` when the text names the policy for all
    other items), see_section (a cross-reference only), not_stated, unknown."""
    low = _norm(text)
    if not low:
        return Policy("not_stated")
    found = [code for code, phrase in POLICY_PHRASES.items() if phrase.search(low)]
    eccns = sorted(set(ECCN.findall(text)))
    if not found:
        return Policy("see_section" if "§" in low or "see " in low else "unknown", eccns=eccns)
    qualified = any(w in low for w in ("apart from", "except", " for items", " for eccns", " for ear99",
                                       " for telecommunications", "for licenses for"))
    if len(found) == 1 and not qualified:
        return Policy(found[0], policy=found[0], eccns=eccns)
    return Policy("mixed", other_items=_other_items(low), eccns=eccns)


def _other_items(low: str) -> str | None:
    match = OTHER_ITEMS.search(low) or LEADING_WITH_CARVE_OUT.search(low)
    if match is None:
        return None
    phrase = match.group(1)
    return next(code for code, pattern in POLICY_PHRASES.items() if pattern.search(phrase))


#: volume N of the Federal Register is the year 1935 + N (volume 90: 2025)
FR_VOLUME_ONE = 1935


def volume_year(citation: str) -> int | None:
    """The year a citation 'NN FR page' was published, from its volume."""
    volume = citation.split(" FR ")[0]
    return FR_VOLUME_ONE + int(volume) if volume.isdigit() and " FR " in citation else None


def notices(text: str) -> list[str]:
    """Federal Register citations in the order printed ("NN FR page"); the first is the listing notice."""
    cited: list[str] = []
    for match in NOTICE.finditer(text):
        citation = f"{int(match.group(1))} FR {match.group(2).replace(',', '')}"
        if citation not in cited:
            cited.append(citation)
    return cited
