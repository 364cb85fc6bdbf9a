"""Packages found automatically: every folder of the product's parts, under the `exportkg` namespace.

pyproject.toml holds the metadata; setuptools' declarative `find` cannot put a prefix on the names
it finds, and the design card keeps ontology/, graph/, queries/ and server/ at the top level, so the
mapping (exportkg.<part> -> <part>/) is computed here. Data files (SPARQL, CSV, YAML, Turtle,
templates, static assets) are package data of the folder they sit in.
"""

from setuptools import find_namespace_packages, setup

PARTS = ("ontology", "graph", "queries", "server")
DATA = ["*.rq", "*.csv", "*.yaml", "*.md", "*.ttl", "*.html", "*.js", "*.css", "*.svg", "*.json", "LICENSE*"]

packages = find_namespace_packages(include=[f"{part}" for part in PARTS] + [f"{part}.*" for part in PARTS],
                                   exclude=["*.__pycache__"])
setup(
    packages=[f"exportkg.{name}" for name in packages],
    package_dir={"exportkg": "."},
    package_data={f"exportkg.{name}": DATA for name in packages},
)
