"""Loading the configured model."""

from __future__ import annotations

import logging

from crm_ingest.embeddings.base import Embedder
from crm_ingest.settings import Settings

logger = logging.getLogger(__name__)


def load_embedder(settings: Settings) -> Embedder:
    """The model `INGEST_MODEL` names, loaded from `INGEST_MODEL_PATH` (or its default)."""
    import torch

    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    if settings.model == "bge-m3":
        from crm_ingest.embeddings.bge_m3 import BgeM3Embedder

        embedder: Embedder = BgeM3Embedder(
            path=settings.model_path, device=settings.device, batch_size=settings.embed_batch_size
        )
    else:
        from crm_ingest.embeddings.minilm import MiniLMEmbedder

        embedder = MiniLMEmbedder(
            path=settings.model_path, device=settings.device, batch_size=settings.embed_batch_size
        )
    spec = embedder.spec
    logger.info("embedding model %s (%s, %d dimensions) loaded", spec.name, spec.model_id, spec.dim)
    return embedder
