"""Cells and batches of edits (undo is crm_api.grid.cells.undo).

A cell IS the opportunity of the row's investor in the fund: editing it writes the opportunity
through crm_api.opportunities (stage allowlist, exact decimals, one live per investor and fund),
so the cell's version is the opportunity's version (0 for an empty cell) and
`crm.opportunity.*` goes out as usual. An edit names the version it was made from: an empty cell
edited at 0 creates the opportunity; `clear` soft-deletes it; a stale version gets 409 with the
current cell. Two edits of different cells never conflict: each has its own version.

Every edit through the grid (one cell, one row, a pasted range) is a batch, applied all together
or not at all, and recorded with each target's state before and after, so that its author can
undo it.

A cell someone else holds the lock of (crm_api.collab) is refused with 423.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.database import utcnow
from crm_api.funds import service as funds
from crm_api.grid.cells.schemas import (
    BatchCreate,
    BatchRead,
    CellChanges,
    CellOperation,
    CellRead,
    RowOperation,
)
from crm_api.grid.errors import BatchConflict, BatchRefused, CellConflict, CellLocked
from crm_api.grid.models import GridBatch, GridRow
from crm_api.grid.rows import service as rows
from crm_api.grid.rows.schemas import GridRowUpdate
from crm_api.kit.errors import InvalidValue, PreconditionRequired
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.schemas import OpportunityCreate, OpportunityUpdate
from crm_common.errors import Conflict, CRMError

# (row id, column ref) -> who holds its lock, when it is someone other than the caller.
LockCheck = Callable[[str, str], dict[str, Any] | None]
OPPORTUNITY_FIELDS = (
    "stage",
    "expected_amount",
    "committed_amount",
    "funded_amount",
    "currency",
    "next_step",
    "lost_reason",
    "close_date",
)


def fund_ref(fund_id: str) -> str:
    return f"fund:{fund_id}"


def empty_cell(row_id: str, fund_id: str) -> CellRead:
    return CellRead(
        row_id=row_id,
        fund_id=fund_id,
        opportunity_id=None,
        version=0,
        stage=None,
        expected_amount=None,
        committed_amount=None,
        funded_amount=None,
        currency=None,
    )


def cell_of(row_id: str, fund_id: str, opportunity: dict[str, Any] | None) -> CellRead:
    """The cell a (live) opportunity's state makes; empty for None or a deleted one."""
    if opportunity is None or opportunity.get("deleted_at") is not None:
        return empty_cell(row_id, fund_id)
    return CellRead(
        row_id=row_id,
        fund_id=fund_id,
        opportunity_id=opportunity["id"],
        version=opportunity["version"],
        stage=opportunity["stage"],
        expected_amount=opportunity["expected_amount"],
        committed_amount=opportunity["committed_amount"],
        funded_amount=opportunity["funded_amount"],
        currency=opportunity["currency"],
        next_step=opportunity["next_step"],
        lost_reason=opportunity["lost_reason"],
        close_date=opportunity["close_date"],
        updated_at=opportunity["updated_at"],
        updated_by=opportunity["updated_by"],
    )


def _live_fund(session: Session, fund_id: str) -> None:
    funds.get(session, fund_id=fund_id)


def opportunity_state(session: Session, row: GridRow, fund_id: str) -> dict[str, Any] | None:
    opportunity_id = rows.live_opportunity_id(session, row=row, fund_id=fund_id, lock=True)
    if opportunity_id is None:
        return None
    return opportunities.state(opportunities.get(session, opportunity_id=opportunity_id))


def read_cell(session: Session, *, row_id: str, fund_id: str) -> CellRead:
    row = rows.get_row(session, row_id=row_id)
    _live_fund(session, fund_id)
    return cell_of(row.id, fund_id, opportunity_state(session, row, fund_id))


def _check_lock(locks: LockCheck | None, row_id: str, ref: str) -> None:
    if locks is None:
        return
    holder = locks(row_id, ref)
    if holder is not None:
        raise CellLocked(
            f"{holder.get('name') or 'another user'} is editing this cell",
            holder=holder,
        )


def _write_cell(
    session: Session,
    *,
    row: GridRow,
    fund_id: str,
    version: int,
    changes: CellChanges,
    by: Principal,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Apply one cell edit; returns the opportunity's state before and after (None: no live one).

    Raises:
        CellConflict: `version` is not the cell's current version.
    """
    _live_fund(session, fund_id)
    before = opportunity_state(session, row, fund_id)
    current = before["version"] if before is not None else 0
    if version != current:
        raise CellConflict(current=cell_of(row.id, fund_id, before).model_dump(mode="json"))
    given = changes.model_dump(include=set(OPPORTUNITY_FIELDS), exclude_unset=True)
    if before is None:
        if changes.clear:
            return None, None
        for name in ("stage", "currency"):
            if name in given and given[name] is None:
                raise InvalidValue(f"{name} must not be null", field=name)
        after = opportunities.create(
            session,
            data=OpportunityCreate(
                investor_organization_id=row.organization_id,
                investor_contact_id=row.contact_id,
                fund_id=fund_id,
                **{k: v for k, v in given.items() if not (k == "next_step" and v is None)},
            ),
            by=by,
        )
        return None, after
    if changes.clear:
        return before, opportunities.delete(session, record_id=before["id"], by=by)
    after = opportunities.update(
        session,
        record_id=before["id"],
        data=OpportunityUpdate.model_validate(given),
        expected_version=version,
        by=by,
    )
    return before, after


def import_cell(
    session: Session, *, row: GridRow, fund_id: str, changes: CellChanges, by: Principal
) -> dict[str, Any]:
    """Write a cell from whatever version it is at (an import is authoritative); returns the
    batch item, for the import's batch."""
    current = opportunity_state(session, row, fund_id)
    before, after = _write_cell(
        session,
        row=row,
        fund_id=fund_id,
        version=0 if current is None else current["version"],
        changes=changes,
        by=by,
    )
    return {"type": "cell", "row_id": row.id, "fund_id": fund_id, "before": before, "after": after}


def record_batch(
    session: Session, *, by: Principal, label: str, items: list[dict[str, Any]]
) -> str:
    """Record edits made elsewhere (an import) as one batch its author can undo; returns its id."""
    return record(session, by=by, label=label, items=items).id


def _write_row(
    session: Session, *, row_id: str, version: int, changes: GridRowUpdate, by: Principal
) -> tuple[dict[str, Any], dict[str, Any]]:
    row = rows.get_row(session, row_id=row_id)
    before = rows.row_state(row)
    after = rows.update_row(
        session, record_id=row_id, data=changes, expected_version=version, by=by
    )
    return before, after


def record(
    session: Session,
    *,
    by: Principal,
    label: str,
    items: list[dict[str, Any]],
    undo_of: str | None = None,
) -> GridBatch:
    batch = GridBatch(
        principal_id=by.id,
        actor=by.actor.model_dump(mode="json"),
        label=label,
        items=items,
        created_at=utcnow(),
        undo_of=undo_of,
    )
    session.add(batch)
    session.flush()
    return batch


def batch_read(session: Session, batch: GridBatch) -> BatchRead:
    cells: list[CellRead] = []
    changed_rows = []
    for item in batch.items:
        if item["type"] == "cell":
            cells.append(cell_of(item["row_id"], item["fund_id"], item["after"]))
        else:
            changed_rows.append(rows.row_read(rows.get_row(session, row_id=item["row_id"])))
    return BatchRead(
        id=batch.id,
        label=batch.label,
        created_at=batch.created_at,
        undone_at=batch.undone_at,
        undo_of=batch.undo_of,
        cells=cells,
        rows=changed_rows,
    )


def _problem(index: int, exc: CRMError) -> dict[str, Any]:
    refusal = exc.to_problem().model_dump(mode="json", exclude_none=True)
    return {"index": index, "refusal": refusal, "field": exc.extensions.get("field")}


def apply_batch(
    session: Session, *, data: BatchCreate, by: Principal, locks: LockCheck | None = None
) -> BatchRead:
    """Apply every operation, or none: the first refusal aborts the whole batch (the route's
    transaction rolls back what the earlier operations wrote).

    Raises:
        BatchConflict: an operation named an old version, or met a concurrent write (409;
            `index` and `current`).
        BatchRefused: an operation was refused (422; `index` and the refusal).
        CellLocked: someone else holds a cell's lock (423).
    """
    seen: set[tuple[str, ...]] = set()
    items: list[dict[str, Any]] = []
    for index, op in enumerate(data.operations):
        target = (
            ("cell", op.row_id, op.fund_id) if isinstance(op, CellOperation) else ("row", op.row_id)
        )
        if target in seen:
            raise BatchRefused(
                f"operation {index} edits a target an earlier operation already edits",
                index=index,
            )
        seen.add(target)
        try:
            items.append(_apply_one(session, op=op, by=by, locks=locks))
        except CellLocked:
            raise
        except Conflict as exc:
            raise BatchConflict(
                f"operation {index}: {exc.detail or exc.title}",
                index=index,
                current=exc.extensions.get("current"),
            ) from exc
        except CRMError as exc:
            if exc.status >= 500:
                raise
            raise BatchRefused(
                f"operation {index}: {exc.detail or exc.title}", **_problem(index, exc)
            ) from exc
    batch = record(session, by=by, label=data.label, items=items)
    return batch_read(session, batch)


def _apply_one(
    session: Session,
    *,
    op: CellOperation | RowOperation,
    by: Principal,
    locks: LockCheck | None,
) -> dict[str, Any]:
    if isinstance(op, CellOperation):
        row = rows.get_row(session, row_id=op.row_id)
        _check_lock(locks, row.id, fund_ref(op.fund_id))
        before, after = _write_cell(
            session, row=row, fund_id=op.fund_id, version=op.version, changes=op.changes, by=by
        )
        return {
            "type": "cell",
            "row_id": row.id,
            "fund_id": op.fund_id,
            "before": before,
            "after": after,
        }
    changes = op.changes.model_dump(exclude_unset=True)
    for ref in _row_refs(changes):
        _check_lock(locks, op.row_id, ref)
    before_row, after_row = _write_row(
        session, row_id=op.row_id, version=op.version, changes=op.changes, by=by
    )
    return {"type": "row", "row_id": op.row_id, "before": before_row, "after": after_row}


def _row_refs(changes: dict[str, Any]) -> list[str]:
    refs = [f"field:{name}" for name in changes if name != "values"]
    refs += [f"column:{key}" for key in changes.get("values") or {}]
    return refs


def edit_cell(
    session: Session,
    *,
    row_id: str,
    fund_id: str,
    version: int | None,
    changes: CellChanges,
    by: Principal,
    locks: LockCheck | None = None,
) -> CellRead:
    """One cell edit (a batch of one, so it can be undone).

    Raises:
        PreconditionRequired: no If-Match.
        CellConflict: a stale version (409 with the current cell).
    """
    if version is None:
        rows.get_row(session, row_id=row_id)
        raise PreconditionRequired('send If-Match with the cell version you read ("0" if empty)')
    row = rows.get_row(session, row_id=row_id)
    _check_lock(locks, row.id, fund_ref(fund_id))
    before, after = _write_cell(
        session, row=row, fund_id=fund_id, version=version, changes=changes, by=by
    )
    record(
        session,
        by=by,
        label="cell",
        items=[
            {"type": "cell", "row_id": row.id, "fund_id": fund_id, "before": before, "after": after}
        ],
    )
    return cell_of(row.id, fund_id, after)


def edit_row(
    session: Session,
    *,
    record_id: str,
    data: GridRowUpdate,
    expected_version: int | None,
    by: Principal,
    locks: LockCheck | None = None,
) -> dict[str, Any]:
    """One row edit (a batch of one, so it can be undone)."""
    rows.get_row(session, row_id=record_id)
    if expected_version is None:
        raise PreconditionRequired("send If-Match with the version you read (its ETag)")
    for ref in _row_refs(data.model_dump(exclude_unset=True)):
        _check_lock(locks, record_id, ref)
    before, after = _write_row(
        session, row_id=record_id, version=expected_version, changes=data, by=by
    )
    if after["version"] != before["version"]:
        record(
            session,
            by=by,
            label="row",
            items=[{"type": "row", "row_id": record_id, "before": before, "after": after}],
        )
    return after
