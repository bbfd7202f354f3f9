"""Exporting the grid as a fundraising spreadsheet (CSV or XLSX): the rows a view selects, in its
order, with the columns an import recognises (crm_api.spreadsheets.recognise), so that an export
imports back to the same grid.

The export is recorded in the interaction log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.facts import money
from crm_api.grid.pivot import service as grid_pivot
from crm_api.interactions import service as interactions
from crm_api.spreadsheets.schemas import ExportQuery
from crm_api.spreadsheets.tables import Value, write_csv, write_xlsx
from crm_common.db import Database


def export(
    session: Session, *, query: ExportQuery, by: Principal, now: datetime
) -> tuple[list[str], list[list[Value]], set[int]]:
    """The header, the rows and which columns hold money, of the rows a view selects."""
    spec = grid_pivot.resolve_view(session, query.view_id, by)
    funds = grid_columns.live_funds(session)
    customs = grid_columns.custom_columns(session)
    if spec.columns is not None:
        shown = set(spec.columns)
        funds = [f for f in funds if f"fund:{f.id}" in shown]
        customs = [c for c in customs if f"column:{c.key}" in shown]
    rows = grid_pivot.select_rows(
        session,
        spec=spec,
        list_key=query.list,
        q=None,
        deleted="exclude",
        now=now,
        with_touch=True,
    )
    orgs, people = grid_pivot.investors_of(session, rows)
    if query.amounts == "all":
        attrs = ["expected_amount", "committed_amount", "funded_amount"]
    else:
        attrs = [spec.amount_field]
    header = ["Row ID", "Investor", "Type", "Email", "Domain", "Lead source", "Flags", "Contacts"]
    money_columns: set[int] = set()
    fund_columns: list[tuple[str, str]] = []
    for fund in funds:
        for attr in [*attrs, "stage"]:
            suffix = attr.removesuffix("_amount")
            title = (
                fund.name
                if attr == "committed_amount" and len(attrs) == 1
                else (f"{fund.name} {suffix}")
            )
            if attr != "stage":
                money_columns.add(len(header))
            header.append(title)
            fund_columns.append((fund.id, attr))
    header += [c.label for c in customs]
    header += ["Lists", "Last touch"]
    table: list[list[Value]] = []
    for row in rows:
        if row.organization_id:
            name, domains = orgs.get(row.organization_id, (row.name, []))
            email: str | None = None
        else:
            name, email = people.get(row.contact_id or "", (row.name, None))
            domains = []
        line: list[Value] = [
            row.id,
            name,
            row.investor_kind,
            email,
            "; ".join(domains),
            row.lead_source,
            "; ".join(sorted(row.flags)),
            "; ".join(e for c in row.contact_ids if (e := people.get(c, ("", None))[1])),
        ]
        for fund_id, attr in fund_columns:
            cell = row.cells.get(fund_id)
            if cell is None:
                line.append(None)
            elif attr == "stage":
                line.append(cell.stage)
            else:
                line.append(money(cell.cents(attr)))
        for column in customs:
            value = row.values.get(column.key)
            line.append("; ".join(map(str, value)) if isinstance(value, list) else value)
        line.append("; ".join(sorted(row.lists)))
        line.append(row.last_touch_at)
        table.append(line)
    return header, table, money_columns


def render(header: list[str], rows: list[list[Value]], money_columns: set[int], fmt: str) -> bytes:
    if fmt == "xlsx":
        return write_xlsx(header, rows, money_columns=money_columns)
    return write_csv(header, rows)


def log_export(db: Database, *, query: ExportQuery, rows: int, by: Principal) -> None:
    """Record the export in the interaction log (the data leaves the building)."""
    asked = query.model_dump(mode="json", exclude_defaults=True)
    with db.transaction() as session:
        interactions.touch(
            session,
            actor=by.actor,
            action="export.grid",
            channel="GET /api/grid/export",
            targets=[("grid_view", query.view_id)] if query.view_id else [],
            summary=f"exported {rows} grid rows as {query.format.value}",
            payload=asked,
        )
