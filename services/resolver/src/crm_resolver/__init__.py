"""Canonical entities, merges and the relationship graph."""

__version__ = "0.1.0"
