"""Candidate matches between list entries and organizations, by name: an index of the entries.

The index holds the list entries (a few thousand), and each organization is asked against it, so
millions of organizations (a GLEIF golden copy) can be matched while they stream past without being
held. A match is the same normalized name (any country), or an organization's name of at least
MIN_INSIDE characters inside an entry's name, word for word, where the two share a country.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rdflib import RDF, RDFS, URIRef

from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.namespaces import EKG

LEGAL_WORDS = {"co", "company", "corp", "corporation", "ltd", "limited", "inc", "incorporated", "llc", "plc",
               "gmbh", "sa", "ag", "jsc", "ojsc", "oao", "ooo", "pte", "pvt", "the", "group", "holding",
               "holdings", "sdn", "bhd"}
#: an organization name shorter than this is matched only whole, never inside a longer entry name
MIN_INSIDE = 6
WORD = re.compile(r"\w+")


def normalize(name: str) -> str:
    """Lowercase words without punctuation or legal forms: 'Huawei Technologies Co., Ltd.' -> 'huawei
    technologies'. The words found in one pass ("&" is a word of its own, "and")."""
    return " ".join(w for w in WORD.findall(name.lower().replace("&", " and ")) if w not in LEGAL_WORDS)


def name_variants(name: str, places: frozenset[str] = frozenset()) -> set[str]:
    """A name and the parts around a parenthesis ('Inspur (Inspur Group)' -> 'inspur', 'inspur group'); a
    parenthesis that only names a place ('(Singapore)', '(USA)') is not a name of its own. A name with
    no parenthesis is its one normalized form, found without the regular expressions (a golden copy
    asks for millions of names)."""
    if "(" not in name:
        plain = normalize(name)
        return {plain} if plain else set()
    inner = [p for p in re.findall(r"\(([^)]*)\)", name) if normalize(p) not in places]
    parts = [name, re.sub(r"\([^)]*\)", " ", name), *inner]
    return {n for n in (normalize(p) for p in parts) if n}


class EntryIndex:
    """The list entries of a build by normalized name, by each word of those names, and their countries."""

    def __init__(self, country_names: Iterable[str], entries: Iterable[tuple[URIRef, list[str], set[URIRef]]]):
        """Entries as (node, names, countries); `country_names` are the names a parenthesis may hold
        that only name a place."""
        self.places = frozenset({normalize(n) for n in country_names} | {"usa", "uk", "prc", "hk"})
        self.exact: dict[str, set[URIRef]] = defaultdict(set)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        self.countries: dict[URIRef, set[URIRef]] = {}
        for entry, labels, countries in entries:
            for variant in {v for label in labels for v in name_variants(label, self.places)}:
                self.exact[variant].add(entry)
                for word in variant.split():
                    self.by_word[word].add(variant)
            self.countries[entry] = countries

    @classmethod
    def of(cls, ctx: LoadContext) -> EntryIndex:
        """The list entries a build has loaded so far."""
        facts = ctx.facts
        return cls(ctx.country_aliases, ((entry, [str(x) for x in (*facts.objects(entry, RDFS.label),
                                                                  *facts.objects(entry, EKG.alias))],
                                          set(facts.objects(entry, EKG.entryCountry)))
                                         for entry in facts.subjects(RDF.type, EKG.ListEntry)))

    def matches(self, names: Iterable[str], countries: set[URIRef]) -> set[URIRef]:
        """The entries an organization with these names (as written) and countries matches."""
        found: set[URIRef] = set()
        for name in {v for n in names for v in name_variants(n, self.places)}:
            first = name.split(" ", 1)[0]
            if first not in self.by_word:  # no entry name holds the word: neither match can be (most names)
                continue
            exact = self.exact.get(name)
            if exact:
                found |= exact
            if len(name) < MIN_INSIDE or not countries:
                continue
            padded = f" {name} "
            for entry_name in self.by_word[first]:
                if padded in f" {entry_name} ":
                    found |= {e for e in self.exact[entry_name] if self.countries[e] & countries}
        return found
