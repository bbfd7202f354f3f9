"""Idempotency-Key on creates: a replay gets the first answer, and nothing is created twice.

The first request's status and body are stored with the key, per principal. The same key with a
different body is refused (409). Keys are kept 48 hours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.database import utcnow
from crm_api.kit import repository
from crm_api.kit.errors import IdempotencyConflict
from crm_api.kit.models import IdempotencyRecord

RETENTION = timedelta(hours=48)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Makes a create safe to retry: a replay returns the first answer.",
    ),
]


def _digest(scope: str, body: Any) -> str:
    return hashlib.sha256(
        json.dumps([scope, body], sort_keys=True, default=str, separators=(",", ":")).encode()
    ).hexdigest()


def run_once(
    session: Session,
    *,
    principal: Principal,
    key: str | None,
    scope: str,
    request: Any,
    status: int,
    run: Callable[[], Any],
    status_of: Callable[[Any], int] | None = None,
) -> JSONResponse:
    """Answer a create: the stored answer for a replayed key, else run it and store the answer.

    `status_of`, when given, picks the status from the answer (201 applied, 202 held, ...).

    Raises:
        IdempotencyConflict: the key was used for a different request.
    """
    if key is not None:
        digest = _digest(scope, request)
        stored = repository.idempotency_record(session, principal_id=principal.id, key=key)
        if stored is not None and stored.created_at > utcnow() - RETENTION:
            if stored.request_digest != digest or stored.scope != scope:
                raise IdempotencyConflict("this Idempotency-Key was used for another request")
            headers = _etag(stored.body) | {"Idempotent-Replayed": "true"}
            return JSONResponse(stored.body, status_code=stored.status, headers=headers)
        if stored is not None:
            session.delete(stored)
            session.flush()
    body = run()
    if status_of is not None:
        status = status_of(body)
    if key is not None:
        record = IdempotencyRecord(
            principal_id=principal.id,
            key=key,
            scope=scope,
            request_digest=digest,
            status=status,
            body=body,
            created_at=utcnow(),
        )
        session.add(record)
        try:
            session.flush()
        except IntegrityError as exc:
            # The same key is being answered by a concurrent request; this one writes nothing.
            raise IdempotencyConflict("a request with this Idempotency-Key is in flight") from exc
    return JSONResponse(body, status_code=status, headers=_etag(body))


def _etag(body: Any) -> dict[str, str]:
    if isinstance(body, dict) and isinstance(body.get("version"), int):
        return {"ETag": f'"{body["version"]}"'}
    return {}
