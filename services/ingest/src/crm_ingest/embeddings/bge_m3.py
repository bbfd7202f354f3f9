"""`bge-m3`: FlagEmbedding's BGEM3FlagModel, dense (1024 dimensions) plus lexical weights.

The production default. Weights come from a local directory (baked into the image) or a hub
name; tests build a tiny random-init model offline and run this code on it for real.
"""

from __future__ import annotations

import copy
import threading
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
        # A fast tokenizer may not be used from two threads at once ("Already borrowed"): the
        # consumer counts tokens with its own copy, and the model is used by one thread at a time
        # (one batch of `batch_size`, so a query waits for one batch at most).
        self._tokenizer = copy.deepcopy(self._model.tokenizer)
        self._count_lock = threading.Lock()
        self._model_lock = threading.Lock()
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
        with self._count_lock:
            return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _encode(self, texts: list[str]) -> Embeddings:
        dense_parts = []
        lexical = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            with self._model_lock:
                out = self._model.encode(
                    batch,
                    batch_size=self._batch_size,
                    max_length=PASSAGE_TOKENS,
                    return_dense=True,
                    return_sparse=True,
                    return_colbert_vecs=False,
                )
            dense_parts.append(
                np.asarray(out["dense_vecs"], dtype=np.float32).reshape(len(batch), -1)
            )
            lexical += [lexical_vector(w) for w in out["lexical_weights"]]
        return Embeddings(np.concatenate(dense_parts), lexical)

    def embed_documents(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, self._spec.dim), dtype=np.float32), [])
        return self._encode(list(texts))

    def embed_query(self, text: str) -> Embeddings:
        return self._encode([text])
