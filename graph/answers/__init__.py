"""exportkg graph.answers."""
