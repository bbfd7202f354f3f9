"""Importing a fundraising spreadsheet into the grid (CSV or XLSX; investors as rows, funds as
columns, amounts in cells): checked (crm_api.spreadsheets.plan), then applied, with its report.

- A dry run reports, per line, what a commit would create or change and every error, and writes
  nothing. A commit with any error is refused whole (422, with the report). Otherwise it goes
  through the grid's services (events, audit, interaction log) in one transaction, and is one
  batch its author can undo. Importing the same file again changes nothing; empty cells change
  nothing (an import never clears).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.grid.cells import service as grid_cells
from crm_api.grid.cells.schemas import CellChanges
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.columns.schemas import GridColumnCreate
from crm_api.grid.rows import service as grid_rows
from crm_api.grid.rows.schemas import (
    GridRowCreate,
    GridRowUpdate,
    NewContact,
    NewOrganization,
    RowContactIn,
)
from crm_api.kit.errors import InvalidValue
from crm_api.lookups import service as lookups
from crm_api.spreadsheets.errors import ImportRefused
from crm_api.spreadsheets.plan import Line, Plan, plan
from crm_api.spreadsheets.schemas import ImportMode
from crm_api.spreadsheets.tables import Table
from crm_common.errors import CRMError


def _create_row(session: Session, line: Line, by: Principal) -> str:
    fields = {k: v for k, v in line.row_fields.items() if k in ("lead_source", "flags", "values")}
    contacts = [RowContactIn.model_validate(c) for c in line.row_fields.get("contacts", [])]
    if line.organization_id or line.contact_id:
        data = GridRowCreate(
            organization_id=line.organization_id,
            contact_id=line.contact_id,
            contacts=contacts,
            **fields,
        )
    elif line.kind == "organization":
        data = GridRowCreate(
            new_organization=NewOrganization(name=line.name, domains=line.domains),
            contacts=contacts,
            **fields,
        )
    else:
        first, _, last = line.name.partition(" ")
        data = GridRowCreate(
            new_contact=NewContact(first_name=first, last_name=last, email=line.email),
            contacts=contacts,
            **fields,
        )
    return str(grid_rows.create_row(session, data=data, by=by)["id"])


def apply(session: Session, *, planned: Plan, by: Principal) -> str | None:
    """Apply a plan without errors; returns the id of the batch it is (None if nothing moved)."""
    for key, label in planned.new_columns.items():
        if not grid_columns.has_column(session, key):
            grid_columns.create_column(
                session, data=GridColumnCreate(key=key, label=label[:200] or key), by=by
            )
    items: list[dict[str, Any]] = []
    for line in planned.lines:
        if line.row is None:
            row_id = _create_row(session, line, by)
        else:
            row_id = line.row.id
            if line.row_fields:
                current = grid_rows.get_row(session, row_id=row_id)
                before = grid_rows.row_state(current)
                after = grid_rows.update_row(
                    session,
                    record_id=row_id,
                    data=GridRowUpdate.model_validate(line.row_fields),
                    expected_version=current.version,
                    by=by,
                )
                items.append({"type": "row", "row_id": row_id, "before": before, "after": after})
        row = grid_rows.get_row(session, row_id=row_id)
        for fund_id, changes in line.cells.items():
            items.append(
                grid_cells.import_cell(
                    session,
                    row=row,
                    fund_id=fund_id,
                    changes=CellChanges.model_validate(changes),
                    by=by,
                )
            )
    if not items:
        return None
    return grid_cells.record_batch(session, by=by, label="import", items=items)


def report(
    planned: Plan,
    *,
    mode: ImportMode,
    committed: bool,
    table: Table,
    filename: str | None,
    batch_id: str | None,
) -> dict[str, Any]:
    lines = [
        {
            "line": line.number,
            "action": line.action,
            "investor": line.name,
            "matched_by": line.matched_by,
            "row_id": line.row.id if line.row else None,
            "changes": line.changes,
            "errors": line.errors,
            "warnings": line.warnings,
        }
        for line in planned.lines
    ]
    actions = [line.action for line in planned.lines]
    return {
        "mode": mode.value,
        "committed": committed,
        "format": table.format.value,
        "filename": filename,
        "sha256": table.sha256,
        "batch_id": batch_id,
        "columns": [
            {"header": h, "target": t} for h, t in zip(planned.header, planned.targets, strict=True)
        ],
        "totals": {
            "lines": len(actions),
            "create": actions.count("create"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "error": actions.count("error"),
            "cells": sum(len(line.cells) for line in planned.lines if not line.errors),
            "new_columns": len(planned.new_columns),
        },
        "lines": lines,
    }


def run_import(
    session: Session,
    *,
    table: Table,
    mode: ImportMode,
    amount_field: str,
    default_stage: str,
    mapping: str | None,
    filename: str | None,
    by: Principal,
) -> dict[str, Any]:
    """Check (and, in commit mode, apply) a spreadsheet; returns the report.

    Raises:
        ImportRefused: a commit with errors in any line (carries the report).
    """
    lookups.require(session, list_name="pipeline_stage", value=default_stage, field="default_stage")
    planned = plan(
        session,
        table=table,
        amount_field=amount_field,
        default_stage=default_stage,
        mapping=mapping,
    )
    has_errors = any(line.errors for line in planned.lines)
    if mode is ImportMode.DRY_RUN or has_errors:
        body = report(
            planned, mode=mode, committed=False, table=table, filename=filename, batch_id=None
        )
        if mode is ImportMode.COMMIT:
            raise ImportRefused(
                "some lines have errors; nothing was imported (see lines[].errors)", report=body
            )
        return body
    try:
        batch_id = apply(session, planned=planned, by=by)
    except InvalidValue as exc:
        raise ImportRefused(f"the import was refused: {exc.detail}") from exc
    except CRMError as exc:
        if exc.status >= 500:
            raise
        raise ImportRefused(f"the import was refused: {exc.detail or exc.title}") from exc
    return report(
        planned, mode=mode, committed=True, table=table, filename=filename, batch_id=batch_id
    )
