"""The browser app's routes: its hashed assets, its top-level files, and its page.

`web_dir` (CRM_API_WEB_DIR) holds Vite's build: `index.html`, a few top-level files
(favicon.svg, robots.txt) and content-hashed files under `assets/`. Every other GET outside /api
and /assets is one of the app's own routes (/contacts/123, /grid) and gets index.html: the app
routes in the browser. Files are looked up by Starlette's StaticFiles, which refuses any path that
resolves outside its folder. Every answer here is public: the page holds no data, the API does.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from crm_api.auth.dependencies import Public
from crm_api.webapp.errors import AppNotBuilt

# Vite names each file under assets/ by its content's hash, so a name never changes content.
ASSETS_CACHE = "public, max-age=31536000, immutable"
# Top-level files keep their names across builds: an upgrade reaches browsers within the hour.
FILE_CACHE = "public, max-age=3600"
# index.html names the current build's assets: revalidated (ETag) on every load.
PAGE_CACHE = "no-cache"
INDEX = "index.html"
# The page never answers under these, so they keep their own 404 and 405 problems.
_NOT_APP_ROUTES = ("/api", "/assets")


class _AppRoute(APIRoute):
    """A route matching no path under /api or /assets: an unknown API path stays a JSON 404, and
    a GET on a POST-only API path stays a 405, instead of becoming the app's page."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if any(path == prefix or path.startswith(prefix + "/") for prefix in _NOT_APP_ROUTES):
            return Match.NONE, {}
        return super().matches(scope)


async def _file(files: StaticFiles, path: str, scope: Scope) -> Response | None:
    """The regular file at `path` in the folder of `files`, or None."""
    try:
        return await files.get_response(path, scope)
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        return None


def web_app_router(web_dir: Path) -> APIRouter:
    """The routes serving the app built into `web_dir`; include it after every other router."""
    files = StaticFiles(directory=web_dir, check_dir=False)
    assets = StaticFiles(directory=web_dir / "assets", check_dir=False)
    router = APIRouter(include_in_schema=False)

    async def asset(_: Public, path: str, request: Request) -> Response:
        """A content-hashed file of the build; 404 when there is none."""
        response = await assets.get_response(path, request.scope)
        response.headers["Cache-Control"] = ASSETS_CACHE
        return response

    async def page(_: Public, path: str, request: Request) -> Response:
        """A top-level file of the build, else the app's page.

        Raises:
            AppNotBuilt: `web_dir` has no index.html.
        """
        if path and "/" not in path:
            response = await _file(files, path, request.scope)
            if response is not None:
                response.headers["Cache-Control"] = PAGE_CACHE if path == INDEX else FILE_CACHE
                return response
        response = await _file(files, INDEX, request.scope)
        if response is None:
            raise AppNotBuilt("the browser app is not built: run `make install`")
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    router.add_api_route("/assets/{path:path}", asset, methods=["GET"])
    router.add_api_route("/{path:path}", page, methods=["GET"], route_class_override=_AppRoute)
    return router
