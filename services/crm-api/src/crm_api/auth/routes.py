"""Routes: first run, sign-in (bearer and browser), sessions, users, API keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status

from crm_api.auth import browser, keys, service, sessions
from crm_api.auth.dependencies import Admin, Public, Reader, Writer, same_origin_only
from crm_api.auth.errors import NotAllowed
from crm_api.auth.models import AuthSession, User
from crm_api.auth.network import client_ip
from crm_api.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    ApiKeySettings,
    BootstrapStatus,
    BrowserSession,
    LoginRequest,
    PasswordChange,
    RegisterFirstAdmin,
    SessionRead,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from crm_api.database import ReadSession, WriteSession

router = APIRouter(prefix="/api", tags=["identity"])


def _auth(request: Request) -> service.AuthConfig:
    config: service.AuthConfig = request.app.state.auth
    return config


def _ip(request: Request) -> str:
    return client_ip(request, tuple(_auth(request).settings.trusted_proxies))


@router.get("/bootstrap/status", response_model=BootstrapStatus)
def bootstrap_status(_: Public, session: ReadSession) -> BootstrapStatus:
    """Whether the first administrator still has to be created."""
    return BootstrapStatus(setup_required=service.setup_required(session))


@router.post("/auth/register", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def register(
    _: Public, request: Request, body: RegisterFirstAdmin, session: WriteSession
) -> UserRead:
    """Create the first user, as administrator. Refused once setup is done."""
    request.app.state.rate_limits.hit("login", f"ip:{_ip(request)}")
    user = service.register_first_admin(session, config=_auth(request), data=body)
    return UserRead.model_validate(user)


@router.post("/auth/login", response_model=TokenResponse)
def login(_: Public, request: Request, body: LoginRequest, session: WriteSession) -> TokenResponse:
    """Exchange a username and password for a session token."""
    request.app.state.rate_limits.hit("login", f"ip:{_ip(request)}", f"user:{body.username}")
    user, auth_session, token = sessions.login(
        session,
        config=_auth(request),
        username=body.username,
        password=body.password,
        user_agent=request.headers.get("user-agent"),
        ip=_ip(request),
        channel="POST /api/auth/login",
    )
    return TokenResponse(
        access_token=token,
        expires_at=auth_session.expires_at,
        session_id=auth_session.id,
        user=UserRead.model_validate(user),
    )


def _browser_session(
    config: service.AuthConfig, user: User, auth_session: AuthSession
) -> BrowserSession:
    return BrowserSession(
        user=UserRead.model_validate(user),
        session_id=auth_session.id,
        expires_at=auth_session.expires_at,
        csrf_token=browser.csrf_token(key=config.signing_key, session_id=auth_session.id),
    )


def _sets_cookie(status_code: int, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        status_code: {
            "headers": {"Set-Cookie": {"description": what, "schema": {"type": "string"}}}
        }
    }


@router.post(
    "/auth/session",
    response_model=BrowserSession,
    dependencies=[Depends(same_origin_only)],
    responses=_sets_cookie(
        200, f"{browser.SESSION_COOKIE}: the session token; HttpOnly, SameSite=Strict, Path=/"
    ),
)
def sign_in_browser(
    _: Public, request: Request, response: Response, body: LoginRequest, session: WriteSession
) -> BrowserSession:
    """Sign in from the browser: the session token goes into an HttpOnly cookie (`crm_session`),
    never into the body; the answer carries the CSRF token the session's writes must send."""
    request.app.state.rate_limits.hit("login", f"ip:{_ip(request)}", f"user:{body.username}")
    config = _auth(request)
    user, auth_session, token = sessions.login(
        session,
        config=config,
        username=body.username,
        password=body.password,
        user_agent=request.headers.get("user-agent"),
        ip=_ip(request),
        channel="POST /api/auth/session",
    )
    browser.set_session_cookie(
        response,
        token=token,
        expires_at=auth_session.expires_at,
        secure=config.settings.behind_tls,
    )
    return _browser_session(config, user, auth_session)


@router.get("/auth/session", response_model=BrowserSession)
def browser_session(principal: Reader, request: Request, session: ReadSession) -> BrowserSession:
    """The session this request came with, and its CSRF token: how the app restores itself after
    a reload. 403 for an API key, which has no session."""
    user, auth_session = sessions.current_session(session, principal=principal)
    return _browser_session(_auth(request), user, auth_session)


@router.delete(
    "/auth/session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_sets_cookie(204, f"{browser.SESSION_COOKIE}, expired: the browser drops it"),
)
def sign_out_browser(
    principal: Reader, request: Request, response: Response, session: WriteSession
) -> None:
    """Sign out: end the session this request came with, and clear the cookie."""
    if principal.session_id is None:
        raise NotAllowed("API keys have no session; revoke the key instead")
    sessions.end_session(session, session_id=principal.session_id, by=principal, reason="logout")
    browser.clear_session_cookie(response, secure=_auth(request).settings.behind_tls)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(principal: Reader, session: WriteSession) -> None:
    """End the session of the token that made this request."""
    if principal.session_id is None:
        raise NotAllowed("API keys have no session; revoke the key instead")
    sessions.end_session(session, session_id=principal.session_id, by=principal, reason="logout")


@router.get("/auth/me", response_model=UserRead)
def me(principal: Reader, session: ReadSession) -> UserRead:
    """The signed-in user (for an API key: its owner)."""
    return UserRead.model_validate(service.get_user(session, user_id=principal.user_id))


@router.get("/auth/key", response_model=ApiKeyRead)
def my_key(principal: Reader, session: ReadSession) -> ApiKeyRead:
    """The API key this request came with: its scopes and settings (404 for a signed-in user)."""
    return ApiKeyRead.model_validate(keys.own_api_key(session, principal=principal))


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    principal: Writer, request: Request, body: PasswordChange, session: WriteSession
) -> None:
    """Change your password; your other sessions end."""
    request.app.state.rate_limits.hit("login", f"user:{principal.user_id}")
    service.change_password(
        session,
        config=_auth(request),
        by=principal,
        current=body.current_password,
        new=body.new_password,
    )


@router.get("/auth/sessions", response_model=list[SessionRead])
def my_sessions(principal: Writer, session: ReadSession) -> list[SessionRead]:
    """Your active sessions."""
    return [
        SessionRead.model_validate(s).model_copy(
            update={"is_current": s.id == principal.session_id}
        )
        for s in sessions.list_sessions(session, user_id=principal.user_id)
    ]


@router.delete("/auth/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_my_session(principal: Writer, session_id: str, session: WriteSession) -> None:
    """End one of your sessions (on another device, say)."""
    sessions.end_session(session, session_id=session_id, by=principal, reason="ended by user")


@router.get("/users", response_model=list[UserRead])
def list_users(_: Reader, session: ReadSession) -> list[UserRead]:
    """Every user, for owner pickers. Never a password hash."""
    return [UserRead.model_validate(u) for u in service.list_users(session)]


@router.post("/admin/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(
    principal: Admin, request: Request, body: UserCreate, session: WriteSession
) -> UserRead:
    user = service.create_user(session, config=_auth(request), data=body, by=principal)
    return UserRead.model_validate(user)


@router.patch("/admin/users/{user_id}", response_model=UserRead)
def update_user(
    principal: Admin, user_id: str, body: UserUpdate, session: WriteSession
) -> UserRead:
    """Change a user's role, profile or activity; deactivating ends their sessions at once."""
    return UserRead.model_validate(
        service.update_user(session, user_id=user_id, changes=body, by=principal)
    )


@router.get("/admin/users/{user_id}/sessions", response_model=list[SessionRead])
def user_sessions(_: Admin, user_id: str, session: ReadSession) -> list[SessionRead]:
    return [SessionRead.model_validate(s) for s in sessions.list_sessions(session, user_id=user_id)]


@router.delete("/admin/users/{user_id}/sessions", status_code=status.HTTP_204_NO_CONTENT)
def end_user_sessions(principal: Admin, user_id: str, session: WriteSession) -> None:
    """End every session of a user."""
    sessions.end_user_sessions(session, user_id=user_id, by=principal)


@router.delete("/admin/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_any_session(principal: Admin, session_id: str, session: WriteSession) -> None:
    sessions.end_session(session, session_id=session_id, by=principal, reason="ended by admin")


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
def create_api_key(principal: Writer, body: ApiKeyCreate, session: WriteSession) -> ApiKeyCreated:
    """Create an API key for an agent or a service. The key is in this answer only."""
    return keys.create_api_key(session, data=body, by=principal)


@router.get("/api-keys", response_model=list[ApiKeyRead])
def my_api_keys(principal: Writer, session: ReadSession) -> list[ApiKeyRead]:
    """Your keys (never the keys themselves)."""
    return [
        ApiKeyRead.model_validate(k)
        for k in keys.list_api_keys(session, owner_id=principal.user_id)
    ]


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyRead)
def revoke_my_api_key(principal: Writer, key_id: str, session: WriteSession) -> ApiKeyRead:
    return ApiKeyRead.model_validate(keys.revoke_api_key(session, key_id=key_id, by=principal))


@router.get("/admin/api-keys", response_model=list[ApiKeyRead])
def all_api_keys(_: Admin, session: ReadSession) -> list[ApiKeyRead]:
    return [ApiKeyRead.model_validate(k) for k in keys.list_api_keys(session, owner_id=None)]


@router.post("/admin/api-keys/{key_id}/revoke", response_model=ApiKeyRead)
def revoke_any_api_key(principal: Admin, key_id: str, session: WriteSession) -> ApiKeyRead:
    return ApiKeyRead.model_validate(keys.revoke_api_key(session, key_id=key_id, by=principal))


@router.patch("/admin/api-keys/{key_id}", response_model=ApiKeyRead)
def update_api_key(
    principal: Admin, key_id: str, body: ApiKeySettings, session: WriteSession
) -> ApiKeyRead:
    """Set a key's `allow_untrusted_writes` and `rate_limit_per_minute` (null: the default)."""
    return ApiKeyRead.model_validate(
        keys.update_api_key_settings(session, key_id=key_id, changes=body, by=principal)
    )
