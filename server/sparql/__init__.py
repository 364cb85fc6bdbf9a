"""exportkg server.sparql."""
