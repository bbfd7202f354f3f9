"""BM25 term weights, computed here for every store, with Qdrant Edge's own tokenizer.

`qdrant_edge.Bm25` lower-cases, drops English stop words, stems (Snowball) and hashes each term
to a sparse index, all without a download. Documents get BM25 term-frequency weights (k, b and
the expected average length); a query gets 1.0 per term. The store multiplies by IDF (the
sparse vector is created with the IDF modifier), so both stores rank the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdrant_edge import Bm25, Bm25Config

from crm_ingest.embeddings.base import SparseVector

LANGUAGE = "english"


@dataclass(frozen=True)
class Bm25Params:
    avg_len: float = 60.0
    k: float = 1.2
    b: float = 0.75

    @property
    def signature(self) -> str:
        """What must match between the collection and the service: the tokenizer."""
        return f"qdrant-edge-bm25:{LANGUAGE}"


class SparseEncoder:
    def __init__(self, params: Bm25Params | None = None) -> None:
        self.params = params or Bm25Params()
        self._model = Bm25(
            Bm25Config(
                k=self.params.k, b=self.params.b, avg_len=self.params.avg_len, language=LANGUAGE
            )
        )

    def embed_document(self, text: str) -> SparseVector:
        vector = self._model.embed_document(text)
        return SparseVector(list(vector.indices), [float(v) for v in vector.values])

    def embed_query(self, text: str) -> SparseVector:
        vector = self._model.embed_query(text)
        return SparseVector(list(vector.indices), [float(v) for v in vector.values])
