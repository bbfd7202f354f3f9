"""The backups' reads and writes across every table: row counts, record versions, the log entries
a restore keeps, and the versions it moves on. Tables are reached through the whole metadata:
a backup holds all of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from crm_api.audit.models import AuditLog
from crm_api.models import metadata

LOGS = ("interaction_log", "interaction_target", "audit_log")


def count_rows(session: Session) -> dict[str, int]:
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in metadata.tables.items()
    }


def versions(session: Session, table_name: str) -> dict[str, int]:
    """Each record's version in an aggregate table."""
    table = metadata.tables[table_name]
    return {
        row.id: int(row.version) for row in session.execute(select(table.c.id, table.c.version))
    }


def log_tails(session: Session, marks: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The interaction-log and audit-log entries written after `marks` (a backup's last ones)."""
    log = metadata.tables["interaction_log"]
    targets = metadata.tables["interaction_target"]
    audit_log = metadata.tables["audit_log"]
    seq = marks.get("interaction_log", 0)
    return {
        "interaction_log": [
            dict(r)
            for r in session.execute(
                select(log).where(log.c.seq > seq).order_by(log.c.seq)
            ).mappings()
        ],
        "interaction_target": [
            dict(r) for r in session.execute(select(targets).where(targets.c.seq > seq)).mappings()
        ],
        "audit_log": [
            dict(r)
            for r in session.execute(
                select(audit_log)
                .where(audit_log.c.id > marks.get("audit_log", 0))
                .order_by(audit_log.c.id)
            ).mappings()
        ],
    }


def append_logs(session: Session, tails: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the entries as they were, ids and hashes included."""
    for name in LOGS:
        if tails[name]:
            session.execute(metadata.tables[name].insert(), tails[name])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), "
                "(SELECT coalesce(max(id), 1) FROM audit_log))"
            )
        )


def purged_versions(session: Session, aggregate: str, ids: set[str]) -> dict[str, int]:
    """The version each record had when it was purged (from the audit log)."""
    found: dict[str, int] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for entity_id, before in session.execute(
            select(AuditLog.entity_id, AuditLog.before).where(
                AuditLog.entity_type == aggregate,
                AuditLog.action == "purge",
                AuditLog.entity_id.in_(chunk),
            )
        ):
            if isinstance(before, dict) and isinstance(before.get("version"), int):
                found[entity_id] = max(found.get(entity_id, 0), before["version"] + 1)
    return found


def set_versions(session: Session, table_name: str, changes: list[dict[str, Any]]) -> None:
    """Set each record's version: `changes` are `{"b_id": id, "b_version": version}`."""
    table = metadata.tables[table_name]
    statement = (
        update(table).where(table.c.id == bindparam("b_id")).values(version=bindparam("b_version"))
    )
    session.connection().execute(statement, changes)
