"""Loaders: one per data file kind, each turning rows into RDF with their sources."""
