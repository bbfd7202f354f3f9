"""Qdrant Edge's index is built in a child process on a copy, and swapped in with every write
made meanwhile; the live shard keeps answering throughout."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np

from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.store.base import CollectionSpec, StorePoint, StoreQuery
from crm_ingest.store.edge import EdgeStore

SPEC = CollectionSpec(model="test", dim=16, has_lexical=False, sparse="qdrant-edge-bm25:english")
BM25 = SparseEncoder()


def points(start: int, count: int) -> list[StorePoint]:
    made = []
    for n in range(start, start + count):
        vector = np.random.default_rng(n).standard_normal(16).astype(np.float32)
        made.append(
            StorePoint(
                id=f"00000000-0000-5000-8000-{n:012d}",
                dense=vector / np.linalg.norm(vector),
                bm25=BM25.embed_document(f"note number {n} about fund {n % 7}"),
                payload={"n": n},
            )
        )
    return made


def test_writes_made_during_a_build_are_in_the_shard_swapped_in(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "crm_chunks", optimize_threshold=100)
    store.open(SPEC)
    store.upsert(points(0, 300))
    assert store.needs_index_build

    job = store.begin_build()
    store.upsert(points(300, 20))  # while the copy waits for its child
    store.delete([points(0, 1)[0].id])
    store.set_payload([points(5, 1)[0].id], {"n": -5})
    asyncio.run(store.run_build(job))
    probe = StoreQuery(mode="dense", limit=1, dense=points(310, 1)[0].dense)
    assert store.query(probe)[0].id == points(310, 1)[0].id  # the live shard still answers
    store.upsert(points(320, 5))  # after the child finished, before the swap
    store.finish_build(job)

    assert store.info().generation == 2
    assert not store.info().is_optimizing
    assert store.count() == 324
    assert store.query(probe)[0].id == points(310, 1)[0].id
    hit = store.query(StoreQuery(mode="dense", limit=1, dense=points(5, 1)[0].dense))[0]
    assert hit.payload["n"] == -5
    # 20 + 5 upserts and 1 delete, replayed: they wait for the next build
    assert store.info().unoptimized_writes == 26
    assert not store.needs_index_build
    assert sorted(p.name for p in (tmp_path / "crm_chunks").glob("gen-*")) == ["gen-000002"]
    store.close()

    reopened = EdgeStore(tmp_path / "crm_chunks")
    reopened.open(SPEC)
    assert reopened.count() == 324
    state = json.loads((tmp_path / "crm_chunks" / "state.json").read_text())
    assert state["generation"] == 2
    reopened.close()


def test_an_abandoned_build_leaves_the_live_shard_as_it_was(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "crm_chunks", optimize_threshold=10)
    store.open(SPEC)
    store.upsert(points(0, 50))
    job = store.begin_build()
    store.upsert(points(50, 5))
    store.abandon_build(job)
    assert not job.path.exists()
    assert store.count() == 55
    assert store.info().generation == 1
    assert store.needs_index_build
    store.close()


def test_build_index_runs_the_whole_cycle(tmp_path: Path) -> None:

    store = EdgeStore(tmp_path / "crm_chunks", optimize_threshold=10)
    store.open(SPEC)
    store.upsert(points(0, 100))
    asyncio.run(store.build_index())
    assert store.info().generation == 2
    assert store.info().extra["builds"] == 1
    assert store.count() == 100
    store.close()
