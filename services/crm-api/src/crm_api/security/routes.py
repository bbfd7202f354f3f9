from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from crm_api.auth.dependencies import Admin
from crm_api.settings import MIN_SECRET_LENGTH, Settings

router = APIRouter(prefix="/api", tags=["security"])


class SecretStatus(BaseModel):
    source: str
    length_ok: bool


class RateLimitStatus(BaseModel):
    login: str
    write: str
    read: str


class SecurityStatus(BaseModel):
    env: str
    secret_key: SecretStatus
    token_ttl_minutes: int
    password_hashing: str
    cors_origins: list[str]
    cors_enabled: bool
    trusted_proxies: list[str]
    behind_tls: bool
    hsts: bool
    rate_limits: RateLimitStatus
    max_body_bytes: int
    integrations: dict[str, bool]


@router.get("/security/status", response_model=SecurityStatus)
def security_status(_: Admin, request: Request) -> SecurityStatus:
    """The live security posture of this crm-api process."""
    settings: Settings = request.app.state.auth.settings
    return SecurityStatus(
        env=settings.env,
        secret_key=SecretStatus(
            source=settings.secret_key_source,
            length_ok=len(request.app.state.auth.signing_key) >= MIN_SECRET_LENGTH,
        ),
        token_ttl_minutes=settings.token_ttl_minutes,
        password_hashing=(
            f"argon2id m={settings.argon2_memory_kib}KiB t={settings.argon2_time_cost} "
            f"p={settings.argon2_parallelism}"
        ),
        cors_origins=settings.cors_origins,
        cors_enabled=bool(settings.cors_origins),
        trusted_proxies=settings.trusted_proxies,
        behind_tls=settings.behind_tls,
        hsts=settings.behind_tls,
        rate_limits=RateLimitStatus(
            login=settings.rate_limit_login,
            write=settings.rate_limit_write,
            read=settings.rate_limit_read,
        ),
        max_body_bytes=settings.max_body_bytes,
        integrations=dict(request.app.state.integrations),
    )
