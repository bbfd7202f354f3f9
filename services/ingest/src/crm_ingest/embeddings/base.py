"""The interface every embedding backend implements, and what it returns.

Embedder.spec             the model's name, dimension, token limit, whether it has lexical
                          weights (bge-m3)
Embedder.count_tokens     tokens of a text, by the model's own tokenizer (for chunking)
Embedder.embed_documents  dense vectors (and lexical weights) of many texts, batched
Embedder.embed_query      the same for one query
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    model_id: str = ""
    dim: int = 0
    max_tokens: int = 512
    has_lexical: bool = False


@dataclass(frozen=True)
class Embeddings:
    dense: npt.NDArray[np.float32]  # (n, dim), L2-normalised
    lexical: list[SparseVector] | None = None


class Embedder(Protocol):
    @property
    def spec(self) -> ModelSpec: ...

    def count_tokens(self, text: str) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Embeddings: ...

    def embed_query(self, text: str) -> Embeddings: ...


def lexical_vector(weights: dict[str, float] | dict[int, float]) -> SparseVector:
    """bge-m3's lexical weights (token id -> weight) as a sparse vector, ids ascending."""
    pairs = sorted((int(k), float(v)) for k, v in weights.items() if float(v) > 0)
    return SparseVector([k for k, _ in pairs], [v for _, v in pairs])
