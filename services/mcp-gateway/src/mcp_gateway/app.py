"""The HTTP face of mcp-gateway: `/health` and `/metrics`."""

from __future__ import annotations

from fastapi import FastAPI

from crm_common.http import health_app
from crm_common.runtime import ServiceRuntime
from mcp_gateway import __version__
from mcp_gateway.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    runtime = ServiceRuntime(settings=settings, db=None)
    return health_app(runtime, version=__version__, title="mcp-gateway")
