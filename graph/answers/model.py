"""What a determination answers, as data: the JSON of `exportkg determine` and /api/determine, and
the memo the CLI prints.

The top-level fields are the answer a user acts on as of the date evaluated (what is enforced that
day); `requirements` lists every requirement the text has for the item, destination and party, each
with its own status that day; `unknowns` names each fact the answer depends on that the graph does not
know, and what each value would give. Fields only grow: old clients read the first nine as before.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from exportkg.graph.errors import ExportKGError

NEEDS = {True: "A license is required", False: "No license is required",
         None: "Whether a license is required is undetermined"}


class DeterminationError(ExportKGError):
    """The party, item, destination or regime cannot be resolved."""


class UnknownPartyError(DeterminationError):
    """No organization or data center has the id given (the HTTP API answers 404 for it)."""


@dataclass
class Reason:
    rule: str
    citation: str
    confidence: str
    because: str


@dataclass
class Requirement:
    """One finding of the text: a license requirement (or its absence) or an authorization."""

    rule: str
    citation: str
    policy: str | None
    license_required: bool | None
    #: enforced, not_enforced, suspended, compliance_not_yet_required, unknown; as_written for a
    #: version read on its own (no legal state: the text as if every provision applied)
    status: str
    because: str
    authorization: str | None = None


@dataclass
class Unknown:
    fact: str
    effect: str


def labelled(code: str, name: str | None) -> str:
    """A country as people read it, `Singapore (SG)`; the code alone when the graph has no name."""
    return f"{name} ({code})" if name and name != code else code


def named(text: str, code: str, name: str) -> str:
    """A rule's text with the destination's ISO code as people read it: `destination SG` becomes
    `destination Singapore (SG)`. The rules write codes (their texts are data, shared by every
    language of output); only the one destination code a determination is about is named."""
    if not name or name == code or not re.fullmatch(r"[A-Z]{2}", code):
        return text
    return re.sub(rf"(?<![\w(]){code}(?![\w)])", labelled(code, name), text)


@dataclass
class Determination:
    regime: str
    item: str
    eccn: str
    party: str
    destination: str
    license_required: bool | None
    review_policy: str
    exceptions: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    #: the day the law and the facts were read on
    as_of: str | None = None
    #: the legal state answered from (the law in force on `as_of`), or None for a version as written
    legal_state: str | None = None
    party_name: str = ""
    item_name: str = ""
    #: the destination country's name (the code alone when the graph has none)
    destination_name: str = ""
    unknowns: list[Unknown] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    def where(self) -> str:
        """`China (CN)`: the destination as people read it."""
        return labelled(self.destination, self.destination_name)

    def said(self, text: str) -> str:
        return named(text, self.destination, self.destination_name)

    def memo(self) -> str:
        """A short memo with citations, for the CLI's text output."""
        view = f"the law in force on {self.as_of}" if self.legal_state else f"{self.regime} as written"
        lines = [f"{self.regime} ({view}): export of {self.item_name or self.item} (ECCN {self.eccn}) "
                 f"to {self.party_name or self.party} in {self.where()}",
                 f"{NEEDS[self.license_required]}; review policy: {self.review_policy.replace('_', ' ')}."]
        if self.exceptions:
            lines.append(f"Available instead of a license: {', '.join(self.exceptions)}.")
        lines.append("Because:")
        lines += [f"  - [{r.rule}, {r.confidence}] {self.said(r.because)}. ({r.citation})" for r in self.reasons]
        if self.unknowns:
            lines.append("Depends on facts not known:")
            lines += [f"  - {u.fact}: {u.effect}" for u in self.unknowns]
        others = [r for r in self.requirements if r.status not in ("enforced", "as_written")]
        if others:
            lines.append("In the text but not enforced on this day:")
            lines += [f"  - [{r.rule}, {r.status.replace('_', ' ')}] {self.said(r.because)}. ({r.citation})"
                      for r in others]
        return "\n".join(lines)
