"""exportkg graph.build."""
