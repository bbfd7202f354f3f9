"""Retrieval quality and ingest throughput, on the labelled synthetic corpus (bench/search_corpus).

For each store (Qdrant Edge, and qdrant-client's local mode for the server code path), with the
real minilm model: publish the corpus to a nats-server as crm-api's events, let the ingest
service (consumer, ledger, indexer, store; everything as in production) index it, then ask the
corpus's questions through the search service in each mode and score the records returned:
nDCG@10 and recall@10 (binary relevance: a question's three records), overall and per question
style (the documents' words, or a paraphrase).

Throughput, in the Edge run: chunks per second from the first event published to the last chunk
written, beside the raw model encoding the same chunk texts in the same batches in the same
process; the ratio is the pipeline's overhead.

bge-m3 needs its weights, which this machine cannot download: the run says so and skips it
unless BENCH_BGE_M3_PATH names a local copy.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import save
from bench.search_common import event_of, ingest_service, publish_all, settle
from bench.search_corpus import Corpus, generate
from crm_common.contracts.search import SearchMode, SearchRequest
from crm_ingest.chunking.service import Chunker, chunk_tokens
from crm_ingest.embeddings.base import Embedder
from crm_ingest.settings import Settings
from crm_ingest.sources.registry import Registry
from crm_ingest.store.qdrant import QdrantStore

MODES: tuple[SearchMode, ...] = ("sparse", "dense", "hybrid")


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranked[:k]) if r in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def chunk_texts(corpus: Corpus, embedder: Embedder) -> list[str]:
    registry = Registry()
    from bench.search_common import state_of

    chunker = Chunker(
        count_tokens=embedder.count_tokens,
        max_tokens=chunk_tokens(Settings(), embedder),
        overlap_tokens=Settings().chunk_overlap_tokens,
    )
    texts = []
    for record in corpus.records:
        source = registry.by_kind(record.kind)
        assert source is not None
        texts += [c.text for c in chunker.chunks(source.view(state_of(record)).fields)]
    return texts


def raw_encoding_seconds(embedder: Embedder, texts: list[str], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        embedder.embed_documents(texts[start : start + batch])
    return time.perf_counter() - started


async def evaluate(
    corpus: Corpus, embedder: Embedder, store_kind: str, workdir: Path
) -> dict[str, Any]:
    store = None
    if store_kind == "qdrant":
        from qdrant_client import QdrantClient

        store = QdrantStore(QdrantClient(path=str(workdir / "qdrant-local")))
    async with ingest_service(workdir, embedder=embedder, store=store) as (ingest, bus):
        events = [event_of(r) for r in corpus.records]
        started = time.perf_counter()
        await publish_all(bus, events)
        status = await settle(bus)
        elapsed = time.perf_counter() - started
        assert ingest.searcher is not None
        figures: dict[str, Any] = {
            "records": len(corpus.records),
            "queries": len(corpus.queries),
            "chunks": status.chunks["indexed"],
            "index_seconds": round(elapsed, 2),
            "chunks_per_second": round(status.chunks["indexed"] / elapsed, 1),
            "embed_seconds_in_pipeline": status.indexer["embed_seconds"],
            "modes": {},
        }
        for mode in MODES:
            scores: dict[str, list[tuple[float, float]]] = {
                "all": [],
                "lexical": [],
                "paraphrase": [],
            }
            latencies = []
            for query in corpus.queries:
                t0 = time.perf_counter()
                response = ingest.searcher.search(
                    SearchRequest(query=query.text, mode=mode, top_k=10)
                )
                latencies.append(time.perf_counter() - t0)
                ranked = [hit.citation.source_id for hit in response.hits]
                pair = (ndcg_at(ranked, query.relevant), recall_at(ranked, query.relevant))
                scores["all"].append(pair)
                scores[query.style].append(pair)
            figures["modes"][mode] = {
                style: {
                    "ndcg@10": round(sum(p[0] for p in pairs) / len(pairs), 4),
                    "recall@10": round(sum(p[1] for p in pairs) / len(pairs), 4),
                    "queries": len(pairs),
                }
                for style, pairs in scores.items()
                if pairs
            }
            figures["modes"][mode]["query_ms_mean"] = round(
                1000 * sum(latencies) / len(latencies), 2
            )
        return figures


async def run(quick: bool = False) -> None:
    from crm_ingest.embeddings.factory import configure_torch
    from crm_ingest.embeddings.minilm import MiniLMEmbedder

    corpus = generate(facts=120 if quick else 720, queries=30 if quick else 100)
    configure_torch()  # as the service does
    embedders: list[tuple[str, Embedder]] = [("minilm", MiniLMEmbedder())]
    bge_path = os.environ.get("BENCH_BGE_M3_PATH")
    if bge_path:
        from crm_ingest.embeddings.bge_m3 import BgeM3Embedder

        embedders.append(
            ("bge-m3", BgeM3Embedder(path=bge_path, device=os.environ.get("BENCH_DEVICE", "cpu")))
        )
    else:
        print("bge-m3: skipped (no weights on this machine; set BENCH_BGE_M3_PATH to a local copy)")
    results: dict[str, Any] = {}
    for name, embedder in embedders:
        for store_kind in ("edge", "qdrant"):
            with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
                figures = await evaluate(corpus, embedder, store_kind, Path(tmp))
            results[f"{name}/{store_kind}"] = figures
            size = f"{figures['records']} records, {figures['chunks']} chunks"
            print(f"\n{name} on {store_kind}: {size}")
            print(f"  indexed in {figures['index_seconds']} s: {figures['chunks_per_second']} /s")
            print(f"  {'mode':8} {'nDCG@10':>8} {'R@10':>6}   lexical nDCG  paraphrase nDCG")
            for mode in MODES:
                m = figures["modes"][mode]
                print(
                    f"  {mode:8} {m['all']['ndcg@10']:8.3f} {m['all']['recall@10']:6.3f}"
                    f"   {m['lexical']['ndcg@10']:12.3f}  {m['paraphrase']['ndcg@10']:15.3f}"
                )
        texts = chunk_texts(corpus, embedder)
        raw = raw_encoding_seconds(embedder, texts, Settings().index_batch_size)
        pipeline = results[f"{name}/edge"]
        results[f"{name}/throughput"] = {
            "chunks": len(texts),
            "raw_model_seconds": round(raw, 2),
            "raw_model_chunks_per_second": round(len(texts) / raw, 1),
            "pipeline_chunks_per_second": pipeline["chunks_per_second"],
            "pipeline_over_raw": round(pipeline["index_seconds"] / raw, 3),
        }
        t = results[f"{name}/throughput"]
        print(
            f"\n{name} throughput: pipeline {t['pipeline_chunks_per_second']} chunks/s, raw model "
            f"{t['raw_model_chunks_per_second']} chunks/s on the same texts "
            f"(pipeline time / raw model time = {t['pipeline_over_raw']})"
        )
    path = save("search-quality", results)
    print(f"\nfigures: {path}")
