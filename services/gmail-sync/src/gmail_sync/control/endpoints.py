"""`gmail.status`, `gmail.accounts.*`, `gmail.oauth.*`, `gmail.sync.run`, `gmail.rematch` and
`gmail.messages.mark_private`: the request-reply surface crm-api's /api/email routes call (they
authorize the person; this service trusts its callers on the bus, as every service here does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import gmail as contract
from crm_common.db import Database
from crm_common.errors import ServiceUnavailable
from gmail_sync.accounts import oauth
from gmail_sync.accounts import service as accounts
from gmail_sync.accounts.crypto import TokenCipher
from gmail_sync.control import service as control
from gmail_sync.mail import service as mail
from gmail_sync.settings import Settings
from gmail_sync.sync.scheduler import SyncScheduler

Req = TypeVar("Req", bound=BaseModel)
Resp = TypeVar("Resp", bound=BaseModel)


class SyncNotRunning(ServiceUnavailable):
    title = "Sync not running"
    slug = "sync-not-running"


def endpoints(
    db: Database, settings: Settings, scheduler: Callable[[], SyncScheduler | None]
) -> list[Endpoint[Any, Any]]:
    cipher = TokenCipher.from_settings(settings)

    def reads(work: Callable[[Session, Req], Resp]) -> Callable[[Req], Any]:
        def run(request: Req) -> Resp:
            with db.session() as session:
                return work(session, request)

        async def handle(request: Req) -> Resp:
            return await asyncio.to_thread(run, request)

        return handle

    def writes(work: Callable[[Session, Req], Resp]) -> Callable[[Req], Any]:
        def run(request: Req) -> Resp:
            with db.transaction() as session:
                return work(session, request)

        async def handle(request: Req) -> Resp:
            return await asyncio.to_thread(run, request)

        return handle

    def status(session: Session, request: contract.StatusRequest) -> contract.StatusResponse:
        return control.status(session, settings, runs=request.runs)

    def enroll(session: Session, request: contract.EnrollRequest) -> contract.AccountRead:
        account = accounts.enroll(
            session, user_id=request.user_id, email=request.email, auth_kind=request.auth_kind
        )
        return control.account_read(session, account)

    def enroll_all(
        session: Session, request: contract.EnrollAllRequest
    ) -> contract.AccountsResponse:
        enrolled = []
        for user in request.users:
            existing = accounts.by_user(session, user_id=user.user_id)
            if existing is not None and existing.status in ("removed", "error"):
                enrolled.append(existing)  # a person removed it, or must act on it: leave it
                continue
            enrolled.append(
                accounts.enroll(
                    session, user_id=user.user_id, email=user.email, auth_kind="service_account"
                )
            )
        return contract.AccountsResponse(
            accounts=[control.account_read(session, a) for a in enrolled]
        )

    def change(session: Session, request: contract.AccountChangeRequest) -> contract.AccountRead:
        account = control.change(session, account_id=request.account_id, action=request.action)
        return control.account_read(session, account)

    def oauth_start(
        session: Session, request: contract.OAuthStartRequest
    ) -> contract.OAuthStartResponse:
        started = oauth.start(
            session, settings, cipher, user_id=request.user_id, email=request.email
        )
        return contract.OAuthStartResponse(url=started.url, expires_at=started.expires_at)

    def oauth_finish(
        session: Session, request: contract.OAuthFinishRequest
    ) -> contract.AccountRead:
        account = oauth.finish(session, settings, cipher, state=request.state, code=request.code)
        return control.account_read(session, account)

    def rematch(session: Session, _request: contract.RematchRequest) -> contract.RematchResponse:
        return contract.RematchResponse(flagged=mail.flag_all(session))

    def mark_private(
        session: Session, request: contract.MarkPrivateRequest
    ) -> contract.GmailMessageData:
        message = mail.mark_private(session, email_id=request.id, user_id=request.user_id)
        return mail.state(session, message)

    async def sync_run(request: contract.SyncRunRequest) -> contract.SyncRunResponse:
        running = scheduler()
        if running is None:
            raise SyncNotRunning("the sync starts once the service is connected to NATS")

        def targets() -> list[str]:
            with db.session() as session:
                if request.account_id is not None:
                    return [accounts.get(session, account_id=request.account_id).id]
                return [a.id for a in accounts.list_accounts(session, only_synced=True)]

        queued = await asyncio.to_thread(targets)
        for account_id in queued:
            running.sync_now(account_id)
        return contract.SyncRunResponse(queued=queued)

    return [
        Endpoint(
            "status",
            contract.SUBJECT_STATUS,
            contract.StatusRequest,
            contract.StatusResponse,
            reads(status),
            "Accounts, recent runs, counts",
        ),
        Endpoint(
            "enroll",
            contract.SUBJECT_ACCOUNTS_ENROLL,
            contract.EnrollRequest,
            contract.AccountRead,
            writes(enroll),
            "Enrol one user's mailbox",
        ),
        Endpoint(
            "enroll-all",
            contract.SUBJECT_ACCOUNTS_ENROLL_ALL,
            contract.EnrollAllRequest,
            contract.AccountsResponse,
            writes(enroll_all),
            "Enrol every active user (service account)",
        ),
        Endpoint(
            "change",
            contract.SUBJECT_ACCOUNTS_CHANGE,
            contract.AccountChangeRequest,
            contract.AccountRead,
            writes(change),
            "Pause, resume, remove, opt out or in",
        ),
        Endpoint(
            "oauth-start",
            contract.SUBJECT_OAUTH_START,
            contract.OAuthStartRequest,
            contract.OAuthStartResponse,
            writes(oauth_start),
            "Start a user's OAuth grant",
        ),
        Endpoint(
            "oauth-finish",
            contract.SUBJECT_OAUTH_FINISH,
            contract.OAuthFinishRequest,
            contract.AccountRead,
            writes(oauth_finish),
            "Finish it from Google's redirect",
        ),
        Endpoint(
            "sync-run",
            contract.SUBJECT_SYNC_RUN,
            contract.SyncRunRequest,
            contract.SyncRunResponse,
            sync_run,
            "Sync now",
        ),
        Endpoint(
            "rematch",
            contract.SUBJECT_REMATCH,
            contract.RematchRequest,
            contract.RematchResponse,
            writes(rematch),
            "Match every message afresh",
        ),
        Endpoint(
            "mark-private",
            contract.SUBJECT_MARK_PRIVATE,
            contract.MarkPrivateRequest,
            contract.GmailMessageData,
            writes(mark_private),
            "Retract a message everywhere",
        ),
    ]
