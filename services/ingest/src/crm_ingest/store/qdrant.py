"""A Qdrant server or cluster through qdrant-client (`INGEST_QDRANT_URL`).

The same collection as the embedded store: named `dense`, `bm25` (IDF) and, with bge-m3,
`lexical` vectors, payload indexes, and the spec that built it in the collection's metadata.
The server builds its index itself, so nothing here blocks on it. Tests run this code against
qdrant-client's local mode, which is a test double of the server (ARCHITECTURE.md, Storage).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse
from qdrant_client.local.qdrant_local import QdrantLocal

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

_FAILURES = (UnexpectedResponse, ResponseHandlingException, OSError, ValueError)


def _sparse(vector: SparseVector) -> qm.SparseVector:
    return qm.SparseVector(indices=list(vector.indices), values=list(vector.values))


def _filter(conditions: Sequence[Condition]) -> qm.Filter | None:
    if not conditions:
        return None
    must: list[Any] = []
    for condition in conditions:
        if isinstance(condition, AnyOf):
            must.append(
                qm.FieldCondition(key=condition.key, match=qm.MatchAny(any=list(condition.values)))
            )
        elif isinstance(condition, Between):
            must.append(
                qm.FieldCondition(
                    key=condition.key, range=qm.Range(gte=condition.gte, lt=condition.lt)
                )
            )
    return qm.Filter(must=must)


class _OneAtATime:
    """A client whose every call holds one lock: qdrant-client's local mode (a test double for
    a server) is not safe to use from two threads, and ingest writes from its indexer thread
    while a status or search request reads from another (numpy broadcast errors, seen here)."""

    def __init__(self, client: QdrantClient) -> None:
        self._client = client
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return call


class QdrantStore:
    kind = "qdrant"

    def __init__(self, client: QdrantClient, *, collection: str = "crm_chunks") -> None:
        # A server client is thread-safe; local mode (a path or ":memory:") is serialized.
        local = isinstance(getattr(client, "_client", None), QdrantLocal)
        self._client: Any = _OneAtATime(client) if local else client
        self.collection = collection
        self._spec: CollectionSpec | None = None
        self._recorded: CollectionSpec | None = None

    @classmethod
    def connect(cls, url: str, *, api_key: str | None, collection: str) -> QdrantStore:
        return cls(QdrantClient(url=url, api_key=api_key, timeout=30), collection=collection)

    @property
    def mismatch(self) -> str | None:
        if self._spec is None or self._recorded is None:
            return None
        return mismatch_message(self._spec, self._recorded)

    def open(self, spec: CollectionSpec) -> None:
        self._spec = spec
        try:
            if not self._client.collection_exists(self.collection):
                self._create(spec)
                return
            metadata = self._client.get_collection(self.collection).config.metadata or {}
        except _FAILURES as exc:
            raise StoreError(f"Qdrant at {self.collection}: {exc}") from exc
        if "spec" in metadata:
            self._recorded = CollectionSpec.from_dict(metadata["spec"])
        else:  # not ours, or made by hand: never write into it
            self._recorded = CollectionSpec(model="unknown", dim=0, has_lexical=False, sparse="")

    def _create(self, spec: CollectionSpec) -> None:
        sparse = {BM25: qm.SparseVectorParams(modifier=qm.Modifier.IDF)}
        if spec.has_lexical:
            sparse[LEXICAL] = qm.SparseVectorParams()
        self._client.create_collection(
            self.collection,
            vectors_config={DENSE: qm.VectorParams(size=spec.dim, distance=qm.Distance.COSINE)},
            sparse_vectors_config=sparse,
            metadata={"spec": spec.to_dict()},
        )
        for name in KEYWORD_FIELDS:
            self._client.create_payload_index(self.collection, name, qm.PayloadSchemaType.KEYWORD)
        for name in INTEGER_FIELDS:
            self._client.create_payload_index(self.collection, name, qm.PayloadSchemaType.INTEGER)
        self._recorded = spec

    def recreate(self, spec: CollectionSpec) -> None:
        self._spec = spec
        try:
            if self._client.collection_exists(self.collection):
                self._client.delete_collection(self.collection)
            self._create(spec)
        except _FAILURES as exc:
            raise StoreError(f"cannot recreate {self.collection}: {exc}") from exc

    def drop(self) -> None:
        try:
            if self._client.collection_exists(self.collection):
                self._client.delete_collection(self.collection)
        except _FAILURES as exc:
            raise StoreError(f"cannot drop {self.collection}: {exc}") from exc

    def _check(self) -> None:
        if self._recorded is None:
            raise StoreError("the collection is not open")
        if self.mismatch:
            raise CollectionMismatch(self.mismatch)

    def upsert(self, points: Sequence[StorePoint]) -> None:
        if not points:
            return
        self._check()
        has_lexical = bool(self._spec and self._spec.has_lexical)
        structs = []
        for point in points:
            vectors: dict[str, Any] = {DENSE: point.dense.tolist(), BM25: _sparse(point.bm25)}
            if has_lexical and point.lexical is not None:
                vectors[LEXICAL] = _sparse(point.lexical)
            structs.append(qm.PointStruct(id=point.id, vector=vectors, payload=point.payload))
        try:
            self._client.upsert(self.collection, structs, wait=True)
        except _FAILURES as exc:
            raise StoreError(f"upsert into {self.collection} failed: {exc}") from exc

    def delete(self, point_ids: Sequence[str]) -> None:
        if not point_ids:
            return
        self._check()
        try:
            self._client.delete(self.collection, qm.PointIdsList(points=list(point_ids)), wait=True)
        except _FAILURES as exc:
            raise StoreError(f"delete from {self.collection} failed: {exc}") from exc

    def set_payload(self, point_ids: Sequence[str], payload: dict[str, Any]) -> None:
        if not point_ids:
            return
        self._check()
        try:
            self._client.set_payload(
                self.collection, payload=payload, points=list(point_ids), wait=True
            )
        except _FAILURES as exc:
            raise StoreError(f"set_payload on {self.collection} failed: {exc}") from exc

    def flush(self) -> None:
        """Writes are acknowledged with wait=True; the server makes them durable."""

    def query(self, query: StoreQuery) -> list[StoreHit]:
        self._check()
        flt = _filter(query.conditions)
        has_lexical = bool(self._spec and self._spec.has_lexical)
        legs: list[tuple[str, Any]] = []
        if query.mode in ("dense", "hybrid") and query.dense is not None:
            legs.append((DENSE, query.dense.tolist()))
        if query.mode in ("sparse", "hybrid") and query.bm25:
            legs.append((BM25, _sparse(query.bm25)))
        if query.mode in ("lexical", "hybrid") and has_lexical and query.lexical:
            legs.append((LEXICAL, _sparse(query.lexical)))
        if not legs:
            return []
        try:
            if query.mode != "hybrid":
                using, vector = legs[0]
                response = self._client.query_points(
                    self.collection,
                    query=vector,
                    using=using,
                    query_filter=flt,
                    limit=query.limit,
                    with_payload=True,
                )
            else:
                response = self._client.query_points(
                    self.collection,
                    prefetch=[
                        qm.Prefetch(
                            query=vector, using=using, filter=flt, limit=query.prefetch_limit
                        )
                        for using, vector in legs
                    ],
                    query=qm.RrfQuery(rrf=qm.Rrf(k=RRF_K)),
                    query_filter=flt,
                    limit=query.limit,
                    with_payload=True,
                )
        except _FAILURES as exc:
            raise StoreError(f"query on {self.collection} failed: {exc}") from exc
        return [StoreHit(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def count(self) -> int:
        self._check()
        try:
            return int(self._client.count(self.collection, exact=True).count)
        except _FAILURES as exc:
            raise StoreError(f"count on {self.collection} failed: {exc}") from exc

    def scroll(self, *, limit: int, offset: str | None = None) -> tuple[list[StoreHit], str | None]:
        self._check()
        records, next_offset = self._client.scroll(
            self.collection, limit=limit, offset=offset, with_payload=True
        )
        hits = [StoreHit(str(r.id), 0.0, dict(r.payload or {})) for r in records]
        return hits, (str(next_offset) if next_offset is not None else None)

    def info(self) -> StoreInfo:
        points = 0 if self.mismatch or self._recorded is None else self.count()
        return StoreInfo(kind=self.kind, points=points, spec=self._recorded, mismatch=self.mismatch)

    def close(self) -> None:
        self._client.close()
