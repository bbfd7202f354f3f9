"""What every vector store offers the indexer and the search, and the types they exchange.

The collection has a named dense vector `dense`, a named sparse vector `bm25` (IDF applied by the
store), and with bge-m3 a named sparse vector `lexical` (its learned weights, no IDF); payload
indexes on the filter fields. It records the model, dimension and sparse tokenizer that built
it: a store opened with a different one reports the difference (`mismatch`) and refuses every
write and query until `recreate` (`ingest reindex`).

    StoreError              the store failed (unreachable, refused an operation)
    └── CollectionMismatch  the collection was built by another model; reindex
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from crm_common.contracts.search import SearchFilters
from crm_common.errors import ServiceUnavailable
from crm_ingest.embeddings.base import SparseVector

DENSE = "dense"
BM25 = "bm25"
LEXICAL = "lexical"
RRF_K = 60

KEYWORD_FIELDS = (
    "source_kind",
    "source_id",
    "type",
    "entity_ids",
    "contact_ids",
    "organization_ids",
    "fund_ids",
    "author_id",
    "names",
)
INTEGER_FIELDS = ("date_ts",)


class StoreError(Exception):
    """The vector store failed."""


class CollectionMismatch(StoreError, ServiceUnavailable):
    title = "The search index was built by another model"
    slug = "index-mismatch"


@dataclass(frozen=True)
class CollectionSpec:
    """What built a collection; a service with another one may not write into it."""

    model: str
    dim: int
    has_lexical: bool
    sparse: str
    model_id: str = ""

    def differences(self, other: CollectionSpec) -> list[str]:
        return [
            f"{name}: collection {getattr(other, name)!r}, service {getattr(self, name)!r}"
            for name in ("model", "dim", "has_lexical", "sparse")
            if getattr(self, name) != getattr(other, name)
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionSpec:
        return cls(
            model=str(data["model"]),
            dim=int(data["dim"]),
            has_lexical=bool(data["has_lexical"]),
            sparse=str(data["sparse"]),
            model_id=str(data.get("model_id", "")),
        )


@dataclass(frozen=True)
class StorePoint:
    id: str
    dense: npt.NDArray[np.float32]
    bm25: SparseVector
    payload: dict[str, Any]
    lexical: SparseVector | None = None


@dataclass(frozen=True)
class AnyOf:
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Between:
    key: str
    gte: float | None = None
    lt: float | None = None


Condition = AnyOf | Between
QueryMode = Literal["dense", "sparse", "hybrid", "lexical"]


@dataclass(frozen=True)
class StoreQuery:
    mode: QueryMode
    limit: int
    dense: npt.NDArray[np.float32] | None = None
    bm25: SparseVector | None = None
    lexical: SparseVector | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def prefetch_limit(self) -> int:
        # Fusion sees deeper lists than it returns, so a hit ranked well by one mode survives.
        return max(self.limit * 2, 50)


@dataclass(frozen=True)
class StoreHit:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass
class StoreInfo:
    kind: str
    points: int
    spec: CollectionSpec | None
    mismatch: str | None
    generation: int = 0
    unoptimized_writes: int = 0
    is_optimizing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def conditions_for(filters: SearchFilters) -> tuple[Condition, ...]:
    """A search's filters as store conditions on the payload."""
    found: list[Condition] = []
    for key, values in (
        ("entity_ids", filters.entity_ids),
        ("contact_ids", filters.contact_ids),
        ("organization_ids", filters.organization_ids),
        ("fund_ids", filters.fund_ids),
        ("source_kind", filters.source_kinds),
        ("type", filters.types),
        ("author_id", filters.author_ids),
    ):
        if values:
            found.append(AnyOf(key, tuple(values)))
    if filters.since is not None or filters.until is not None:
        found.append(
            Between(
                "date_ts",
                gte=filters.since.timestamp() if filters.since else None,
                lt=filters.until.timestamp() if filters.until else None,
            )
        )
    return tuple(found)


class VectorStore(Protocol):
    kind: str

    @property
    def mismatch(self) -> str | None: ...

    def open(self, spec: CollectionSpec) -> None: ...

    def recreate(self, spec: CollectionSpec) -> None: ...

    def drop(self) -> None:
        """Delete the collection altogether (offline reindex)."""
        ...

    def upsert(self, points: Sequence[StorePoint]) -> None: ...

    def delete(self, point_ids: Sequence[str]) -> None: ...

    def set_payload(self, point_ids: Sequence[str], payload: dict[str, Any]) -> None: ...

    def flush(self) -> None: ...

    def query(self, query: StoreQuery) -> list[StoreHit]: ...

    def count(self) -> int: ...

    def scroll(self, *, limit: int, offset: str | None = None) -> tuple[list[StoreHit], str | None]:
        """Points in id order with their payloads (score 0), and the offset of the next page."""
        ...

    def info(self) -> StoreInfo: ...

    def close(self) -> None: ...


def mismatch_message(spec: CollectionSpec, recorded: CollectionSpec) -> str | None:
    differences = spec.differences(recorded)
    if not differences:
        return None
    return (
        "the collection was built by another embedding setup ("
        + "; ".join(differences)
        + "); run `ingest reindex` to rebuild it with this one"
    )
