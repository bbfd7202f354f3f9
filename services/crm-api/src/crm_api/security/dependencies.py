"""Marking answers that carry text from outside the fund (per MCP session: X-MCP-Session)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from crm_api.auth.dependencies import McpSession, Reader
from crm_api.security.taint import SessionTaints


class ServedContent:
    """What a route served: outside text unless the route says it served none."""

    def __init__(self) -> None:
        self.has_outside_text = True

    def served(self, *, has_outside_text: bool) -> None:
        self.has_outside_text = has_outside_text


def _source(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or request.url.path
    return f"{request.method} {path}"[:100]


def _untrusted_content(
    request: Request, principal: Reader, mcp_session: McpSession = None
) -> Iterator[ServedContent]:
    served = ServedContent()
    yield served
    # Reached only when the route answered: a 404 serves nothing.
    if principal.api_key_id is None or not served.has_outside_text:
        return
    taints: SessionTaints = request.app.state.session_taints
    taints.mark(
        request.app.state.db,
        api_key_id=principal.api_key_id,
        session_id=mcp_session or "",
        source=_source(request),
    )
    request.state.content_trust = "untrusted"


# Function scope: the session is marked before the answer leaves, so the agent's next request
# already finds it tainted.
UntrustedContent = Annotated[ServedContent, Depends(_untrusted_content, scope="function")]
untrusted_content = Depends(_untrusted_content, scope="function")
