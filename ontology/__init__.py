"""exportkg ontology."""
