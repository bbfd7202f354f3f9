"""`bge-m3`: FlagEmbedding's BGEM3FlagModel, dense (1024 dimensions) plus lexical weights.

The production default. Weights come from a local directory (baked into the image) or a hub
name; tests build a tiny random-init model offline and run this code on it for real.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from crm_ingest.embeddings.base import Embeddings, ModelSpec, lexical_vector

DEFAULT_MODEL = "BAAI/bge-m3"
# Chunks are at most this long: retrieval works on passages, not on bge-m3's 8,192-token limit.
PASSAGE_TOKENS = 512


class BgeM3Embedder:
    def __init__(self, *, path: str = "", device: str = "cpu", batch_size: int = 16) -> None:
        from FlagEmbedding import BGEM3FlagModel

        path = path or DEFAULT_MODEL
        self._model: Any = BGEM3FlagModel(
            path,
            use_fp16=not device.startswith("cpu"),
            devices=[device],
            passage_max_length=PASSAGE_TOKENS,
            query_max_length=PASSAGE_TOKENS,
            batch_size=batch_size,
        )
        self._tokenizer = self._model.tokenizer
        self._batch_size = batch_size
        hidden = int(self._model.model.model.config.hidden_size)
        self._spec = ModelSpec(
            name="bge-m3",
            model_id=Path(path).name if Path(path).exists() else path,
            dim=hidden,
            max_tokens=PASSAGE_TOKENS - 2,  # <s> and </s>
            has_lexical=True,
        )

    @property
    def spec(self) -> ModelSpec:
        return self._spec

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _encode(self, texts: list[str]) -> Embeddings:
        out = self._model.encode(
            texts,
            batch_size=self._batch_size,
            max_length=PASSAGE_TOKENS,
            return_dense=True,
            return_sparse=True,
            return_colbert_vecs=False,
        )
        dense = np.asarray(out["dense_vecs"], dtype=np.float32).reshape(len(texts), -1)
        return Embeddings(dense, [lexical_vector(w) for w in out["lexical_weights"]])

    def embed_documents(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, self._spec.dim), dtype=np.float32), [])
        return self._encode(list(texts))

    def embed_query(self, text: str) -> Embeddings:
        return self._encode([text])
