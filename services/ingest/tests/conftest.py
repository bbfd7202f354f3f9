"""ingest test fixtures: the real embedding models (loaded once per run) and both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import STORE_KINDS, make_store
from tiny_bge_m3 import build_tiny_bge_m3

from crm_ingest.embeddings.bge_m3 import BgeM3Embedder
from crm_ingest.embeddings.factory import configure_torch
from crm_ingest.embeddings.minilm import MiniLMEmbedder
from crm_ingest.store.base import VectorStore


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    configure_torch()  # as the service does
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def tiny_bge_m3_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bge_m3(tmp_path_factory.mktemp("bge-m3"))


@pytest.fixture(scope="session")
def bge_m3(tiny_bge_m3_path: Path) -> BgeM3Embedder:
    return BgeM3Embedder(path=str(tiny_bge_m3_path))


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    made = make_store(request.param, tmp_path)
    try:
        yield made
    finally:
        made.close()
