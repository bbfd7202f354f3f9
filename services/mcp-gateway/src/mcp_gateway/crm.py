"""crm-api over HTTP, as the calling agent: its key on every request, the MCP session beside it.

The gateway holds no credentials of its own and reads no database: every read and write is a
crm-api request made with the agent's key, so crm-api authorizes it, redacts for it and records
it as the actor. Problem details (RFC 9457) become the gateway's errors (`mcp_gateway.errors`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from mcp_gateway.errors import Conflict, Denied, GatewayError, Invalid, NotFound, Unavailable

logger = logging.getLogger(__name__)
# httpx2 logs every request's URL at INFO, and a search's URL holds the agent's query.
logging.getLogger("httpx2").setLevel(logging.WARNING)

Params = Mapping[str, str | int | float | bool | list[str] | None]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


def _problem_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    parts = [str(body.get("title") or response.reason_phrase)]
    if body.get("detail"):
        parts.append(str(body["detail"]))
    return ": ".join(parts)


def error_for(response: httpx.Response) -> GatewayError:
    """The gateway error that a crm-api refusal stands for."""
    text = _problem_text(response)
    status = response.status_code
    if status in (401, 403):
        return Denied(text)
    if status == 404:
        return NotFound(text)
    if status in (409, 412, 428):
        return Conflict(text)
    if status in (400, 413, 422):
        return Invalid(text)
    if status == 429:
        return Denied(f"crm-api rate limit: {text}")
    return Unavailable(f"crm-api answered {status}: {text}")


class CrmApi:
    """One connection pool to crm-api, shared by every caller of the gateway."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport, follow_redirects=False
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        key: str,
        session_id: str,
        params: Params | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        accept: tuple[int, ...] = (),
    ) -> Reply:
        """Send one request as the agent; a 2xx (or a status in `accept`) is the answer.

        Raises:
            GatewayError: the subclass for crm-api's refusal, or `Unavailable` when it cannot
                be reached.
        """
        sent = {"X-API-Key": key, "X-MCP-Session": session_id, "Accept": "application/json"}
        sent.update(headers or {})
        query = {k: v for k, v in (params or {}).items() if v is not None and v != []}
        try:
            response = await self._client.request(
                method, path, params=query, json=body, headers=sent
            )
        except httpx.TimeoutException as exc:
            raise Unavailable(f"crm-api did not answer {method} {path} in time") from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"crm-api is unreachable: {type(exc).__name__}") from exc
        if response.is_success or response.status_code in accept:
            content = response.json() if response.content else None
            return Reply(response.status_code, content, dict(response.headers))
        raise error_for(response)

    async def get(
        self, path: str, *, key: str, session_id: str, params: Params | None = None
    ) -> Any:
        return (await self.request("GET", path, key=key, session_id=session_id, params=params)).body
