"""exportkg graph.impact."""
