"""Authorization, declared on every route: `Depends(require(Access.X))`.

`require(level)` authenticates the request (a bearer session token, an `X-API-Key`, or, with
neither, the browser's session cookie and for a write its CSRF token: crm_api.auth.browser),
re-reads the user row, checks that the principal may use `level`, and counts the request against
the principal's rate limit. Each dependency it returns carries `__access__`, so the app can check at
startup that every route declared one (`assert_every_route_declares_access`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError

from crm_api.auth import browser, service
from crm_api.auth.errors import NotAllowed, NotAuthenticated
from crm_api.auth.network import client_ip
from crm_api.auth.principal import Access, Principal
from crm_api.auth.tokens import decode_token
from crm_common.db import Database

logger = logging.getLogger(__name__)

# The MCP gateway's session id (one per agent conversation): the interaction log keeps it, and
# crm_api.security keeps outside-text taint and proposals per session.
McpSession = Annotated[
    str | None,
    Header(
        alias="X-MCP-Session",
        min_length=1,
        max_length=100,
        description="The MCP gateway's session id: taint and proposals are per session",
    ),
]

bearer_scheme = HTTPBearer(auto_error=False, description="A session token from /api/auth/login")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (agents and services)"
)
session_cookie_scheme = APIKeyCookie(
    name=browser.SESSION_COOKIE,
    auto_error=False,
    description="The browser's session, set by POST /api/auth/session (HttpOnly). Counts only "
    "without Authorization and X-API-Key; POST, PUT, PATCH and DELETE also need the session's "
    f"{browser.CSRF_HEADER} header and no foreign Origin.",
)

ACCESS_ATTR = "__access__"


def _authenticate(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None,
    api_key: str | None,
) -> Principal:
    state = request.app.state
    db: Database = state.db
    config: service.AuthConfig = state.auth
    token = bearer.credentials if bearer is not None else browser.session_cookie(request)
    if api_key:
        with db.session() as session:
            principal, due = service.principal_from_api_key(session, key=api_key)
    elif token is not None:
        claims = decode_token(
            token,
            key=config.signing_key,
            audience=config.settings.jwt_audience,
            issuer=config.settings.jwt_issuer,
        )
        with db.session() as session:
            principal, due = service.principal_from_token(session, claims=claims)
        # After the session is known good, so an ended session is a 401 whatever the method.
        if bearer is None and request.method not in browser.SAFE_METHODS:
            browser.check_csrf(
                request,
                key=config.signing_key,
                session_id=claims.session_id,
                behind_tls=config.settings.behind_tls,
            )
    else:
        raise NotAuthenticated("sign in, or send an API key in X-API-Key")
    if due:
        try:
            with db.transaction() as session:
                service.touch_principal(session, principal=principal)
        except OperationalError as exc:
            # Last-seen is bookkeeping: a database busy with a long write must not fail a read.
            logger.warning("last-seen of %s not recorded: %s", principal.id, exc.orig)
    return principal


def same_origin_only(request: Request) -> None:
    """Refuses a request sent by another origin's page (a public route a browser calls: the
    cookie sign-in, where a forged login would sign the victim into the attacker's account)."""
    config: service.AuthConfig = request.app.state.auth
    browser.refuse_cross_origin(request, behind_tls=config.settings.behind_tls)


def require(level: Access) -> Callable[..., Any]:
    """The dependency that admits a principal allowed `level`, and returns it."""
    if level is Access.PUBLIC:

        async def public() -> None:  # async: no worker thread for a dependency that does nothing
            return None

        setattr(public, ACCESS_ATTR, level)
        return public

    def dependency(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
        # Read by _authenticate through browser.session_cookie; declared for the OpenAPI.
        _cookie: Annotated[str | None, Depends(session_cookie_scheme)],
    ) -> Principal:
        category = "read" if request.method in {"GET", "HEAD", "OPTIONS"} else "write"
        limits = request.app.state.rate_limits
        # The address is counted before authentication, so guessing credentials is limited too.
        trusted = tuple(request.app.state.auth.settings.trusted_proxies)
        limits.hit(category, f"ip:{client_ip(request, trusted)}")
        principal = _authenticate(request, bearer, api_key)
        if not principal.may(level):
            raise NotAllowed(f"this needs {level.value} access")
        limits.hit(category, f"principal:{principal.id}")
        request.state.principal = principal
        return principal

    setattr(dependency, ACCESS_ATTR, level)
    dependency.__name__ = f"require_{level.value}"
    return dependency


# One dependency object per level, so FastAPI caches it within a request.
_REQUIRED = {level: require(level) for level in Access}

Public = Annotated[None, Depends(_REQUIRED[Access.PUBLIC])]
Reader = Annotated[Principal, Depends(_REQUIRED[Access.READ])]
LoggedWriter = Annotated[Principal, Depends(_REQUIRED[Access.LOGGED_WRITE])]
Writer = Annotated[Principal, Depends(_REQUIRED[Access.WRITE])]
Admin = Annotated[Principal, Depends(_REQUIRED[Access.ADMIN])]


@dataclass(frozen=True)
class DeclaredRoute:
    path: str
    methods: frozenset[str]
    access: Access | None


def _declared_access(dependant: Dependant) -> Access | None:
    found: Any = getattr(dependant.call, ACCESS_ATTR, None)
    if isinstance(found, Access):
        return found
    for sub in dependant.dependencies:
        level = _declared_access(sub)
        if level is not None:
            return level
    return None


def declared_routes(app: FastAPI) -> list[DeclaredRoute]:
    """Every HTTP route of the app (included routers flattened) with the access it declared."""
    found = []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if not isinstance(dependant, Dependant) or context.path is None:
            continue
        found.append(
            DeclaredRoute(
                path=context.path,
                methods=frozenset(context.methods or ()),
                access=_declared_access(dependant),
            )
        )
    return found


def assert_every_route_declares_access(app: FastAPI) -> None:
    """Refuse to start an app with a route that declared no access level.

    Raises:
        RuntimeError: naming the routes without one.
    """
    missing = [
        f"{sorted(route.methods)} {route.path}"
        for route in declared_routes(app)
        if route.access is None
    ]
    if missing:
        raise RuntimeError(f"routes without an access declaration: {', '.join(missing)}")
