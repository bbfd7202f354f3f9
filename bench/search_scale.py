"""Qdrant Edge at 100,000 and 1,000,000 chunks: query latency per mode, the service's memory,
and what building the index does to the process that serves.

Embedding a million texts on two cores is impractical, so the store is filled with vectors
*derived from real ones*: the corpus's ~2,400 chunk texts are embedded with minilm and BM25 for
real; point i takes the dense vector normalise(E[a] + 0.5·E[b] + 0.1·noise) of two real chunks a
and b, and the BM25 vector of chunk a with two terms of chunk b added, so vectors keep the real
ones' geometry and term statistics while every point differs. Payloads have the production
fields with realistic cardinalities (20,000 contacts, 4,000 organizations, 15,000 entities, five
years of dates). Queries are the corpus's 100 questions, embedded for real.

Each size runs in its own process (`python -m bench.search_scale SIZE DIR`), so its memory is its
own: it loads minilm as the service does, fills the store, builds the index the way the service
does (a child process on a copy, swapped in) while an event loop ticks every 10 ms and a search
runs every 50 ms — the longest tick gap is what the service's NATS heartbeats and requests would
see — then reopens the store (a restart) and measures. At the smaller size it also runs Edge's
`optimize()` in a thread of the serving process, the design this replaces, for comparison.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import percentile, save

SIZES = (100_000, 1_000_000)
QUICK_SIZES = (20_000, 100_000)


def _du_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


class Ticker:
    """Ticks every 10 ms and records the longest gap: how long the event loop was held."""

    def __init__(self) -> None:
        self.max_gap = 0.0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.max_gap = max(self.max_gap, now - last - 0.01)
            last = now

    def stop(self) -> None:
        self._stop.set()


def _peak(pid: int | None, peak: float) -> float:
    from bench.search_common import rss_mib

    if pid is None:
        return peak
    try:
        return max(peak, rss_mib(pid))
    except (FileNotFoundError, ProcessLookupError):
        return peak


async def child(size: int, workdir: Path) -> dict[str, Any]:
    from bench.search_common import rss_mib, state_of
    from bench.search_corpus import generate
    from crm_ingest.chunking.service import Chunker, chunk_tokens
    from crm_ingest.embeddings.base import SparseVector
    from crm_ingest.embeddings.bm25 import SparseEncoder
    from crm_ingest.embeddings.factory import configure_torch
    from crm_ingest.embeddings.minilm import MiniLMEmbedder
    from crm_ingest.settings import Settings
    from crm_ingest.sources.registry import Registry
    from crm_ingest.store.base import AnyOf, CollectionSpec, StorePoint, StoreQuery
    from crm_ingest.store.edge import EdgeStore

    figures: dict[str, Any] = {"size": size}
    configure_torch()  # as the service does
    embedder = MiniLMEmbedder()
    sparse = SparseEncoder()
    corpus = generate()
    registry = Registry()
    chunker = Chunker(
        count_tokens=embedder.count_tokens,
        max_tokens=chunk_tokens(Settings(), embedder),
        overlap_tokens=48,
    )
    texts = [
        c.text
        for r in corpus.records
        for c in chunker.chunks(registry.by_kind(r.kind).view(state_of(r)).fields)  # type: ignore[union-attr]
    ]
    base = embedder.embed_documents(texts).dense
    base_sparse = [sparse.embed_document(t) for t in texts]
    queries = [q.text for q in corpus.queries]
    query_dense = embedder.embed_documents(queries).dense
    query_sparse = [sparse.embed_query(q) for q in queries]
    figures["model_only_rss_mib"] = round(rss_mib())

    spec = CollectionSpec(
        model="minilm", dim=384, has_lexical=False, sparse=sparse.params.signature
    )
    root = workdir / "crm_chunks"
    store = EdgeStore(root, optimize_threshold=10**12)
    store.open(spec)
    rng = np.random.default_rng(5)
    started = time.perf_counter()
    batch = 2_000
    for start in range(0, size, batch):
        n = min(batch, size - start)
        a = rng.integers(0, len(texts), n)
        b = rng.integers(0, len(texts), n)
        dense = (
            base[a] + 0.5 * base[b] + 0.1 * rng.standard_normal((n, 384)).astype(np.float32) / 20
        )
        dense /= np.linalg.norm(dense, axis=1, keepdims=True)
        points = []
        for j in range(n):
            i = start + j
            sa, sb = base_sparse[int(a[j])], base_sparse[int(b[j])]
            extra = dict(zip(sb.indices[:2], sb.values[:2], strict=False))
            merged = dict(zip(sa.indices, sa.values, strict=True)) | {
                k: v for k, v in extra.items() if k not in sa.indices
            }
            keys = sorted(merged)
            points.append(
                StorePoint(
                    id=f"{i:08d}-0000-5000-8000-000000000000",
                    dense=dense[j],
                    bm25=SparseVector(keys, [merged[k] for k in keys]),
                    payload={
                        "source_kind": "communication",
                        "source_id": f"s{i}",
                        "source_version": 1,
                        "chunk_no": 0,
                        "text": texts[int(a[j])],
                        "title": "",
                        "type": ("call", "email", "meeting", "note")[i % 4],
                        "date_ts": 1_640_000_000 + (i * 157) % (5 * 365 * 86_400),
                        "event_at": "2026-01-01T00:00:00+00:00",
                        "author_id": f"u{i % 12}",
                        "contact_ids": [f"c{i % 20_000}"],
                        "organization_ids": [f"o{i % 4_000}"],
                        "fund_ids": [f"f{i % 6}"],
                        "entity_ids": [f"e{i % 15_000}"],
                        "names": [],
                        "crm_path": f"/api/communications/s{i}",
                    },
                )
            )
        store.upsert(points)
    store.flush()
    figures["fill_points_per_second"] = round(size / (time.perf_counter() - started))

    def latency(mode: str, rounds: int = 200, filtered: bool = False) -> dict[str, float]:
        times = []
        for r in range(rounds):
            q = r % len(queries)
            conditions = (
                (AnyOf("entity_ids", (f"e{r % 15_000}", f"e{(r * 7) % 15_000}")),)
                if filtered
                else ()
            )
            query = StoreQuery(
                mode=mode,  # type: ignore[arg-type]
                limit=33,
                dense=query_dense[q],
                bm25=query_sparse[q],
                conditions=conditions,
            )
            t0 = time.perf_counter()
            store.query(query)
            times.append(time.perf_counter() - t0)
        return {
            "p50_ms": round(1000 * percentile(times, 50), 2),
            "p99_ms": round(1000 * percentile(times, 99), 2),
        }

    figures["before_index_build"] = {"hybrid": latency("hybrid", 50)}
    unoptimized = workdir / "unoptimized-copy"
    if size <= 100_000:  # kept for the in-process comparison at the end
        await asyncio.to_thread(shutil.copytree, root / "gen-000001", unoptimized)

    # Build the index as the service does, while serving.
    ticker = Ticker()
    tick_task = asyncio.create_task(ticker.run())
    during: list[float] = []
    build_peak = 0.0
    building = asyncio.create_task(store.build_index())
    while not building.done():
        q = len(during) % len(queries)
        t0 = time.perf_counter()
        await asyncio.to_thread(
            store.query,
            StoreQuery(mode="hybrid", limit=33, dense=query_dense[q], bm25=query_sparse[q]),
        )
        during.append(time.perf_counter() - t0)
        build_peak = _peak(store.build_pid, build_peak)
        await asyncio.sleep(0.05)
    await building
    ticker.stop()
    await tick_task
    figures["index_build_in_child"] = {
        "seconds": round(store.last_build_seconds or 0, 1),
        "longest_event_loop_stall_ms": round(1000 * ticker.max_gap, 1),
        "hybrid_queries_during_build": len(during),
        "hybrid_during_build_p50_ms": round(1000 * percentile(during, 50), 2),
        "hybrid_during_build_p99_ms": round(1000 * percentile(during, 99), 2),
        "build_process_peak_rss_mib": round(build_peak),
    }
    store.close()

    # A restart: the service opens the built shard and serves.
    store = EdgeStore(root, optimize_threshold=10**12)
    t0 = time.perf_counter()
    store.open(spec)
    figures["open_seconds"] = round(time.perf_counter() - t0, 2)
    figures["query"] = {mode: latency(mode) for mode in ("dense", "sparse", "hybrid")} | {
        "hybrid_filtered_by_entity": latency("hybrid", filtered=True)
    }
    embed_times = []
    for text in queries * 2:
        t0 = time.perf_counter()
        embedder.embed_query(text)
        embed_times.append(time.perf_counter() - t0)
    figures["query_embedding_ms"] = {
        "p50": round(1000 * percentile(embed_times, 50), 2),
        "p99": round(1000 * percentile(embed_times, 99), 2),
    }
    figures["service_rss_mib"] = round(rss_mib())
    figures["store_on_disk_mib"] = round(_du_mib(root))
    store.close()

    if size <= 100_000:
        figures["optimize_in_process_for_comparison"] = await in_process_optimize(unoptimized)
    return figures


async def in_process_optimize(unoptimized: Path) -> dict[str, Any]:
    """The design this replaces: `optimize()` in a worker thread of the serving process, on the
    same points before their index was built."""
    import qdrant_edge as qe

    shard = qe.EdgeShard.load(str(unoptimized))
    ticker = Ticker()
    tick_task = asyncio.create_task(ticker.run())
    t0 = time.perf_counter()
    changed = await asyncio.to_thread(shard.optimize)
    seconds = time.perf_counter() - t0
    ticker.stop()
    await tick_task
    shard.close()
    shutil.rmtree(unoptimized, ignore_errors=True)
    return {
        "changed": changed,
        "seconds": round(seconds, 1),
        "longest_event_loop_stall_ms": round(1000 * ticker.max_gap, 1),
    }


async def run(quick: bool = False) -> None:
    results: dict[str, Any] = {}
    for size in QUICK_SIZES if quick else SIZES:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            out = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bench.search_scale", str(size), tmp],
                check=True,
                capture_output=True,
                text=True,
            )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        results[str(size)] = figures
        print(f"\nQdrant Edge at {size:,} chunks (minilm, 384-d):")
        for mode, q in figures["query"].items():
            print(f"  {mode:28} p50 {q['p50_ms']:7.2f} ms   p99 {q['p99_ms']:7.2f} ms")
        print(f"  query embedding (minilm)     p50 {figures['query_embedding_ms']['p50']:7.2f} ms")
        before = figures["model_only_rss_mib"]
        memory = f"{figures['service_rss_mib']} MiB RSS ({before} MiB before the store)"
        print(f"  service memory {memory}, store {figures['store_on_disk_mib']} MiB on disk")
        build = figures["index_build_in_child"]
        print(
            f"  index build in a child: {build['seconds']} s; longest event-loop stall "
            f"{build['longest_event_loop_stall_ms']} ms; {build['hybrid_queries_during_build']} "
            f"hybrid queries meanwhile, p50 {build['hybrid_during_build_p50_ms']} ms"
        )
        if "optimize_in_process_for_comparison" in figures:
            inproc = figures["optimize_in_process_for_comparison"]
            print(
                f"  optimize() in a thread instead: {inproc['seconds']} s, longest stall "
                f"{inproc['longest_event_loop_stall_ms']} ms"
            )
    print(f"\nfigures: {save('search-scale', results)}")


if __name__ == "__main__":
    figures = asyncio.run(child(int(sys.argv[1]), Path(sys.argv[2])))
    os.write(1, (json.dumps(figures) + "\n").encode())
