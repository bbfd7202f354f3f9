"""Helpers for ingest tests: the stores under test, built the same way for every test."""

from __future__ import annotations

from pathlib import Path

from qdrant_client import QdrantClient

from crm_ingest.store.base import VectorStore
from crm_ingest.store.edge import EdgeStore
from crm_ingest.store.qdrant import QdrantStore

STORE_KINDS = ["edge", "qdrant"]


def make_store(kind: str, tmp_path: Path) -> VectorStore:
    if kind == "edge":
        return EdgeStore(tmp_path / "qdrant" / "crm_chunks", optimize_threshold=1_000_000)
    return QdrantStore(QdrantClient(path=str(tmp_path / "qdrant-local")), collection="crm_chunks")
