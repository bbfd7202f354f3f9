"""One contract, both stores: Qdrant Edge in-process and qdrant-client (its local mode)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ingest_helpers import make_store

from crm_ingest.embeddings.base import SparseVector
from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.store.base import (
    AnyOf,
    Between,
    CollectionMismatch,
    CollectionSpec,
    StoreHit,
    StorePoint,
    StoreQuery,
    VectorStore,
)

SPEC = CollectionSpec(model="test", dim=4, has_lexical=False, sparse="qdrant-edge-bm25:english")
BM25 = SparseEncoder()


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def point(n: int, dense: np.ndarray, text: str, **payload: object) -> StorePoint:
    return StorePoint(
        id=f"00000000-0000-5000-8000-{n:012d}",
        dense=dense,
        bm25=BM25.embed_document(text),
        payload={"text": text, "source_kind": "communication", "date_ts": 1000 + n, **payload},
    )


POINTS = [
    point(1, unit(1, 0, 0, 0), "capital call timing for the fourth fund", entity_ids=["e1"]),
    point(2, unit(0, 1, 0, 0), "side letter with a most favoured nation clause", entity_ids=["e2"]),
    point(3, unit(0, 0, 1, 0), "the endowment wants its K-1 by March", entity_ids=["e1", "e3"]),
    point(4, unit(0.9, 0.1, 0, 0), "lunch at the club, nothing of note", entity_ids=["e3"]),
]


def ids(hits: list[StoreHit]) -> list[str]:
    return [hit.id[-2:] for hit in hits]


@pytest.fixture
def filled(store: VectorStore) -> VectorStore:
    store.open(SPEC)
    store.upsert(POINTS)
    store.flush()
    return store


def test_a_new_collection_records_the_spec_that_built_it(store: VectorStore) -> None:
    store.open(SPEC)
    info = store.info()
    assert info.spec == SPEC
    assert info.points == 0
    assert store.mismatch is None


def test_dense_sparse_and_hybrid_each_rank_what_they_match(filled: VectorStore) -> None:
    dense = filled.query(StoreQuery(mode="dense", limit=2, dense=unit(1, 0, 0, 0)))
    assert ids(dense) == ["01", "04"]
    sparse = filled.query(StoreQuery(mode="sparse", limit=2, bm25=BM25.embed_query("K-1 March")))
    assert ids(sparse) == ["03"]


def test_hybrid_returns_what_only_dense_or_only_sparse_finds(filled: VectorStore) -> None:
    query_dense = unit(0, 1, 0, 0)  # near the side letter only
    query_sparse = BM25.embed_query("endowment K-1")  # the words of point 3 only
    dense = ids(filled.query(StoreQuery(mode="dense", limit=1, dense=query_dense)))
    sparse = ids(filled.query(StoreQuery(mode="sparse", limit=1, bm25=query_sparse)))
    hybrid = ids(
        filled.query(StoreQuery(mode="hybrid", limit=2, dense=query_dense, bm25=query_sparse))
    )
    assert dense == ["02"]
    assert sparse == ["03"]
    assert set(hybrid) == {"02", "03"}


def test_filters_hold_on_any_of_a_list_and_on_a_range(filled: VectorStore) -> None:
    everything = unit(1, 1, 1, 1)
    by_entity = filled.query(
        StoreQuery(
            mode="dense", limit=10, dense=everything, conditions=(AnyOf("entity_ids", ("e1",)),)
        )
    )
    assert sorted(ids(by_entity)) == ["01", "03"]
    by_date = filled.query(
        StoreQuery(
            mode="hybrid",
            limit=10,
            dense=everything,
            bm25=BM25.embed_query("fund clause K-1 lunch"),
            conditions=(Between("date_ts", gte=1002, lt=1004),),
        )
    )
    assert sorted(ids(by_date)) == ["02", "03"]


def test_a_query_of_stop_words_only_matches_nothing_sparse(filled: VectorStore) -> None:
    empty = BM25.embed_query("the of and")
    assert not empty
    assert filled.query(StoreQuery(mode="sparse", limit=5, bm25=empty)) == []


def test_set_payload_restamps_without_touching_the_vectors(filled: VectorStore) -> None:
    query = StoreQuery(mode="dense", limit=1, dense=unit(1, 0, 0, 0))
    before = filled.query(query)[0]
    filled.set_payload([before.id], {"entity_ids": ["e9"]})
    after = filled.query(query)[0]
    assert after.id == before.id
    assert after.score == pytest.approx(before.score)
    assert after.payload["entity_ids"] == ["e9"]
    assert after.payload["text"] == before.payload["text"]


def test_deleted_points_are_gone(filled: VectorStore) -> None:
    filled.delete([POINTS[0].id])
    assert filled.count() == 3
    hits = filled.query(StoreQuery(mode="dense", limit=4, dense=unit(1, 0, 0, 0)))
    assert "01" not in ids(hits)


def test_scroll_pages_through_every_point_with_its_payload(filled: VectorStore) -> None:
    seen: list[str] = []
    offset = None
    while True:
        hits, offset = filled.scroll(limit=3, offset=offset)
        seen += [hit.payload["text"] for hit in hits]
        if offset is None:
            break
    assert sorted(seen) == sorted(p.payload["text"] for p in POINTS)


def test_another_model_may_not_write_into_the_collection_until_it_is_recreated(
    request: pytest.FixtureRequest, tmp_path: Path, filled: VectorStore
) -> None:
    filled.close()
    other = CollectionSpec(model="bge-m3", dim=8, has_lexical=True, sparse=SPEC.sparse)
    reopened = make_store(request.node.callspec.params["store"], tmp_path)
    try:
        reopened.open(other)
        assert reopened.mismatch is not None
        assert "model" in reopened.mismatch
        assert "dim" in reopened.mismatch
        with pytest.raises(CollectionMismatch):
            reopened.upsert(
                [
                    StorePoint(
                        "00000000-0000-5000-8000-000000000009",
                        np.ones(8, np.float32),
                        SparseVector([], []),
                        {},
                    )
                ]
            )
        with pytest.raises(CollectionMismatch):
            reopened.query(StoreQuery(mode="dense", limit=1, dense=np.ones(8, np.float32)))
        reopened.recreate(other)
        assert reopened.mismatch is None
        assert reopened.count() == 0
        assert reopened.info().spec == other
    finally:
        reopened.close()


def test_the_collection_outlives_the_process_that_wrote_it(
    request: pytest.FixtureRequest, tmp_path: Path, filled: VectorStore
) -> None:
    filled.close()
    reopened = make_store(request.node.callspec.params["store"], tmp_path)
    try:
        reopened.open(SPEC)
        assert reopened.count() == len(POINTS)
    finally:
        reopened.close()


def test_a_bge_m3_collection_searches_its_lexical_vector(store: VectorStore) -> None:
    spec = CollectionSpec(model="bge-m3", dim=4, has_lexical=True, sparse=SPEC.sparse)
    store.open(spec)
    store.upsert(
        [
            StorePoint(p.id, p.dense, p.bm25, p.payload, lexical=SparseVector([n, 100], [1.0, 0.5]))
            for n, p in enumerate(POINTS)
        ]
    )
    hits = store.query(StoreQuery(mode="lexical", limit=1, lexical=SparseVector([2], [1.0])))
    assert ids(hits) == ["03"]
