from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from crm_api.auth.principal import Role, Scope

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    ),
]
# Length is checked by the password policy, so the message names the rule.
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class BootstrapStatus(BaseModel):
    setup_required: bool


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password
    email: EmailStr | None = None
    display_name: str = Field(default="", max_length=200)
    role: Role = Role.MEMBER


class RegisterFirstAdmin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password
    email: EmailStr | None = None
    display_name: str = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, max_length=200)


class UserRead(BaseModel):
    """A user as anyone signed in may see it: never a hash."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    email: str | None
    display_name: str
    role: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    session_id: str
    user: UserRead


class BrowserSession(BaseModel):
    """A browser's session. Its token is only in the HttpOnly cookie, never in a body."""

    user: UserRead
    session_id: str
    expires_at: datetime
    csrf_token: str = Field(
        description="send as X-CSRF-Token on every POST, PUT, PATCH and DELETE of this session; "
        "keep in memory only"
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    user_agent: str | None
    ip: str | None
    is_current: bool = False


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    expires_at: AwareDatetime | None = None
    owner_id: str | None = Field(default=None, description="admins may create keys for others")


class ApiKeyRead(BaseModel):
    """A key as listed: never the key or its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    owner_id: str
    created_by: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    allow_untrusted_writes: bool = Field(
        description="an agent session that read outside text may still write directly "
        "(flagged untrusted) instead of proposing"
    )
    rate_limit_per_minute: int | None = Field(
        description="requests a minute the MCP gateway allows this key; null: its default (120)"
    )


class ApiKeySettings(BaseModel):
    """An administrator's change to a key's settings (the fields given are set)."""

    model_config = ConfigDict(extra="forbid")

    allow_untrusted_writes: bool | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. Shown this once; only its hash is kept.")
