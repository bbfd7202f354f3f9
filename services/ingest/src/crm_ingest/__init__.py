"""Chunks, embeddings and hybrid search over the CRM's text."""

__version__ = "0.1.0"
