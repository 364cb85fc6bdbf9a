"""exportkg graph.reasoning."""
