"""The shapes of saved views: a list key, a name, and the list's query parameters."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crm_api.kit.schemas import AggregateRead, Deleted

ListKey = Annotated[
    str,
    Field(
        max_length=50,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="which list (screen) the view belongs to: a lower-case slug",
        examples=["contacts", "audit", "follow-ups"],
    ),
]
ParamName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
ParamValue = Annotated[str, Field(max_length=1000)]
# A list's URL holds a search, a handful of filters and a sort: 40 is well above any list's
# filters today, and keeps a view small.
Params = Annotated[
    dict[ParamName, ParamValue],
    Field(max_length=40, description="the list's query parameters, name to value"),
]
ViewName = Annotated[str, Field(min_length=1, max_length=100)]


def _clean_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class SavedViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list_key: ListKey
    name: ViewName
    params: Params = Field(default_factory=dict)
    is_shared: bool = Field(default=False, description="visible to every user, or only to you")
    position: int | None = Field(
        default=None, ge=0, le=1_000_000, description="place in your menu; default: last"
    )

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return _clean_name(value)


class SavedViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ViewName | None = None
    params: Params | None = None
    is_shared: bool | None = None
    position: int | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)


class SavedViewRead(AggregateRead):
    owner_id: str
    owner_name: str = Field(description="the owner's display name, or username")
    list_key: str
    name: str
    params: dict[str, str]
    is_shared: bool
    position: int


class SavedViewList(BaseModel):
    items: list[SavedViewRead] = Field(description="yours first, by position; then the shared ones")


class SavedViewFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    list_key: ListKey | None = Field(default=None, alias="list", description="only this list's")
    deleted: Deleted = Field(default=Deleted.EXCLUDE, description="soft-deleted views (yours)")
