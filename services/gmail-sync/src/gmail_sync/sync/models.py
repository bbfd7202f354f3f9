from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.ids import new_id_str
from gmail_sync.database import Base, utcnow


class SyncState(Base):
    """Where an account's sync stands. During backfill, `page_token` is the next page of
    messages.list to fetch (saved in the transaction that stored the page before it), and
    `start_history_id` the mailbox's historyId when backfill began: incremental sync starts
    there, so nothing that changed during the backfill is missed."""

    __tablename__ = "sync_state"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(16), default="backfill")
    page_token: Mapped[str | None] = mapped_column(String(2000), default=None)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    messages_done: Mapped[int] = mapped_column(Integer, default=0)
    start_history_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    history_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    backfill_started_at: Mapped[datetime | None] = mapped_column(default=None)
    backfill_done_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRun(Base):
    """One run of an account's sync, for the operator: what it did and how it ended."""

    __tablename__ = "sync_run"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id_str)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    withheld: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(2000), default=None)
