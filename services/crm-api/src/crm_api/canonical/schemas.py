from __future__ import annotations

from pydantic import BaseModel, Field


class CanonicalRecord(BaseModel):
    source_kind: str
    source_id: str
    match_kind: str
    confidence: float


class CanonicalRef(BaseModel):
    """The canonical entity a record belongs to, as the resolver last said."""

    entity_id: str
    kind: str
    display_name: str
    status: str
    is_lp: bool
    records: list[CanonicalRecord] = Field(
        description="Every source record of the entity (this one included)"
    )
