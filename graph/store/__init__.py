"""The store: one interface (base.Store) over the embedded Oxigraph store and remote SPARQL 1.1 stores."""
