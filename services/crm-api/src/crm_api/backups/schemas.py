from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

BackupKind = Literal["manual", "auto", "pre_restore"]


class Verification(BaseModel):
    ok: bool
    checked_at: datetime
    checksum_ok: bool
    integrity_ok: bool
    detail: str


class BackupRead(BaseModel):
    """A backup's manifest (stored beside its file as <id>.json)."""

    id: str
    version: int = Field(description="bumped by each verification and restore")
    kind: BackupKind
    backend: Literal["sqlite", "postgresql"]
    file: str
    size: int
    sha256: str
    created_at: datetime
    created_by: dict[str, Any]
    duration_ms: int
    schema_revision: list[str] = Field(description="the Alembic revisions it was taken at")
    counts: dict[str, int] = Field(description="rows per table when it was taken")
    log_marks: dict[str, int] = Field(
        description="the last interaction-log seq and audit-log id it holds"
    )
    note: str
    verification: Verification | None
    restored_at: list[datetime] = Field(default_factory=list)


class BackupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=500)


class BackupList(BaseModel):
    items: list[BackupRead]
    directory: str
    available: bool = Field(description="false when this database has no backup tool here")
    reason: str | None = None


class TableDiff(BaseModel):
    table: str
    live: int
    backup: int
    removed: int | None = Field(description="records a restore would take away (live only)")
    returned: int | None = Field(description="records it would bring back (backup only)")
    changed: int | None = Field(description="records at another version in the backup")
    sample_removed: list[str] = Field(default_factory=list)
    sample_returned: list[str] = Field(default_factory=list)


class RestorePreview(BaseModel):
    backup: BackupRead
    exact: bool = Field(
        description="true: compared record by record; false (PostgreSQL): by the row counts the "
        "manifest holds"
    )
    schema_change: bool = Field(description="the backup's schema is older: migrations run after")
    tables: list[TableDiff]
    kept: list[str] = Field(
        description="what a restore keeps from now: the interaction log and the audit log"
    )


class RestoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: str = Field(max_length=64, description="the backup's id, to confirm")


class RestoreResult(BaseModel):
    backup: BackupRead
    pre_restore_backup: BackupRead
    restored_at: datetime
    duration_ms: int = Field(description="from the pre-restore backup to the restored database")
    migrated: bool
    kept_log_entries: int = Field(description="interaction-log and audit entries carried over")
    snapshot_id: str | None = Field(description="the snapshot published after the restore")
    snapshot_ms: int | None


class BackupPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    interval_hours: float = Field(default=24.0, ge=0.01, le=24 * 30)
    keep_last: int = Field(default=14, ge=1, le=1000, description="automatic backups kept")
    keep_days: int | None = Field(
        default=None, ge=1, le=3650, description="also drop automatic and pre-restore ones older"
    )


class BackupPolicyRead(BackupPolicy):
    model_config = ConfigDict(extra="forbid")

    updated_at: datetime
    updated_by: dict[str, Any] | None
    next_due_at: datetime | None
