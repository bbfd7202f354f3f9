"""Both real backends behind one interface; BM25 stems and drops stop words."""

from __future__ import annotations

import numpy as np

from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bge_m3 import BgeM3Embedder
from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.embeddings.minilm import MiniLMEmbedder


def _check_dense(embedder: Embedder, dim: int) -> None:
    texts = ["capital call timing for Fund IV", "the endowment wants its K-1 by March", "lunch"]
    out = embedder.embed_documents(texts)
    assert out.dense.shape == (3, dim)
    assert np.allclose(np.linalg.norm(out.dense, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query(texts[1])
    assert query.dense.shape == (1, dim)
    assert np.allclose(query.dense[0], out.dense[1], atol=1e-5)
    assert embedder.embed_documents([]).dense.shape == (0, dim)


def test_minilm_embeds_documents_and_queries_in_one_space(minilm: MiniLMEmbedder) -> None:
    _check_dense(minilm, 384)
    assert minilm.spec.name == "minilm"
    assert minilm.spec.max_tokens == 254
    assert minilm.embed_documents(["x"]).lexical is None
    near, far = minilm.embed_documents(
        ["when is the next capital call", "the weather in Oslo"]
    ).dense
    query = minilm.embed_query("timing of the capital call").dense[0]
    assert query @ near > query @ far


def test_bge_m3_returns_dense_vectors_and_lexical_weights(bge_m3: BgeM3Embedder) -> None:
    _check_dense(bge_m3, 32)
    assert bge_m3.spec.name == "bge-m3"
    assert bge_m3.spec.has_lexical
    out = bge_m3.embed_documents(["side letter with an MFN clause"])
    assert out.lexical is not None
    lexical = out.lexical[0]
    assert lexical
    assert lexical.indices == sorted(lexical.indices)
    assert all(v > 0 for v in lexical.values)
    assert bge_m3.count_tokens("side letter") > 0


def test_bm25_stems_and_drops_stop_words() -> None:
    sparse = SparseEncoder()
    document = sparse.embed_document("The partners were meeting; meetings with the partner")
    query = sparse.embed_query("partner meeting")
    assert sorted(query.indices) == sorted(document.indices)
    assert all(v == 1.0 for v in query.values)
    assert not sparse.embed_query("the of and were")
