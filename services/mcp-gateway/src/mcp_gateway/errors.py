"""What a tool call can fail with, each with the outcome the interaction log records.

    GatewayError            a tool error the model can read and act on; outcome `error`
    ├── Denied              the key may not do this (scope, revoked key); outcome `denied`
    │   └── RateLimited     the key's calls per minute are spent; outcome `denied`
    ├── NotFound            no such record in the CRM
    ├── Invalid             crm-api or the gateway refused the arguments (400, 422)
    ├── Conflict            the record changed meanwhile (409, 412): read it again
    └── Unavailable         crm-api or a service behind it is down (5xx, timeouts)

They are the SDK's `ToolError`, which it turns into an `isError` result whose text the model
reads (any other exception's text stays on the server); protocol failures stay `MCPError`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from mcp.server.mcpserver.exceptions import ToolError

Outcome = Literal["ok", "error", "denied", "proposed", "dry_run"]


class GatewayError(ToolError):
    outcome: ClassVar[Outcome] = "error"


class Denied(GatewayError):
    outcome: ClassVar[Outcome] = "denied"


class RateLimited(Denied):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit reached for this key: retry in {retry_after:.1f} s")
        self.retry_after = retry_after


class NotFound(GatewayError):
    pass


class Invalid(GatewayError):
    pass


class Conflict(GatewayError):
    pass


class Unavailable(GatewayError):
    pass
