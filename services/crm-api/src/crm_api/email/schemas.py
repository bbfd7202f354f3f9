from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_common.contracts.gmail import AuthKind

AccountAction = Literal["pause", "resume", "remove", "opt-out", "opt-in"]


class EnrollBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Whose mailbox: none for your own; another user's needs admin",
    )
    auth_kind: AuthKind = Field(
        default="service_account",
        description="oauth: the user authorizes through /api/email/oauth/start",
    )


class SyncRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="None: every active account (admin); your own mailbox's id: only it",
    )


class MessagesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200, description="next_cursor of a page")
