"""exportkg graph.render."""
