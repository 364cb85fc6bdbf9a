"""exportkg graph."""
