from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["ok", "error", "denied", "proposed", "dry_run"]


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    id: str = Field(min_length=1, max_length=64)


class InteractionCreate(BaseModel):
    """An entry to append. The actor is the caller, never a field of the body."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=100, examples=["tool.search"])
    channel: str = Field(
        min_length=1, max_length=200, description="the MCP tool or HTTP route", examples=["mcp"]
    )
    summary: str = Field(default="", max_length=2000)
    targets: list[Target] = Field(default_factory=list, max_length=100)
    payload_digest: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the request's arguments"
    )
    outcome: Outcome = "ok"
    duration_ms: int | None = Field(default=None, ge=0, le=86_400_000)
    flags: list[str] = Field(default_factory=list, max_length=20)


class InteractionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str | None
    action: str
    channel: str
    summary: str
    targets: list[Target]
    payload_digest: str | None
    outcome: str
    duration_ms: int | None
    flags: list[str]
    request_id: str | None
    session_id: str | None = Field(description="the agent's MCP session, if it gave one")
    prev_hash: str
    hash: str


class InteractionFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity_type: str | None = Field(default=None, max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    actor_id: str | None = Field(default=None, max_length=64)
    action: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="one action (`tool.search`), or a family ending in a dot (`tool.`)",
        examples=["tool.search"],
    )
    outcome: Outcome | None = None
    session_id: str | None = Field(default=None, max_length=100, description="one MCP session")
    cursor: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="`next_cursor` of the last page"
    )
    limit: int = Field(default=50, ge=1, le=500)


class InteractionPage(BaseModel):
    items: list[InteractionRead]
    next_cursor: int | None


class ChainReport(BaseModel):
    ok: bool
    rows_checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
