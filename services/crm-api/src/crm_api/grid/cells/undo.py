"""Undo, and the principal's recent batches.

A batch's author can undo their last batch while nobody has changed its targets since (409
naming them otherwise); the undo is a batch too, and is not itself undone; undoing again undoes
the batch before (a target counts as unchanged when its values are as the batch left them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.database import utcnow
from crm_api.grid.cells import repository
from crm_api.grid.cells.schemas import (
    BatchList,
    BatchRead,
    BatchSummary,
)
from crm_api.grid.cells.service import OPPORTUNITY_FIELDS, batch_read, opportunity_state, record
from crm_api.grid.errors import BatchConflict, NothingToUndo
from crm_api.grid.rows import service as rows
from crm_api.grid.rows.schemas import GridRowUpdate, RowContactIn
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.schemas import OpportunityUpdate


def _stale(index: int, what: str, current: dict[str, Any] | None) -> BatchConflict:
    return BatchConflict(
        f"item {index} ({what}) has changed since; undo it by hand", index=index, current=current
    )


def _same_cell(current: dict[str, Any] | None, state: dict[str, Any]) -> bool:
    """Whether the live opportunity is as the batch left it (versions aside: an undo of a later
    batch bumps the version and puts back the very same values)."""
    return (
        current is not None
        and current["id"] == state["id"]
        and all(current[k] == state[k] for k in OPPORTUNITY_FIELDS)
    )


def _undo_cell(session: Session, index: int, item: dict[str, Any], by: Principal) -> dict[str, Any]:
    before, after = item["before"], item["after"]
    row = rows.get_row(session, row_id=item["row_id"], include_deleted=True)
    current = opportunity_state(session, row, item["fund_id"])
    what = f"cell {item['row_id']}/{item['fund_id']}"
    undone: dict[str, Any] | None
    if after is None:  # a clear of an empty cell: nothing happened
        return {**item, "before": after, "after": before}
    if after.get("deleted_at") is not None:  # the cell was cleared: bring it back
        if current is not None:
            raise _stale(index, what, current)
        cleared = opportunities.get(session, opportunity_id=after["id"], include_deleted=True)
        if cleared.deleted_at is None or cleared.version != after["version"]:
            raise _stale(index, what, None)
        undone = opportunities.restore(session, record_id=after["id"], by=by)
    elif not _same_cell(current, after):
        raise _stale(index, what, current)
    elif before is None:  # the cell was filled: empty it again
        assert current is not None
        undone = opportunities.delete(session, record_id=current["id"], by=by)
    else:
        assert current is not None
        undone = opportunities.update(
            session,
            record_id=current["id"],
            data=OpportunityUpdate.model_validate({k: before[k] for k in OPPORTUNITY_FIELDS}),
            expected_version=current["version"],
            by=by,
        )
    return {**item, "before": current, "after": undone}


_ROW_FIELDS = ("position", "flags", "lead_source", "values", "contacts")


def _undo_row(session: Session, index: int, item: dict[str, Any], by: Principal) -> dict[str, Any]:
    before, after = item["before"], item["after"]
    row = rows.get_row(session, row_id=item["row_id"])
    current = rows.row_state(row)
    if any(current[k] != after[k] for k in _ROW_FIELDS):
        raise _stale(index, f"row {item['row_id']}", current)
    values: dict[str, Any] = dict.fromkeys(current["values"]) | before["values"]
    changes = GridRowUpdate(
        position=before["position"],
        flags=before["flags"],
        lead_source=before["lead_source"],
        values=values,
        contacts=[RowContactIn.model_validate(c) for c in before["contacts"]],
    )
    undone = rows.update_row(
        session, record_id=row.id, data=changes, expected_version=current["version"], by=by
    )
    return {**item, "before": current, "after": undone}


def undo_last(session: Session, *, by: Principal) -> BatchRead:
    """Undo the principal's last batch (not itself an undo), all of it or nothing.

    Raises:
        NothingToUndo: there is no batch left to undo.
        BatchConflict: a target changed since the batch (409, naming it).
    """
    batch = repository.last_batch(session, by.id)
    if batch is None:
        raise NothingToUndo("you have no edit of the grid left to undo")
    inverse: list[dict[str, Any]] = []
    for index in reversed(range(len(batch.items))):
        item = batch.items[index]
        if item["type"] == "cell":
            inverse.append(_undo_cell(session, index, item, by))
        else:
            inverse.append(_undo_row(session, index, item, by))
    batch.undone_at = utcnow()
    undo = record(
        session, by=by, label=f"undo {batch.label}".strip(), items=inverse, undo_of=batch.id
    )
    return batch_read(session, undo)


def recent_batches(session: Session, *, by: Principal, limit: int = 20) -> BatchList:
    return BatchList(
        items=[
            BatchSummary(
                id=b.id,
                label=b.label,
                created_at=b.created_at,
                undone_at=b.undone_at,
                undo_of=b.undo_of,
                operations=len(b.items),
            )
            for b in repository.batches(session, by.id, limit)
        ]
    )
