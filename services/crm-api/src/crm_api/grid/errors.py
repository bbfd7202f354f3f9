"""The grid's errors.

CRMError
├── Conflict
│   ├── CellConflict        a cell edited from a stale version; carries the current cell
│   ├── BatchConflict       a batch (or undo) met a newer version; nothing applied
│   ├── CellLocked          another user holds the cell's lock (423)
│   └── NothingToUndo       the principal has no batch left to undo
└── UnprocessableEntity
    └── BatchRefused        an operation of a batch was refused; nothing applied
"""

from __future__ import annotations

from typing import Any

from crm_common.errors import Conflict, UnprocessableEntity


class CellConflict(Conflict):
    title = "The cell changed since you read it"
    slug = "cell-conflict"

    def __init__(self, *, current: dict[str, Any]) -> None:
        super().__init__(
            f"the cell is at version {current['version']}; reload it and apply your change again",
            current_version=current["version"],
            current=current,
        )


class BatchConflict(Conflict):
    title = "Part of the batch changed since you read it; nothing was applied"
    slug = "batch-conflict"


class CellLocked(Conflict):
    status = 423
    title = "Someone else is editing this cell"
    slug = "cell-locked"


class NothingToUndo(Conflict):
    title = "Nothing to undo"
    slug = "nothing-to-undo"


class BatchRefused(UnprocessableEntity):
    title = "An operation of the batch was refused; nothing was applied"
    slug = "batch-refused"
