"""The HTTP face of mcp-gateway: `/health`, `/metrics`, and MCP over streamable HTTP at `/mcp`,
where every request carries the agent's crm-api key (`X-API-Key` or `Authorization: Bearer`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2 as httpx
from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from crm_common.errors import PROBLEM_JSON
from crm_common.http import health_router, lifespan_for, metrics_router, runtime_checks
from crm_common.runtime import ServiceRuntime
from mcp_gateway import __version__
from mcp_gateway.calls import Gateway, key_from_headers
from mcp_gateway.crm import CrmApi
from mcp_gateway.errors import Denied, GatewayError
from mcp_gateway.identity import KeyDirectory
from mcp_gateway.server import build_server
from mcp_gateway.settings import Settings


def build_gateway(
    settings: Settings, *, stdio: bool = False, transport: httpx.AsyncBaseTransport | None = None
) -> Gateway:
    """The gateway's shared parts; only `stdio` serves the configured key (over HTTP each
    request brings its own)."""
    crm = CrmApi(
        settings.crm_api_url, timeout=settings.request_timeout_seconds, transport=transport
    )
    return Gateway(
        settings=settings,
        crm=crm,
        keys=KeyDirectory(crm, ttl_seconds=settings.identity_ttl_seconds),
        stdio_key=settings.api_key.get_secret_value() if stdio and settings.api_key else None,
    )


class RequireKey:
    """Refuses an MCP request without a key crm-api accepts, before the MCP layer sees it."""

    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        key = key_from_headers(headers)
        status, detail = 401, "send the agent's crm-api key as X-API-Key or a bearer token"
        if key is not None:
            try:
                _key, session = self.gateway.credentials(headers)
                await self.gateway.keys.lookup(key, session_id=session)
            except Denied as exc:
                detail = str(exc)
            except GatewayError as exc:
                status, detail = 503, str(exc)
            else:
                await self.app(scope, receive, send)
                return
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Unauthorized" if status == 401 else "Unavailable",
                "status": status,
                "detail": detail,
            }
        ).encode()
        response_headers = [(b"content-type", PROBLEM_JSON.encode())]
        if status == 401:
            response_headers.append((b"www-authenticate", b'Bearer realm="lp-crm"'))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings, *, gateway: Gateway | None = None) -> FastAPI:
    runtime = ServiceRuntime(settings=settings, db=None)
    gateway = gateway or build_gateway(settings)
    server = build_server(gateway)
    # Builds the session manager; its own Starlette app is not used, only its ASGI handler.
    # Plain JSON answers, not an SSE stream per request: no tool streams progress, and it took
    # about 6 ms off each call (bench/mcp.py).
    server.streamable_http_app(
        streamable_http_path=settings.mcp_path, host=settings.host, json_response=True
    )
    runtime_lifespan = lifespan_for(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(app), server.session_manager.run():
            try:
                yield
            finally:
                await gateway.crm.aclose()

    app = FastAPI(title="mcp-gateway", version=__version__, lifespan=lifespan)
    app.include_router(
        health_router(
            service=settings.service_name, version=__version__, checks=runtime_checks(runtime)
        )
    )
    app.include_router(metrics_router())
    app.router.routes.append(
        Route(
            settings.mcp_path,
            endpoint=RequireKey(StreamableHTTPASGIApp(server.session_manager), gateway),
            methods=["GET", "POST", "DELETE"],
        )
    )
    app.state.runtime = runtime
    app.state.gateway = gateway
    return app
