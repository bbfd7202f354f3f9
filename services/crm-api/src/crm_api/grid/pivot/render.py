"""Rendering the pivot: its columns, and one page of rows as plain JSON-ready dicts (with what
only the page needs: investors, contacts, latest outreach notes, last touch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.grid import facts
from crm_api.grid.facts import CellFacts, RowFacts
from crm_api.grid.models import GridColumn
from crm_api.grid.pivot import repository
from crm_api.grid.pivot.totals import money
from crm_api.grid.views.schemas import FIELD_COLUMNS

DEFAULT_FIELDS_BEFORE = ("investor", "contacts", "lead_source", "flags")
DEFAULT_FIELDS_AFTER = ("lists", "notes", "last_touch_at")


def render_columns(
    refs: list[str] | None, funds: list[Any], customs: list[GridColumn]
) -> list[dict[str, Any]]:
    """The view's columns (`refs`; None: every one, the default order) as the pivot shows them;
    a ref to a fund or column that is gone drops out."""
    fund_by_id = {f.id: f for f in funds}
    custom_by_key = {c.key: c for c in customs}
    if refs is None:
        refs = [
            *(f"field:{name}" for name in DEFAULT_FIELDS_BEFORE),
            *(f"fund:{f.id}" for f in funds),
            *(f"column:{c.key}" for c in customs),
            *(f"field:{name}" for name in DEFAULT_FIELDS_AFTER),
        ]
    found: list[dict[str, Any]] = []
    for ref in refs:
        kind, _, name = ref.partition(":")
        if kind == "fund" and name in fund_by_id:
            fund = fund_by_id[name]
            found.append(
                {
                    "kind": "fund",
                    "ref": ref,
                    "fund_id": fund.id,
                    "name": fund.name,
                    "currency": fund.currency,
                    "position": fund.position,
                    "version": fund.version,
                }
            )
        elif kind == "column" and name in custom_by_key:
            column = custom_by_key[name]
            found.append(
                {
                    "kind": "custom",
                    "ref": ref,
                    "key": column.key,
                    "label": column.label,
                    "type": column.type,
                    "options": list(column.options or []),
                    "position": column.position,
                    "width": column.width,
                    "version": column.version,
                }
            )
        elif kind == "field" and name in FIELD_COLUMNS:
            found.append({"kind": "field", "ref": ref, "label": FIELD_COLUMNS[name]})
    return found


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def render_cell(cell: CellFacts) -> dict[str, Any]:
    """A cell as the pivot shows it (GET .../cells/{fund_id} has the rest of the opportunity)."""
    return {
        "opportunity_id": cell.opportunity_id,
        "version": cell.version,
        "stage": cell.stage,
        "expected_amount": money(cell.expected),
        "committed_amount": money(cell.committed),
        "funded_amount": money(cell.funded),
        "currency": cell.currency,
    }


def _note(comm: Any) -> dict[str, Any]:
    return {
        "id": comm.id,
        "type": comm.type,
        "subject": comm.subject,
        "body": comm.body,
        "occurred_at": comm.occurred_at.isoformat(),
        "contact_id": comm.contact_id,
        "organization_id": comm.organization_id,
    }


def render_rows(
    session: Session,
    page: list[RowFacts],
    *,
    fund_ids: set[str],
    notes: int,
    group_by: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The page's rows, with what only the page needs loaded now."""
    if not page:
        return []
    by_id = {row.id: row for row in page}
    if any(row.last_touch_at is None for row in page):
        repository.load_last_touch(session, by_id)
    org_ids = {r.organization_id for r in page if r.organization_id}
    person_ids = {r.contact_id for r in page if r.contact_id}
    linked = {c for r in page for c in r.contact_ids}
    orgs, people = repository.investors(
        session, organization_ids=org_ids, contact_ids=person_ids | linked
    )
    org_notes: dict[str, list[Any]] = {}
    contact_notes: dict[str, list[Any]] = {}
    if notes:
        org_notes, contact_notes = repository.latest_communications(
            session,
            organization_ids=org_ids,
            contact_ids=person_ids | linked,
            per_investor=notes,
        )
    rendered = []
    for row in page:
        if row.organization_id:
            name, domains = orgs.get(row.organization_id, (row.name, []))
            investor = {
                "kind": "organization",
                "id": row.organization_id,
                "name": name,
                "email": None,
                "domains": domains,
            }
        else:
            name, email = people.get(row.contact_id or "", (row.name, None))
            investor = {
                "kind": "contact",
                "id": row.contact_id,
                "name": name,
                "email": email,
                "domains": [],
            }
        seen: dict[str, Any] = {}
        sources = [org_notes.get(row.organization_id or "", [])]
        sources += [contact_notes.get(c, []) for c in [row.contact_id, *row.contact_ids] if c]
        for source in sources:
            for comm in source:
                seen.setdefault(comm.id, comm)
        latest = sorted(seen.values(), key=lambda c: (c.occurred_at, c.id), reverse=True)[:notes]
        rendered.append(
            {
                "id": row.id,
                "version": row.version,
                "investor": investor,
                "position": row.position,
                "flags": sorted(row.flags),
                "lead_source": row.lead_source,
                "values": row.values,
                "contacts": [
                    {
                        "contact_id": contact_id,
                        "role": row.contact_roles.get(contact_id),
                        "name": people.get(contact_id, ("", None))[0],
                        "email": people.get(contact_id, ("", None))[1],
                    }
                    for contact_id in row.contact_ids
                ],
                "lists": sorted(row.lists),
                "last_touch_at": _iso(row.last_touch_at),
                "notes": [_note(c) for c in latest],
                "cells": {
                    fund_id: render_cell(cell)
                    for fund_id, cell in row.cells.items()
                    if fund_id in fund_ids
                },
                "group": plain(facts.value_of(row, group_by, now)) if group_by else None,
            }
        )
    return rendered


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
