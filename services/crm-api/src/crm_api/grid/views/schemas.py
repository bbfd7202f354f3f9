"""The shapes of saved views, and the column refs they name."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crm_api.grid.conditions import CheckedCondition, FieldPath
from crm_api.grid.schemas import (
    AmountField,
)
from crm_api.kit.schemas import AggregateRead

FIELD_COLUMNS = {
    "investor": "Investor",
    "contacts": "Contacts",
    "lead_source": "Lead source",
    "flags": "Flags",
    "lists": "Lists",
    "notes": "Outreach notes",
    "last_touch_at": "Last touch",
}
ColumnRef = Annotated[
    str,
    Field(
        max_length=100,
        pattern=r"^(fund:[A-Za-z0-9-]{1,36}|column:[a-z][a-z0-9_]{0,49}|field:("
        + "|".join(FIELD_COLUMNS)
        + "))$",
        examples=["field:investor", "fund:0193...", "column:region"],
        description="field:<name>, fund:<fund id> or column:<custom column key>",
    ),
]


class SortKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: FieldPath
    direction: Literal["asc", "desc"] = "asc"


class GridViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    is_shared: bool = Field(default=False, description="shared with everyone, or personal")
    list_key: str | None = Field(
        default=None, max_length=50, description="only the rows on this list"
    )
    filters: CheckedCondition | None = Field(
        default=None, description="a condition (see docs/grid.md); null: every row"
    )
    sorts: list[SortKey] = Field(default_factory=list, max_length=5)
    columns: list[ColumnRef] | None = Field(
        default=None, max_length=200, description="visible columns in order; null: all"
    )
    group_by: FieldPath | None = None
    frozen_columns: int = Field(default=0, ge=0, le=20)
    amount_field: AmountField = AmountField.COMMITTED

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GridViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_shared: bool | None = None
    list_key: str | None = Field(default=None, max_length=50)
    filters: CheckedCondition | None = None
    sorts: list[SortKey] | None = Field(default=None, max_length=5)
    columns: list[ColumnRef] | None = Field(default=None, max_length=200)
    group_by: FieldPath | None = None
    frozen_columns: int | None = Field(default=None, ge=0, le=20)
    amount_field: AmountField | None = None


class GridViewRead(AggregateRead):
    name: str
    owner_id: str
    is_shared: bool
    list_key: str | None
    filters: Any
    sorts: list[SortKey]
    columns: list[str] | None
    group_by: str | None
    frozen_columns: int
    amount_field: str


class GridViewFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["all", "mine", "shared"] = Field(
        default="all", description="all: your own and the shared ones"
    )
    deleted: Literal["exclude", "include", "only"] = "exclude"


class GridViewList(BaseModel):
    items: list[GridViewRead]
