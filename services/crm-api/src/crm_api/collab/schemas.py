"""The live feed's protocol: what a client sends (validated) and what it is told.

Client -> server (JSON text frames):
    {"type": "auth", "token": "<session token>"} or {"type": "auth", "api_key": "<key>"}
        first, unless the handshake carried Authorization or X-API-Key (non-browser clients)
    {"type": "subscribe", "view_id": null, "since": 123}   start the feed (since: resume)
    {"type": "presence", "view_id": "...", "cell": {"row_id": "...", "column": "fund:..."}}
    {"type": "lock", "row_id": "...", "column": "fund:...", "ttl": 30}    take or renew
    {"type": "unlock", "row_id": "...", "column": "fund:..."}
    {"type": "ping"}

Server -> client: ready, state (presence and locks), change (with seq), caught_up, reset (reload
the grid), presence / lock (op put|delete), lock_result, pong, error.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ColumnRef = Annotated[
    str,
    Field(
        max_length=100,
        pattern=r"^(fund:[A-Za-z0-9-]{1,36}|column:[a-z][a-z0-9_]{0,49}|field:[a-z_]{1,30})$",
    ),
]
Id = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9-]+$")]


class Auth(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["auth"]
    token: str | None = Field(default=None, max_length=4000)
    api_key: str | None = Field(default=None, max_length=200)


class Cell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row_id: Id
    column: ColumnRef


class Subscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["subscribe"]
    view_id: Id | None = None
    since: int | None = Field(default=None, ge=0, description="the last seq you saw")


class Presence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["presence"]
    view_id: Id | None = None
    cell: Cell | None = None


class Lock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["lock"]
    row_id: Id
    column: ColumnRef
    ttl: int = Field(default=30, ge=1, le=300, description="seconds; renew before it runs out")


class Unlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["unlock"]
    row_id: Id
    column: ColumnRef


class Ping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["ping"]


ClientMessage = Annotated[Subscribe | Presence | Lock | Unlock | Ping, Field(discriminator="type")]


class PresenceEntry(BaseModel):
    connection_id: str
    user_id: str
    name: str
    kind: str
    view_id: str | None
    cell: dict[str, str] | None
    instance: str
    at: str


class LockEntry(BaseModel):
    key: str
    row_id: str
    column: str
    user_id: str
    name: str
    connection_id: str
    acquired_at: str
    expires_at: str
    ttl: int


class LiveState(BaseModel):
    available: bool = Field(description="false while this instance is not connected to NATS")
    seq: int | None
    presence: list[PresenceEntry]
    locks: list[LockEntry]
