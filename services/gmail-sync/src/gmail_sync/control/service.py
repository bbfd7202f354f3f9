"""The control surface's reads and orchestration over the domains below it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_common.contracts import gmail as contract
from gmail_sync.accounts import service as accounts
from gmail_sync.accounts.models import Account
from gmail_sync.mail import service as mail
from gmail_sync.mail.models import EmailMessage
from gmail_sync.settings import Settings
from gmail_sync.sync.models import SyncRun, SyncState


def account_read(session: Session, account: Account) -> contract.AccountRead:
    state = session.get(SyncState, account.id)
    return contract.AccountRead(
        id=account.id,
        user_id=account.user_id,
        email=account.email,
        auth_kind=account.auth_kind,
        status=account.status,
        status_detail=account.status_detail,
        is_opted_out=account.is_opted_out,
        last_sync_at=account.last_sync_at,
        messages_seen=account.messages_seen,
        messages_withheld=account.messages_withheld,
        phase=state.phase if state is not None else None,
        backfill_messages=state.messages_done if state is not None else 0,
    )


def status(session: Session, settings: Settings, *, runs: int) -> contract.StatusResponse:
    recent = session.scalars(select(SyncRun).order_by(SyncRun.started_at.desc()).limit(runs))
    total = session.scalar(select(func.count()).select_from(EmailMessage)) or 0
    matched = (
        session.scalar(
            select(func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.is_matched.is_(True), EmailMessage.deleted_at.is_(None))
        )
        or 0
    )
    return contract.StatusResponse(
        accounts=[account_read(session, a) for a in accounts.list_accounts(session)],
        recent_runs=[
            contract.SyncRunRead(
                account_id=r.account_id,
                kind=r.kind,
                started_at=r.started_at,
                finished_at=r.finished_at,
                fetched=r.fetched,
                created=r.created,
                updated=r.updated,
                deleted=r.deleted,
                withheld=r.withheld,
                error=r.error,
            )
            for r in recent
        ],
        messages=int(total),
        matched_messages=int(matched),
        service_account_configured=settings.service_account_file is not None,
        oauth_configured=bool(settings.oauth_client_id),
    )


def change(session: Session, *, account_id: str, action: str) -> Account:
    if action == "pause":
        return accounts.pause(session, account_id=account_id)
    if action == "resume":
        return accounts.resume(session, account_id=account_id)
    if action == "remove":
        return accounts.remove(session, account_id=account_id)
    account = accounts.set_opt_out(session, account_id=account_id, is_opted_out=action == "opt_out")
    if action == "opt_out":
        mail.withdraw_mailbox(session, account=accounts.AccountRef.of(account))
    return account
