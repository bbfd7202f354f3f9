from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, field_validator

from crm_api.grid.conditions import CheckedCondition
from crm_api.grid.schemas import Flag
from crm_api.kit.schemas import AggregateRead, Text

ListKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        examples=["follow_up"],
        description="a lower-case identifier",
    ),
]


def _settable(field: str) -> str:
    if field == "lead_source" or (field.startswith("values.") and len(field) > len("values.")):
        return field
    raise ValueError("a rule sets lead_source or values.<column key>")


SettableField = Annotated[
    str, Field(max_length=60, examples=["values.region"]), AfterValidator(_settable)
]


class AddToList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["add_to_list"]
    list: ListKey


class RemoveFromList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["remove_from_list"]
    list: ListKey


class SetFlag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["set_flag"]
    flag: Flag
    value: bool = Field(default=True, description="false clears the flag")


class SetField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["set_field"]
    field: SettableField
    value: JsonValue = Field(description="null clears it; a column's value fits its type")


class CreateFollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["create_follow_up"]
    title: str = Field(min_length=1, max_length=300)
    due_in_days: int = Field(default=0, ge=0, le=3650)
    owner_id: str | None = Field(default=None, max_length=36)
    notes: Text = ""

    @field_validator("title")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


Action = Annotated[
    AddToList | RemoveFromList | SetFlag | SetField | CreateFollowUp,
    Field(discriminator="type"),
]
Actions = Annotated[list[Action], Field(max_length=20)]
ScheduleSeconds = Annotated[int, Field(ge=60, le=30 * 24 * 3600)]


class RuleDefinition(BaseModel):
    """What a rule does: if `condition` holds for a row, `actions`; else `otherwise`."""

    model_config = ConfigDict(extra="forbid")

    condition: CheckedCondition = Field(description="see docs/grid.md, Automations")
    actions: Actions = Field(default_factory=list)
    otherwise: Actions = Field(default_factory=list)


class GridRuleCreate(RuleDefinition):
    name: str = Field(min_length=1, max_length=200)
    description: Text = ""
    is_active: bool = True
    on_change: bool = Field(default=True, description="run when a row, cell or note changes")
    schedule_seconds: ScheduleSeconds | None = Field(
        default=None, description="also run over every row this often (seconds)"
    )
    position: int | None = Field(default=None, ge=0, le=10_000, description="order of running")

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GridRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: Text | None = None
    is_active: bool | None = None
    on_change: bool | None = None
    schedule_seconds: ScheduleSeconds | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    condition: CheckedCondition | None = None
    actions: Actions | None = None
    otherwise: Actions | None = None


class GridRuleRead(AggregateRead):
    name: str
    description: str
    is_active: bool
    is_builtin: bool
    on_change: bool
    schedule_seconds: int | None
    position: int
    condition: Any
    actions: list[dict[str, Any]]
    otherwise: list[dict[str, Any]]
    last_scheduled_at: datetime | None = None


class GridRuleList(BaseModel):
    items: list[GridRuleRead]


class GridRuleFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deleted: Literal["exclude", "include", "only"] = "exclude"


class RuleChange(BaseModel):
    row_id: str
    rule_id: str | None
    action: str
    target: str = Field(description="the list, flag, field or follow-up title")
    before: Any
    after: Any


class RuleRunRead(BaseModel):
    id: str
    rule_id: str | None
    trigger: Literal["change", "schedule", "manual", "dry_run"]
    is_dry_run: bool
    event_id: str | None
    actor: dict[str, Any]
    started_at: datetime
    finished_at: datetime
    status: Literal["ok", "error"]
    rows_evaluated: int
    rows_matched: int
    changes: list[RuleChange]
    error: str | None


class RuleRunFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str | None = Field(default=None, max_length=36)
    trigger: Literal["change", "schedule", "manual", "dry_run"] | None = None
    changed: bool | None = Field(default=None, description="only runs that changed something")
    before: datetime | None = Field(default=None, description="runs started before this")
    limit: int = Field(default=50, ge=1, le=500)


class RuleRunPage(BaseModel):
    items: list[RuleRunRead]
    next_before: datetime | None


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row_ids: list[Annotated[str, Field(max_length=36)]] | None = Field(
        default=None, max_length=1000, description="only these rows (default: every row)"
    )


class DraftDryRun(RuleDefinition):
    """A rule not saved yet, to see what it would change."""

    row_ids: list[Annotated[str, Field(max_length=36)]] | None = Field(
        default=None, max_length=1000
    )


# -- lists --------------------------------------------------------------------------------------


class GridListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: ListKey
    name: str = Field(min_length=1, max_length=200)
    description: Text = ""


class GridListUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: Text | None = None


class GridListRead(AggregateRead):
    key: str
    name: str
    description: str
    is_builtin: bool
    members: int = Field(default=0, description="live rows on the list")


class GridListIndex(BaseModel):
    items: list[GridListRead]


class GridListMemberRead(AggregateRead):
    list_id: str
    list_key: str
    row_id: str
    rule_id: str | None


class MemberFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deleted: Literal["exclude", "include", "only"] = Field(
        default="exclude", description="include: also the rows that left the list"
    )
    cursor: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=200, ge=1, le=5000)


class MemberPage(BaseModel):
    items: list[GridListMemberRead]
    next_cursor: str | None
    total: int
