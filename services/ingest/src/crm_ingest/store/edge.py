"""Qdrant Edge, in-process, under DATA_DIR: the embedded default.

Layout: `<DATA_DIR>/qdrant/<collection>/state.json` names the live generation and the spec that
built it; the shard lives in `gen-<n>/`.

Building the index (`optimize()`) holds the GIL for its whole run (58 s at 100,000 points here),
so it never runs in this process. `build_index()` instead:

1. under the write lock: flushes the live shard, copies it to `gen-<n+1>` (`cp --reflink=auto`,
   instant on a filesystem that shares blocks) and starts journaling every write;
2. runs `optimize()` on the copy in a child process (`python -m crm_ingest.store.edge_build`),
   while this process keeps writing to and querying the live shard;
3. under the write lock again: loads the optimized copy, replays the journal on it, flushes,
   writes `state.json` naming it, swaps it in, and closes the old shard once the queries reading
   it are done.

Queries hold no lock but a reader count on the shard they read, and Edge releases the GIL while
it searches; writes are serialized by one lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from crm_ingest.embeddings.base import SparseVector
from crm_ingest.store.base import (
    BM25,
    DENSE,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    LEXICAL,
    RRF_K,
    AnyOf,
    Between,
    CollectionMismatch,
    CollectionSpec,
    Condition,
    StoreError,
    StoreHit,
    StoreInfo,
    StorePoint,
    StoreQuery,
    mismatch_message,
)

logger = logging.getLogger(__name__)

STATE_FILE = "state.json"


def _sparse(vector: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(indices=list(vector.indices), values=list(vector.values))


def _config(spec: CollectionSpec) -> qe.EdgeConfig:
    sparse = {BM25: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)}
    if spec.has_lexical:
        sparse[LEXICAL] = qe.EdgeSparseVectorParams()
    return qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=spec.dim, distance=qe.Distance.Cosine)},
        sparse_vectors=sparse,
    )


def _filter(conditions: Sequence[Condition]) -> qe.Filter | None:
    if not conditions:
        return None
    must: list[Any] = []
    for condition in conditions:
        if isinstance(condition, AnyOf):
            must.append(
                qe.FieldCondition(key=condition.key, match=qe.MatchAny(any=list(condition.values)))
            )
        elif isinstance(condition, Between):
            must.append(
                qe.FieldCondition(
                    key=condition.key, range=qe.RangeFloat(gte=condition.gte, lt=condition.lt)
                )
            )
    return qe.Filter(must=must)


def build_request(query: StoreQuery, *, has_lexical: bool) -> qe.QueryRequest | None:
    """The Edge query for a search, or None when it cannot match anything (an empty sparse
    vector: a query of stop words only)."""
    flt = _filter(query.conditions)
    legs: list[Any] = []
    if query.mode in ("dense", "hybrid") and query.dense is not None:
        legs.append(qe.Query.Nearest(query.dense.tolist(), using=DENSE))
    if query.mode in ("sparse", "hybrid") and query.bm25:
        legs.append(qe.Query.Nearest(_sparse(query.bm25), using=BM25))
    if query.mode in ("lexical", "hybrid") and has_lexical and query.lexical:
        legs.append(qe.Query.Nearest(_sparse(query.lexical), using=LEXICAL))
    if not legs:
        return None
    if query.mode != "hybrid":
        return qe.QueryRequest(limit=query.limit, query=legs[0], filter=flt, with_payload=True)
    return qe.QueryRequest(
        limit=query.limit,
        prefetches=[qe.Prefetch(limit=query.prefetch_limit, query=leg, filter=flt) for leg in legs],
        query=qe.Fusion.Rrf(k=RRF_K),  # type: ignore[arg-type] # the stub omits Fusion's members
        filter=flt,
        with_payload=True,
    )


@dataclass
class BuildJob:
    generation: int
    path: Path
    started_at: float


class EdgeStore:
    kind = "edge"

    def __init__(self, root: Path, *, optimize_threshold: int = 20_000) -> None:
        self.root = root
        self.optimize_threshold = optimize_threshold
        self._shard: qe.EdgeShard | None = None
        self._spec: CollectionSpec | None = None
        self._recorded: CollectionSpec | None = None
        self._generation = 0
        self._unoptimized = 0
        self._write_lock = threading.RLock()
        self._readers: dict[int, int] = {}
        self._readers_cond = threading.Condition()
        self._journal: list[qe.UpdateOperation] | None = None
        self._journaled_points = 0
        self._job: BuildJob | None = None
        self.last_build_seconds: float | None = None
        self.builds = 0
        self.build_pid: int | None = None  # the child building the index, while one runs

    # -- opening ----------------------------------------------------------------------------------

    @property
    def mismatch(self) -> str | None:
        if self._spec is None or self._recorded is None:
            return None
        return mismatch_message(self._spec, self._recorded)

    def _state_path(self) -> Path:
        return self.root / STATE_FILE

    def _gen_path(self, generation: int) -> Path:
        return self.root / f"gen-{generation:06d}"

    def _write_state(self) -> None:
        assert self._recorded is not None
        tmp = self.root / (STATE_FILE + ".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "generation": self._generation,
                    "spec": self._recorded.to_dict(),
                    "unoptimized_writes": self._unoptimized,
                },
                indent=2,
            )
        )
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(self._state_path())

    def open(self, spec: CollectionSpec) -> None:
        """Open the collection, creating it for `spec` if there is none.

        A collection built by another model stays as it is and is reported by `mismatch`."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._spec = spec
        state_path = self._state_path()
        if not state_path.exists():
            self._create(spec, generation=1)
            return
        state = json.loads(state_path.read_text())
        self._generation = int(state["generation"])
        self._recorded = CollectionSpec.from_dict(state["spec"])
        self._unoptimized = int(state.get("unoptimized_writes", 0))
        self._remove_other_generations()
        self._shard = qe.EdgeShard.load(str(self._gen_path(self._generation)))
        if self.mismatch:
            logger.error("%s", self.mismatch)

    def _create(self, spec: CollectionSpec, *, generation: int) -> None:
        path = self._gen_path(generation)
        shutil.rmtree(path, ignore_errors=True)
        shard = qe.EdgeShard.create(str(path), _config(spec))
        for name in KEYWORD_FIELDS:
            shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        for name in INTEGER_FIELDS:
            shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Integer))
        shard.flush()
        self._shard = shard
        self._generation = generation
        self._recorded = spec
        self._unoptimized = 0
        self._write_state()
        self._remove_other_generations()

    def _remove_other_generations(self) -> None:
        current = self._gen_path(self._generation).name
        for path in self.root.glob("gen-*"):
            if path.name != current:
                shutil.rmtree(path, ignore_errors=True)

    def recreate(self, spec: CollectionSpec) -> None:
        """Drop every point and start an empty collection for `spec`."""
        with self._write_lock:
            self._journal = None
            old = self._shard
            self._shard = None
            if old is not None:
                self._close_when_unread(old)
            self._spec = spec
            self._create(spec, generation=self._generation + 1)

    def drop(self) -> None:
        """Delete the collection (the service is stopped; it creates a new one at start).

        Raises:
            StoreError: a running service holds the shard.
        """
        if self._state_path().exists():
            state = json.loads(self._state_path().read_text())
            path = self._gen_path(int(state["generation"]))
            if path.exists():
                try:
                    qe.EdgeShard.load(str(path)).close()
                except Exception as exc:  # Edge reports a held shard as a runtime error
                    raise StoreError(f"{path} is in use (is the ingest service running?)") from exc
        shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> None:
        with self._write_lock:
            shard, self._shard = self._shard, None
            if shard is not None:
                with contextlib.suppress(Exception):  # closing is best effort at shutdown
                    shard.flush()
                self._close_when_unread(shard)
                self._write_state_quietly()

    def _write_state_quietly(self) -> None:
        if self._recorded is not None:
            with contextlib.suppress(OSError):
                self._write_state()

    # -- writes -----------------------------------------------------------------------------------

    def _live(self) -> qe.EdgeShard:
        if self._shard is None:
            raise StoreError("the collection is not open")
        if self.mismatch:
            raise CollectionMismatch(self.mismatch)
        return self._shard

    def _apply(self, operation: qe.UpdateOperation, points: int) -> None:
        with self._write_lock:
            shard = self._live()
            try:
                shard.update(operation)
            except Exception as exc:  # Edge raises its own runtime errors
                raise StoreError(f"Qdrant Edge refused an update: {exc}") from exc
            if self._journal is not None:
                self._journal.append(operation)
                self._journaled_points += points
            self._unoptimized += points

    def upsert(self, points: Sequence[StorePoint]) -> None:
        if not points:
            return
        has_lexical = bool(self._spec and self._spec.has_lexical)
        edge_points = []
        for point in points:
            vectors: dict[str, Any] = {DENSE: point.dense.tolist(), BM25: _sparse(point.bm25)}
            if has_lexical and point.lexical is not None:
                vectors[LEXICAL] = _sparse(point.lexical)
            edge_points.append(qe.Point(point.id, vectors, point.payload))
        self._apply(qe.UpdateOperation.upsert_points(edge_points), len(edge_points))

    def delete(self, point_ids: Sequence[str]) -> None:
        if point_ids:
            self._apply(qe.UpdateOperation.delete_points(list(point_ids)), len(point_ids))

    def set_payload(self, point_ids: Sequence[str], payload: dict[str, Any]) -> None:
        if point_ids:
            self._apply(qe.UpdateOperation.set_payload(list(point_ids), payload), 0)

    def flush(self) -> None:
        with self._write_lock:
            if self._shard is not None:
                self._shard.flush()
                self._write_state()

    # -- reads ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[qe.EdgeShard]:
        with self._readers_cond:
            shard = self._live()
            key = id(shard)
            self._readers[key] = self._readers.get(key, 0) + 1
        try:
            yield shard
        finally:
            with self._readers_cond:
                self._readers[key] -= 1
                if not self._readers[key]:
                    del self._readers[key]
                self._readers_cond.notify_all()

    def _close_when_unread(self, shard: qe.EdgeShard) -> None:
        with self._readers_cond:
            self._readers_cond.wait_for(lambda: id(shard) not in self._readers, timeout=60)
        shard.close()

    def query(self, query: StoreQuery) -> list[StoreHit]:
        request = build_request(query, has_lexical=bool(self._spec and self._spec.has_lexical))
        if request is None:
            return []
        with self._reading() as shard:
            points = shard.query(request)
        return [StoreHit(str(p.id), float(p.score), dict(p.payload or {})) for p in points]

    def count(self) -> int:
        with self._reading() as shard:
            return int(shard.count(qe.CountRequest(exact=True)))

    def scroll(self, *, limit: int, offset: str | None = None) -> tuple[list[StoreHit], str | None]:
        with self._reading() as shard:
            records, next_offset = shard.scroll(
                qe.ScrollRequest(offset=offset, limit=limit, with_payload=True)
            )
        hits = [StoreHit(str(r.id), 0.0, dict(r.payload or {})) for r in records]
        return hits, (str(next_offset) if next_offset is not None else None)

    def info(self) -> StoreInfo:
        points = 0
        if self._shard is not None and not self.mismatch:
            points = self.count()
        return StoreInfo(
            kind=self.kind,
            points=points,
            spec=self._recorded,
            mismatch=self.mismatch,
            generation=self._generation,
            unoptimized_writes=self._unoptimized,
            is_optimizing=self._job is not None,
            extra={"last_build_seconds": self.last_build_seconds, "builds": self.builds},
        )

    # -- building the index -----------------------------------------------------------------------

    @property
    def needs_index_build(self) -> bool:
        """When `optimize_threshold` points, or a tenth of the shard if more, were written since
        the last build. Swapping a built shard in holds this process's GIL while Edge loads it
        (0.9 s at 100,000 points, 7 s at 1,000,000 here), so a large shard is rebuilt less
        often; an unindexed tail of a tenth costs a search a few milliseconds."""
        if self._job is not None or self._shard is None or self.mismatch:
            return False
        due = max(self.optimize_threshold, int(self._shard.info().points_count) // 10)
        return self._unoptimized >= due

    def begin_build(self) -> BuildJob:
        """Flush, copy the live shard to the next generation, and journal writes from now on."""
        with self._write_lock:
            if self._job is not None:
                raise StoreError("an index build is already running")
            shard = self._live()
            shard.flush()
            generation = self._generation + 1
            target = self._gen_path(generation)
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run(
                ["cp", "-a", "--reflink=auto", str(self._gen_path(self._generation)), str(target)],
                check=True,
                capture_output=True,
            )
            self._journal = []
            self._journaled_points = 0
            self._job = BuildJob(generation, target, time.monotonic())
            written_before = self._unoptimized
        logger.info(
            "index build %d started on a copy (%d points written since the last build)",
            generation,
            written_before,
        )
        return self._job

    async def run_build(self, job: BuildJob) -> None:
        """`optimize()` on the copy, in a child process; this process's GIL stays free."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "crm_ingest.store.edge_build",
            str(job.path),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self.build_pid = process.pid
        try:
            out, err = await process.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        finally:
            self.build_pid = None
        if process.returncode != 0:
            raise StoreError(
                f"the index build exited with {process.returncode}: {err.decode()[-2000:]}"
            )
        logger.info("index build %d: %s", job.generation, out.decode().strip())

    def finish_build(self, job: BuildJob) -> None:
        """Load the optimized copy, replay the writes made meanwhile, and swap it in."""
        with self._write_lock:
            if self._job is not job or self._journal is None:
                raise StoreError("this index build was abandoned")
            fresh = qe.EdgeShard.load(str(job.path))
            for operation in self._journal:
                fresh.update(operation)
            fresh.flush()
            old = self._shard
            replayed = len(self._journal)
            self._shard = fresh
            self._generation = job.generation
            self._unoptimized = self._journaled_points
            self._journal = None
            self._job = None
            self._write_state()
            self.last_build_seconds = time.monotonic() - job.started_at
            self.builds += 1
        if old is not None:
            self._close_when_unread(old)
        self._remove_other_generations()
        logger.info(
            "index build %d swapped in after %.1fs (%d writes replayed)",
            job.generation,
            self.last_build_seconds,
            replayed,
        )

    def abandon_build(self, job: BuildJob) -> None:
        with self._write_lock:
            if self._job is job:
                self._job = None
                self._journal = None
        shutil.rmtree(job.path, ignore_errors=True)

    async def build_index(self) -> None:
        """Build the index on a copy in a child process and swap it in (see the module doc)."""
        job = await asyncio.to_thread(self.begin_build)
        try:
            await self.run_build(job)
            await asyncio.to_thread(self.finish_build, job)
        except BaseException:
            await asyncio.to_thread(self.abandon_build, job)
            raise
