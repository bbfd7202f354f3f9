"""Running a search: embed the query, ask the store, keep one hit per source record, drop any
record no longer live in the ledger (a delete the indexer has not written yet), page, cite."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from crm_common.contracts.search import (
    Citation,
    RedactionMarker,
    SearchHit,
    SearchRequest,
    SearchResponse,
)
from crm_common.db import Database
from crm_ingest.embeddings.base import Embedder
from crm_ingest.embeddings.bm25 import SparseEncoder
from crm_ingest.ledger import repository
from crm_ingest.search.errors import IndexNotReady, InvalidCursor, ModeUnavailable
from crm_ingest.search.snippets import snippet
from crm_ingest.store.base import (
    CollectionMismatch,
    StoreHit,
    StoreQuery,
    VectorStore,
    conditions_for,
)

MAX_OFFSET = 500
MAX_FETCH = 1000
OVERSAMPLE = 3  # points fetched per wanted hit: a record's several chunks collapse into one hit


@dataclass(frozen=True)
class _Cursor:
    offset: int
    digest: str


def _digest(request: SearchRequest) -> str:
    basis = json.dumps(
        [request.query, request.mode, request.filters.model_dump(mode="json"), request.top_k],
        sort_keys=True,
    )
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def encode_cursor(offset: int, request: SearchRequest) -> str:
    raw = json.dumps({"o": offset, "d": _digest(request)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(request: SearchRequest) -> int:
    if request.cursor is None:
        return 0
    try:
        padded = request.cursor + "=" * (-len(request.cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        cursor = _Cursor(int(data["o"]), str(data["d"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this service gave") from exc
    if cursor.digest != _digest(request):
        raise InvalidCursor("the cursor belongs to another search (query, mode or filters)")
    if not 0 < cursor.offset <= MAX_OFFSET:
        raise InvalidCursor(f"results go {MAX_OFFSET} hits deep at most")
    return cursor.offset


class Searcher:
    def __init__(
        self, *, db: Database, store: VectorStore, embedder: Embedder, sparse: SparseEncoder
    ) -> None:
        self._db = db
        self._store = store
        self._embedder = embedder
        self._sparse = sparse

    def search(self, request: SearchRequest) -> SearchResponse:
        spec = self._embedder.spec
        if self._store.mismatch:
            raise IndexNotReady(self._store.mismatch)
        if request.mode == "lexical" and not spec.has_lexical:
            raise ModeUnavailable(
                f"lexical search needs bge-m3's lexical weights; this index is built by {spec.name}"
            )
        offset = decode_cursor(request)
        wanted = offset + request.top_k + 1  # one more tells whether there is a next page
        dense = lexical = bm25 = None
        if request.mode in ("dense", "hybrid", "lexical"):
            embedded = self._embedder.embed_query(request.query)
            dense = embedded.dense[0]
            lexical = embedded.lexical[0] if embedded.lexical else None
        if request.mode in ("sparse", "hybrid"):
            bm25 = self._sparse.embed_query(request.query)
        conditions = conditions_for(request.filters)
        limit = min(wanted * OVERSAMPLE, MAX_FETCH)
        while True:
            try:
                points = self._store.query(
                    StoreQuery(
                        mode=request.mode,
                        limit=limit,
                        dense=dense,
                        bm25=bm25,
                        lexical=lexical,
                        conditions=conditions,
                    )
                )
            except CollectionMismatch as exc:
                raise IndexNotReady(str(exc)) from exc
            best = _one_per_record(points)
            if len(best) >= wanted or len(points) < limit or limit >= MAX_FETCH:
                break
            limit = min(limit * 2, MAX_FETCH)
        with self._db.session() as session:
            live = repository.live_keys(session, [_key(p) for p in best])
        best = [p for p in best if _key(p) in live]
        page = best[offset : offset + request.top_k]
        more = len(best) > offset + request.top_k and offset + request.top_k <= MAX_OFFSET
        return SearchResponse(
            hits=[_hit(p, request) for p in page],
            mode=request.mode,
            model=spec.name,
            next_cursor=encode_cursor(offset + request.top_k, request) if more else None,
        )


def _key(point: StoreHit) -> tuple[str, str]:
    return (str(point.payload.get("source_kind")), str(point.payload.get("source_id")))


def _one_per_record(points: list[StoreHit]) -> list[StoreHit]:
    seen: set[tuple[str, str]] = set()
    best = []
    for point in points:
        key = _key(point)
        if key not in seen:
            seen.add(key)
            best.append(point)
    return best


def _hit(point: StoreHit, request: SearchRequest) -> SearchHit:
    payload: dict[str, Any] = point.payload
    text = str(payload.get("text", ""))
    shown = snippet(text, request.query, request.snippet_chars)
    markers: list[RedactionMarker] = []
    for raw in payload.get("redactions") or ():
        try:
            marker = RedactionMarker.model_validate(raw)
        except ValidationError:
            continue
        if marker.placeholder in shown and marker.placeholder not in {
            m.placeholder for m in markers
        }:
            markers.append(marker)
    return SearchHit(
        point_id=point.id,
        chunk_no=int(payload.get("chunk_no", 0)),
        score=point.score,
        snippet=shown,
        title=str(payload.get("title", "")),
        type=payload.get("type"),
        citation=Citation(
            source_kind=str(payload["source_kind"]),
            source_id=str(payload["source_id"]),
            source_version=int(payload.get("source_version", 1)),
            event_time=datetime.fromisoformat(str(payload["event_at"])),
            crm_path=str(payload.get("crm_path", "")),
        ),
        entity_ids=list(payload.get("entity_ids") or []),
        contact_ids=list(payload.get("contact_ids") or []),
        organization_ids=list(payload.get("organization_ids") or []),
        fund_ids=list(payload.get("fund_ids") or []),
        names=list(payload.get("names") or []),
        author_id=payload.get("author_id"),
        author_name=payload.get("author_name"),
        redactions=markers,
    )
