"""`python -m exportkg.graph.cli` runs the command (tests and benchmarks start servers this way)."""

from exportkg.graph.cli.main import main

main()
