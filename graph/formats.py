"""Every output format exportkg speaks, in one table: its name, media type, file extension and aliases.

The CLI's `--format`, the SPARQL endpoint's content negotiation and `format=` parameter, the JSON API
and the linked-data views all look formats up here, so a name means the same everywhere. A format
is for SPARQL results (SELECT/ASK), for RDF graphs (CONSTRUCT/DESCRIBE, entity and ontology views),
for pages, or for text meant to be read in a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

RESULTS, RDF, PAGE, TEXT = "results", "rdf", "page", "text"


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    kind: str
    extension: str
    #: other media types a client may ask for it by
    aliases: tuple[str, ...] = ()
    #: other names for it in `format=`, `?format=` and the CLI
    words: tuple[str, ...] = ()
    #: rdflib's serializer name (RDF formats)
    rdflib: str | None = None

    def answers(self, word: str) -> bool:
        """Whether a name or media type someone gave means this format."""
        word = word.strip().lower()
        return word in (self.key, self.media_type, *self.aliases, *self.words)


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", RESULTS, "srj", ("application/json",)),
    Format("xml", "application/sparql-results+xml", RESULTS, "srx", ("application/xml", "text/xml")),
    Format("csv", "text/csv", RESULTS, "csv"),
    Format("tsv", "text/tab-separated-values", RESULTS, "tsv"),
    Format("ttl", "text/turtle", RDF, "ttl", ("application/turtle", "application/x-turtle", "text/n3"),
           ("turtle", "n3"), "turtle"),
    Format("nt", "application/n-triples", RDF, "nt", ("text/plain",), ("ntriples", "n-triples"), "nt"),
    Format("jsonld", "application/ld+json", RDF, "jsonld", ("application/x-json+ld", "application/json"),
           ("json-ld", "json"), "json-ld"),
    Format("rdfxml", "application/rdf+xml", RDF, "rdf", ("application/xml", "text/xml"), ("rdf+xml", "rdf", "xml"),
           "xml"),
    Format("html", "text/html", PAGE, "html"),
    Format("table", "text/plain", TEXT, "txt"),
    Format("text", "text/plain", TEXT, "txt"),
)
BY_KEY = {f.key: f for f in FORMATS}


def of_kind(*kinds: str) -> list[Format]:
    return [f for f in FORMATS if f.kind in kinds]


def find(word: str, *kinds: str) -> Format | None:
    """The format of one of `kinds` that a name or media type means (keys first, then aliases)."""
    candidates = of_kind(*kinds) if kinds else list(FORMATS)
    word = word.strip().lower()
    exact = next((f for f in candidates if f.key == word), None)
    return exact or next((f for f in candidates if f.answers(word)), None)


def keys(*kinds: str) -> list[str]:
    return [f.key for f in of_kind(*kinds)]


def media_type(key: str) -> str:
    return BY_KEY[key].media_type


def any_known(word: str) -> bool:
    return any(f.answers(word) for f in FORMATS)
