"""Automations: the rules that keep the grid's lists (crm_api.grid.models), flags, fields and
follow-ups, each rule run with what it changed, and when each scheduled rule last ran."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, IdMixin
from crm_api.kit.models import AggregateMixin


class GridRule(AggregateMixin, Base):
    """If `condition` holds for a row, apply `actions`; else apply `otherwise`.

        Runs on change events (`on_change`) and every `schedule_seconds` (when set), in `position`
        order; the condition (crm_api.grid.conditions) and actions are JSON read by
    crm_api.automations.engine, never eval'd.
    """

    __tablename__ = "grid_rule"
    __table_args__ = (Index("ix_grid_rule_position", "position"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    on_change: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule_seconds: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    condition: Mapped[Any] = mapped_column(JSON)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    otherwise: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class GridRuleSchedule(Base):
    """When a scheduled rule last ran. Kept apart from the rule, so that the scheduler's bookkeeping
    is not a change of the rule (no version, no event), and so that the replica that runs a rule
    holds this row's lock while the others skip it."""

    __tablename__ = "grid_rule_schedule"

    rule_id: Mapped[str] = mapped_column(
        ForeignKey("grid_rule.id", ondelete="CASCADE"), primary_key=True
    )
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)


class GridRuleRun(IdMixin, Base):
    """One run of a rule (or of every on-change rule for one event): what it changed."""

    __tablename__ = "grid_rule_run"
    __table_args__ = (
        Index("ix_grid_rule_run_started_at", "started_at"),
        Index("ix_grid_rule_run_rule_id", "rule_id", "started_at"),
    )

    # None for an on-change run, which evaluates every on-change rule for one event. A plain id:
    # the run history outlives a purged rule.
    rule_id: Mapped[str | None] = mapped_column(String(36))
    trigger: Mapped[str] = mapped_column(String(16))
    is_dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    rows_evaluated: Mapped[int] = mapped_column(Integer, default=0)
    rows_matched: Mapped[int] = mapped_column(Integer, default=0)
    change_count: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
