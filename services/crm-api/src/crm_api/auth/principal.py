"""Who is calling: a signed-in user, or an agent or service with an API key."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from crm_common.events import Actor

# crm-api itself, for work no principal asked for (the command line, the backup scheduler).
SYSTEM = Actor(kind="service", id="crm-api", name="crm-api")


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    AGENT = "agent"


class Scope(StrEnum):
    READ = "read"
    WRITE_LOGGED = "write:logged"
    ADMIN = "admin"
    # The original values behind redaction placeholders in search results (account and routing
    # numbers, tax ids, ...): users see them; an API key only with this scope (docs/redaction.md).
    READ_SENSITIVE = "read:sensitive"


class Access(StrEnum):
    """What a route requires, declared where the route is declared.

    public        anyone, no credentials
    read          any principal; an API key needs the `read` scope
    logged_write  users, and API keys with `write:logged`: writes that land in the interaction log
    write         users (and admin-scoped service keys): every other write
    admin         admins, and API keys with the `admin` scope
    """

    PUBLIC = "public"
    READ = "read"
    LOGGED_WRITE = "logged_write"
    WRITE = "write"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "agent"]
    id: str
    name: str
    role: Role
    user_id: str
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    session_id: str | None = None
    api_key_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN or Scope.ADMIN in self.scopes

    @property
    def may_see_sensitive(self) -> bool:
        """Whether redacted values are shown to it: signed-in users (admins and members) yes; an
        API key only with `read:sensitive` (or `admin`, which may do anything)."""
        if self.kind == "user":
            return True
        return bool({Scope.READ_SENSITIVE, Scope.ADMIN} & self.scopes)

    @property
    def actor(self) -> Actor:
        return Actor(kind=self.kind, id=self.id, name=self.name)

    def may(self, access: Access) -> bool:
        if access is Access.PUBLIC:
            return True
        if self.kind == "user":
            return access is not Access.ADMIN or self.role is Role.ADMIN
        if Scope.ADMIN in self.scopes:
            return True
        if access is Access.READ:
            return Scope.READ in self.scopes
        if access is Access.LOGGED_WRITE:
            return Scope.WRITE_LOGGED in self.scopes
        return False
