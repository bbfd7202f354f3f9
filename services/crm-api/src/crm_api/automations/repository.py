"""The automations' SQL: rules, their schedules and runs, the lists they keep (the grid's tables),
and the open follow-ups and grid rows a rule run looks at."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm_api.automations.models import GridRule, GridRuleRun, GridRuleSchedule
from crm_api.followups.models import FollowUp
from crm_api.grid.models import GridList, GridListMember, GridRow, GridRowContact


def get_list(session: Session, list_id: str) -> GridList | None:
    return session.get(GridList, list_id)


def list_by_key(session: Session, key: str) -> GridList | None:
    return session.scalars(select(GridList).where(GridList.key == key)).first()


def lists(session: Session, *, deleted: str = "exclude") -> list[GridList]:
    query = select(GridList)
    if deleted == "exclude":
        query = query.where(GridList.deleted_at.is_(None))
    elif deleted == "only":
        query = query.where(GridList.deleted_at.is_not(None))
    return list(session.scalars(query.order_by(GridList.key)))


def member_counts(session: Session) -> dict[str, int]:
    query = (
        select(GridListMember.list_id, func.count())
        .join(GridRow, GridRow.id == GridListMember.row_id)
        .where(GridListMember.deleted_at.is_(None), GridRow.deleted_at.is_(None))
        .group_by(GridListMember.list_id)
    )
    return {list_id: int(count) for list_id, count in session.execute(query)}


def membership(session: Session, *, list_id: str, row_id: str) -> GridListMember | None:
    return session.scalars(
        select(GridListMember).where(
            GridListMember.list_id == list_id, GridListMember.row_id == row_id
        )
    ).first()


def members(
    session: Session, *, list_id: str, deleted: str, after: str | None, limit: int
) -> tuple[list[GridListMember], int]:
    query = (
        select(GridListMember)
        .join(GridRow, GridRow.id == GridListMember.row_id)
        .where(GridListMember.list_id == list_id, GridRow.deleted_at.is_(None))
    )
    if deleted == "exclude":
        query = query.where(GridListMember.deleted_at.is_(None))
    elif deleted == "only":
        query = query.where(GridListMember.deleted_at.is_not(None))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    if after is not None:
        query = query.where(GridListMember.id > after)
    found = list(session.scalars(query.order_by(GridListMember.id).limit(limit + 1)))
    return found, total


def get_rule(session: Session, rule_id: str) -> GridRule | None:
    return session.get(GridRule, rule_id)


def rules(session: Session, *, deleted: str = "exclude") -> list[GridRule]:
    query = select(GridRule)
    if deleted == "exclude":
        query = query.where(GridRule.deleted_at.is_(None))
    elif deleted == "only":
        query = query.where(GridRule.deleted_at.is_not(None))
    return list(session.scalars(query.order_by(GridRule.position, GridRule.id)))


def active_rules(session: Session, *, on_change: bool | None = None) -> list[GridRule]:
    query = select(GridRule).where(GridRule.deleted_at.is_(None), GridRule.is_active.is_(True))
    if on_change is not None:
        query = query.where(GridRule.on_change.is_(on_change))
    return list(session.scalars(query.order_by(GridRule.position, GridRule.id)))


def last_rule_position(session: Session) -> int | None:
    return session.scalar(select(func.max(GridRule.position)))


def schedules(session: Session) -> dict[str, datetime | None]:
    query = select(GridRuleSchedule.rule_id, GridRuleSchedule.last_run_at)
    return {row.rule_id: row.last_run_at for row in session.execute(query)}


def claim_schedule(session: Session, rule_id: str) -> GridRuleSchedule | None:
    """The rule's schedule row, locked for this transaction; None when another replica holds it
    (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite's write transactions are serial anyway). The row
    is made on first use; two replicas making it at once agree on one (ON CONFLICT DO NOTHING)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(GridRuleSchedule)
        .values(rule_id=rule_id, last_run_at=None)
        .on_conflict_do_nothing(index_elements=["rule_id"])
    )
    return session.scalars(
        select(GridRuleSchedule)
        .where(GridRuleSchedule.rule_id == rule_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()


def add_run(session: Session, run: GridRuleRun) -> None:
    session.add(run)
    session.flush()


def get_run(session: Session, run_id: str) -> GridRuleRun | None:
    return session.get(GridRuleRun, run_id)


def runs(
    session: Session,
    *,
    rule_id: str | None,
    trigger: str | None,
    changed: bool | None,
    before: datetime | None,
    limit: int,
) -> list[GridRuleRun]:
    query = select(GridRuleRun)
    if rule_id is not None:
        query = query.where(GridRuleRun.rule_id == rule_id)
    if trigger is not None:
        query = query.where(GridRuleRun.trigger == trigger)
    if changed is True:
        query = query.where(GridRuleRun.change_count > 0)
    elif changed is False:
        query = query.where(GridRuleRun.change_count == 0)
    if before is not None:
        query = query.where(GridRuleRun.started_at < before)
    return list(
        session.scalars(
            query.order_by(GridRuleRun.started_at.desc(), GridRuleRun.id.desc()).limit(limit)
        )
    )


def open_follow_up_titles(
    session: Session, *, organization_ids: set[str], contact_ids: set[str]
) -> dict[str, set[str]]:
    """Investor id -> the titles of its open, live follow-ups (casefolded)."""
    found: dict[str, set[str]] = defaultdict(set)
    base = select(FollowUp.organization_id, FollowUp.contact_id, FollowUp.title).where(
        FollowUp.deleted_at.is_(None), FollowUp.status == "open"
    )
    for column, ids in (
        (FollowUp.organization_id, organization_ids),
        (FollowUp.contact_id, contact_ids),
    ):
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for org_id, contact_id, title in session.execute(base.where(column.in_(chunk))):
                key = org_id if column is FollowUp.organization_id else contact_id
                if key is not None:
                    found[key].add(title.casefold())
    return found


def rows_touching(
    session: Session, *, organization_id: str | None, contact_ids: set[str]
) -> list[str]:
    """The live rows a communication on this organization and these contacts is a touch of."""
    found: set[str] = set()
    if organization_id is not None:
        found.update(
            session.scalars(
                select(GridRow.id).where(
                    GridRow.organization_id == organization_id, GridRow.deleted_at.is_(None)
                )
            )
        )
    if contact_ids:
        found.update(
            session.scalars(
                select(GridRow.id).where(
                    GridRow.contact_id.in_(contact_ids), GridRow.deleted_at.is_(None)
                )
            )
        )
        found.update(
            session.scalars(
                select(GridRowContact.row_id)
                .join(GridRow, GridRow.id == GridRowContact.row_id)
                .where(GridRowContact.contact_id.in_(contact_ids), GridRow.deleted_at.is_(None))
            )
        )
    return sorted(found)
