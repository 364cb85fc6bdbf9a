"""exportkg server."""
