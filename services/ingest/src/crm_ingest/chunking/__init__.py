"""Splitting a record's prose into chunks the embedding model can read whole."""
