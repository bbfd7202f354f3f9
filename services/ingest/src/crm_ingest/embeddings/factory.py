"""Loading the configured model."""

from __future__ import annotations

import logging
import os

from crm_ingest.embeddings.base import Embedder
from crm_ingest.settings import Settings

logger = logging.getLogger(__name__)


def torch_threads(requested: int) -> int:
    """Threads for torch: as asked, else half the CPUs (at least one).

    Measured here (2 cores, busy with other work): one minilm query took 664 ms with torch's
    default two threads against 68 ms with one; an oversubscribed OpenMP pool waits on its
    slowest thread. The service shares its CPUs with its own store, consumers and the other
    services, so it leaves half of them to those."""
    return requested or max(1, (os.cpu_count() or 2) // 2)


def configure_torch(requested: int = 0) -> None:
    import torch

    torch.set_num_threads(torch_threads(requested))


def load_embedder(settings: Settings) -> Embedder:
    """The model `INGEST_MODEL` names, loaded from `INGEST_MODEL_PATH` (or its default)."""
    configure_torch(settings.torch_threads)
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
