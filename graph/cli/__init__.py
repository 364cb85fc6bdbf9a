"""The `exportkg` command: a thin click layer over the build, the store, the answers and impact."""
