from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from crm_common.contracts.search import SearchMode

_Id = Annotated[str, Field(min_length=1, max_length=64)]


class SearchParams(BaseModel):
    """The query string of `GET /api/search`; a list parameter repeats (`contact_id=a&contact_id=b`)
    and matches any of its values."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=1000, description="what to look for, in plain words")
    mode: SearchMode = Field(
        default="hybrid",
        description="hybrid (dense and BM25 fused), dense, sparse (BM25), lexical (bge-m3 only)",
    )
    top_k: int = Field(default=10, ge=1, le=50, description="hits per page, one per record")
    cursor: str | None = Field(default=None, max_length=200, description="next_cursor of a page")
    entity_id: list[_Id] = Field(default_factory=list, max_length=50, description="canonical")
    contact_id: list[_Id] = Field(default_factory=list, max_length=50)
    organization_id: list[_Id] = Field(default_factory=list, max_length=50)
    fund_id: list[_Id] = Field(default_factory=list, max_length=50)
    source_kind: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list,
        max_length=20,
        description="communication, contact, organization, opportunity, lp_profile",
    )
    type: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=20, description="a communication's type"
    )
    author_id: list[_Id] = Field(default_factory=list, max_length=50, description="a user's id")
    since: AwareDatetime | None = Field(default=None, description="event time at or after")
    until: AwareDatetime | None = Field(default=None, description="event time before")
