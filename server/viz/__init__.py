"""exportkg server.viz."""
