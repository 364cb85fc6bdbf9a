"""exportkg queries."""
