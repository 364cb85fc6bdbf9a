"""exportkg server.views."""
