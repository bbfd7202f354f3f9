"""The store a configuration names, and the collection an embedding model needs."""

from __future__ import annotations

from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.settings import Settings
from crm_ingest.store.base import CollectionSpec, VectorStore
from crm_ingest.store.edge import EdgeStore
from crm_ingest.store.qdrant import QdrantStore


def build_store(settings: Settings) -> VectorStore:
    """Qdrant when a URL is set, else Qdrant Edge in the data directory."""
    if settings.qdrant_url:
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantStore.connect(settings.qdrant_url, api_key=key, collection=settings.collection)
    return EdgeStore(settings.store_dir, optimize_threshold=settings.optimize_threshold)


def collection_spec(embedder: Embedder, sparse: SparseEncoder) -> CollectionSpec:
    spec = embedder.spec
    return CollectionSpec(
        model=spec.name,
        dim=spec.dim,
        has_lexical=spec.has_lexical,
        sparse=sparse.params.signature,
        model_id=spec.model_id,
    )
