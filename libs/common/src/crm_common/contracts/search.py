"""The request-reply API of search, served by ingest: `search.query` (called by crm-api and the
MCP gateway), `search.status` (the index and what is left to write) and `search.reindex`.

A search runs one of four modes over the collection `crm_chunks`: `dense` (the embedding model),
`sparse` (BM25 with IDF), `hybrid` (both prefetched and fused with reciprocal-rank fusion, plus
bge-m3's lexical weights when the collection has them) and `lexical` (bge-m3's lexical weights
alone). Filters narrow it by canonical entity, contact, organization, fund, source kind, type,
author and event time. The answer holds at most one hit per source record, best first; each hit
cites its record (kind, id, version, event time, path in the CRM) and names the redaction
placeholders in its snippet, so a caller allowed to see the originals can put them back.

`search.status` answers whether ingest has caught up (`IngestStatus.caught_up`): every event
handed to its consumers and the store holding what its ledger says. Tests, benchmarks and
`ingest reindex --wait` ask it rather than reading ingest's insides.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

SEARCH_QUERY = "search.query"
SEARCH_STATUS = "search.status"
SEARCH_REINDEX = "search.reindex"

SearchMode = Literal["dense", "sparse", "hybrid", "lexical"]
# What a chunk came from: a CRM record (communication, contact, organization, opportunity,
# lp_profile) or gmail-sync's matched mail (email_message, whose hits have type `email`, as a
# logged email communication's do). A plain name, so a new source needs no change here.
SourceKind = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
RecordId = Annotated[str, Field(min_length=1, max_length=64)]
_MAX_IDS = 50


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class SearchFilters(BaseModel):
    """Every filter given must hold; a list matches any of its values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_ids: list[RecordId] = Field(
        default_factory=list, max_length=_MAX_IDS, description="canonical entities (resolver)"
    )
    contact_ids: list[RecordId] = Field(
        default_factory=list, max_length=_MAX_IDS, description="on, attended by, or about"
    )
    organization_ids: list[RecordId] = Field(default_factory=list, max_length=_MAX_IDS)
    fund_ids: list[RecordId] = Field(default_factory=list, max_length=_MAX_IDS)
    source_kinds: list[SourceKind] = Field(default_factory=list, max_length=20)
    types: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=20, description="a communication's type: call, email..."
    )
    author_ids: list[RecordId] = Field(
        default_factory=list, max_length=_MAX_IDS, description="who wrote the record (a user id)"
    )
    since: AwareDatetime | None = Field(default=None, description="event time at or after")
    until: AwareDatetime | None = Field(default=None, description="event time before")

    @model_validator(mode="after")
    def _check_range(self) -> SearchFilters:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    query: Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_stripped)]
    mode: SearchMode = "hybrid"
    filters: SearchFilters = Field(default_factory=SearchFilters)
    top_k: int = Field(default=10, ge=1, le=50, description="hits per page, one per record")
    cursor: str | None = Field(
        default=None, max_length=200, description="next_cursor of the previous page"
    )
    snippet_chars: int = Field(default=320, ge=80, le=2000)


class Citation(BaseModel):
    """Where a hit came from: enough to open the record and to know which version was read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_kind: SourceKind
    source_id: RecordId
    source_version: int = Field(ge=1)
    event_time: AwareDatetime = Field(description="when it happened (a communication's time)")
    crm_path: str = Field(description="the record in the CRM's API, e.g. /api/communications/<id>")


class RedactionMarker(BaseModel):
    """A placeholder that stands for a sensitive value in the indexed text.

    The value itself is never indexed: `field`, `start` and `end` locate it in the source record
    (its state at `source_version`), where crm-api reads it back for a principal allowed to see
    it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    placeholder: str = Field(examples=["[ACCOUNT_NUMBER_1]"])
    type: str = Field(examples=["ACCOUNT_NUMBER"])
    field: str = Field(description="the record's field that holds the original")
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    point_id: str
    chunk_no: int = Field(ge=0)
    score: float
    snippet: str
    title: str
    type: str | None = None
    citation: Citation
    entity_ids: list[str] = Field(default_factory=list, description="canonical entities")
    contact_ids: list[str] = Field(default_factory=list)
    organization_ids: list[str] = Field(default_factory=list)
    fund_ids: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list, description="people and organizations named")
    author_id: str | None = None
    author_name: str | None = None
    redactions: list[RedactionMarker] = Field(
        default_factory=list, description="the placeholders in `snippet`"
    )
    rehydrated: bool = Field(
        default=False, description="the placeholders were replaced by the originals"
    )


class SearchResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hits: list[SearchHit]
    mode: SearchMode
    model: str = Field(description="the embedding model that built the collection")
    next_cursor: str | None = None


class StatusRequest(BaseModel):
    pass


class IngestStatus(BaseModel):
    ready: bool
    model: str | None
    store: str
    collection: str
    points: int
    mismatch: str | None
    generation: int
    unoptimized_writes: int
    is_optimizing: bool
    last_build_seconds: float | None
    chunks: dict[str, int]
    indexer: dict[str, Any]
    consumers: dict[str, int] = Field(description="messages each consumer has yet to handle")

    @property
    def caught_up(self) -> bool:
        """Ready, every consumer's backlog handled, and nothing left to write or re-stamp."""
        chunks = self.chunks
        return (
            self.ready
            and all(n == 0 for n in self.consumers.values())
            and chunks.get("pending", 0) == 0
            and chunks.get("deleting", 0) == 0
            and chunks.get("dirty_records", 0) == 0
        )


class ReindexRequest(BaseModel):
    replay: bool = Field(
        default=True,
        description="rewind the consumers to the start of their streams; false: keep their "
        "position and rebuild from the next crm-api snapshot",
    )


class ReindexResponse(BaseModel):
    collection: str
    model: str
    replay: bool
    consumers_rewound: list[str]
