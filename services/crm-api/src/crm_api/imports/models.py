from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, IdMixin, utcnow


class ImportJob(IdMixin, Base):
    """An import run in the background: the upload itself (so any replica can run it), where it
    has got to, and its report when done.

    status: queued → running → succeeded | refused (rows in error) | failed | cancelled.
    A commit is applied in slices, one transaction each, and `rows_applied` moves in the same
    transaction as the slice, so a job picked up again after a crash resumes where it stopped.
    """

    __tablename__ = "import_job"
    __table_args__ = (
        Index("ix_import_job_status_created", "status", "created_at"),
        Index("ix_import_job_created_by", "created_by", "created_at"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[str | None] = mapped_column(Text)
    # Read only by the worker and the report route: a status poll loads neither.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by: Mapped[str] = mapped_column(String(64))
    # The submitter (user, or agent key) as it was; re-checked before the job runs.
    submitted_by: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_checked: Mapped[int] = mapped_column(Integer, default=0)
    rows_applied: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    has_report: Mapped[bool] = mapped_column(default=False)
    error_rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
