"""Reading the grid: the live pivot of opportunities for a view, in one call.

Rows are investors, columns are funds (then custom columns), a cell is the investor's
opportunity in the fund. The view's filters, sorts and grouping run over every row; the totals
(per fund, per stage, overall, per currency, exact) are those of every row the view selects, not
only the page's; then one page of rows is rendered with its investor, contacts, lists, last touch
and latest outreach notes.

The answer is built as plain JSON-ready dicts (a grid of 5,000 rows by 12 funds is 60,000 cells;
pydantic models for each would cost more than the queries), in the shape of `schemas.Pivot`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.grid import conditions, facts, repository
from crm_api.grid import views as views_service
from crm_api.grid.facts import CellFacts, RowFacts
from crm_api.grid.models import GridColumn, GridView
from crm_api.grid.schemas import FIELD_COLUMNS, PivotQuery, TotalsQuery
from crm_api.kit.errors import InvalidValue

DEFAULT_FIELDS_BEFORE = ("investor", "contacts", "lead_source", "flags")
DEFAULT_FIELDS_AFTER = ("lists", "notes", "last_touch_at")


@dataclass
class ViewSpec:
    """A saved view, or the default one (every row, every column, in row order)."""

    id: str | None = None
    name: str = "All investors"
    version: int | None = None
    list_key: str | None = None
    filters: conditions.Condition | None = None
    sorts: list[tuple[str, bool]] = field(default_factory=list)
    columns: list[str] | None = None
    group_by: str | None = None
    frozen_columns: int = 1
    amount_field: str = "committed_amount"

    @classmethod
    def of(cls, view: GridView) -> ViewSpec:
        return cls(
            id=view.id,
            name=view.name,
            version=view.version,
            list_key=view.list_key,
            filters=None if view.filters is None else conditions.parse(view.filters),
            sorts=[(s["field"], s.get("direction") == "desc") for s in view.sorts or []],
            columns=view.columns,
            group_by=view.group_by,
            frozen_columns=view.frozen_columns,
            amount_field=view.amount_field,
        )

    def paths(self) -> set[str]:
        found = conditions.paths(self.filters) | {path for path, _ in self.sorts}
        if self.group_by:
            found.add(self.group_by)
        return found


def needs_cells(spec: ViewSpec) -> bool:
    """Whether the view filters, sorts or groups by a cell (so every row's cells are read)."""
    return any(p.startswith(("fund.", "any_fund.", "total.")) for p in spec.paths())


def _is_whole(spec: ViewSpec, list_key: str | None, q: str | None, deleted: str) -> bool:
    """Whether the selection is every live row (so the database can total it in one pass)."""
    return (
        spec.filters is None
        and spec.list_key is None
        and list_key is None
        and not q
        and deleted == "exclude"
    )


def resolve_view(session: Session, view_id: str | None, by: Principal) -> ViewSpec:
    if view_id is None:
        return ViewSpec()
    return ViewSpec.of(views_service.get_view(session, view_id=view_id, by=by))


# -- money --------------------------------------------------------------------------------------


def money(cents: int | None) -> str | None:
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


class _Sum:
    __slots__ = ("committed", "count", "expected", "funded")

    def __init__(self) -> None:
        self.count = 0
        self.expected = 0
        self.committed = 0
        self.funded = 0

    def merge(self, other: _Sum) -> None:
        self.count += other.count
        self.expected += other.expected
        self.committed += other.committed
        self.funded += other.funded

    def add(self, cell: CellFacts) -> None:
        self.count += 1
        self.expected += cell.expected or 0
        self.committed += cell.committed or 0
        self.funded += cell.funded or 0


def _render_sums(sums: dict[str, _Sum]) -> list[dict[str, Any]]:
    return [
        {
            "currency": currency,
            "count": s.count,
            "expected_amount": money(s.expected),
            "committed_amount": money(s.committed),
            "funded_amount": money(s.funded),
        }
        for currency, s in sorted(sums.items())
    ]


def _cents_sum(count: int, expected: int, committed: int, funded: int) -> _Sum:
    found = _Sum()
    found.count, found.expected, found.committed, found.funded = count, expected, committed, funded
    return found


def totals_from_sql(
    session: Session, rows: list[RowFacts], fund_ids: set[str], *, whole: bool = False
) -> dict[str, Any]:
    """The same totals as `totals_of`, added up by the database (the cells are not loaded)."""
    by_fund: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    by_stage: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    overall: dict[str, _Sum] = defaultdict(_Sum)
    found = repository.totals(session, rows=rows, whole=whole) if rows else []
    for fund_id, stage, currency, count, expected, committed, funded in found:
        if fund_id not in fund_ids:
            continue
        part = _cents_sum(count, expected, committed, funded)
        for target in (by_fund[fund_id][currency], by_stage[stage][currency], overall[currency]):
            target.merge(part)
    return {
        "rows": len(rows),
        "by_fund": {fund_id: _render_sums(s) for fund_id, s in by_fund.items()},
        "by_stage": {stage: _render_sums(s) for stage, s in sorted(by_stage.items())},
        "overall": _render_sums(overall),
    }


def totals_of(rows: Iterable[RowFacts], fund_ids: set[str]) -> dict[str, Any]:
    """Per fund, per stage and overall, per currency: the sums of the rows' live opportunities."""
    by_fund: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    by_stage: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    overall: dict[str, _Sum] = defaultdict(_Sum)
    count = 0
    for row in rows:
        count += 1
        for fund_id, cell in row.cells.items():
            if fund_id not in fund_ids:
                continue
            by_fund[fund_id][cell.currency].add(cell)
            by_stage[cell.stage][cell.currency].add(cell)
            overall[cell.currency].add(cell)
    return {
        "rows": count,
        "by_fund": {fund_id: _render_sums(s) for fund_id, s in by_fund.items()},
        "by_stage": {stage: _render_sums(s) for stage, s in sorted(by_stage.items())},
        "overall": _render_sums(overall),
    }


# -- selecting and ordering ---------------------------------------------------------------------


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, bool):
        return int(value)
    return value


def sort_rows(rows: list[RowFacts], sorts: list[tuple[str, bool]], now: datetime) -> None:
    """Sort in place: by each (path, descending), missing values last, then row order."""
    rows.sort(key=lambda r: (r.position, r.id))
    for path, descending in reversed(sorts):
        present = [r for r in rows if facts.value_of(r, path, now) is not None]
        missing = [r for r in rows if facts.value_of(r, path, now) is None]
        try:
            present.sort(key=lambda r: _sort_key(facts.value_of(r, path, now)), reverse=descending)
        except TypeError:  # values of mixed types (a custom column changed meaning): as text
            present.sort(key=lambda r: str(facts.value_of(r, path, now)), reverse=descending)
        rows[:] = present + missing


def select_rows(
    session: Session,
    *,
    spec: ViewSpec,
    list_key: str | None,
    q: str | None,
    deleted: str,
    now: datetime,
    with_cells: bool = True,
) -> list[RowFacts]:
    """Every row the view (and the list and text filters) selects, in the view's order; their
    cells are loaded when asked for, or when the view reads them."""
    rows = repository.load_rows(
        session, deleted=deleted, with_cells=with_cells or needs_cells(spec)
    )
    by_id = {row.id: row for row in rows}
    repository.load_lists(session, by_id)
    if facts.needs_touch(spec.paths()):
        repository.load_last_touch(session, by_id)
    wanted_lists = [key for key in (spec.list_key, list_key) if key]
    if q:
        needle = q.casefold()
        rows = [r for r in rows if needle in r.name.casefold()]
    for key in wanted_lists:
        rows = [r for r in rows if key in r.lists]
    if spec.filters is not None:
        rows = [r for r in rows if conditions.evaluate(spec.filters, r, now)]
    sorts = list(spec.sorts)
    if spec.group_by:
        sorts.insert(0, (spec.group_by, False))
    sort_rows(rows, sorts, now)
    return rows


# -- rendering ----------------------------------------------------------------------------------


def _columns(spec: ViewSpec, funds: list[Any], customs: list[GridColumn]) -> list[dict[str, Any]]:
    fund_by_id = {f.id: f for f in funds}
    custom_by_key = {c.key: c for c in customs}
    refs = spec.columns
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
                "group": _plain(facts.value_of(row, group_by, now)) if group_by else None,
            }
        )
    return rendered


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _groups(
    session: Session,
    rows: list[RowFacts],
    group_by: str,
    fund_ids: set[str],
    now: datetime,
    cells_loaded: bool,
) -> list[dict[str, Any]]:
    grouped: dict[str, tuple[Any, list[RowFacts]]] = {}
    for row in rows:
        key = _plain(facts.value_of(row, group_by, now))
        marker = json.dumps(key, sort_keys=True, default=str)
        grouped.setdefault(marker, (key, []))[1].append(row)
    add = totals_of if cells_loaded else partial(totals_from_sql, session)
    return [
        {"key": key, "rows": len(members), "totals": add(members, fund_ids)["overall"]}
        for key, members in grouped.values()
    ]


def _decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = raw["offset"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("bad offset")
        return offset
    except (ValueError, binascii.Error, TypeError, KeyError) as exc:
        raise InvalidValue("cursor is not one this API handed out", field="cursor") from exc


def _encode_cursor(offset: int) -> str:
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read(
    session: Session, *, query: PivotQuery, by: Principal, seq: int | None, now: datetime
) -> dict[str, Any]:
    """The grid for a view: columns, one page of rows with their cells, totals, groups."""
    spec = resolve_view(session, query.view_id, by)
    funds = repository.live_funds(session)
    customs = repository.columns(session)
    fund_ids = {f.id for f in funds}
    # A 5,000-row grid is 60,000 cells: they are loaded for the page only, and the database adds
    # the totals, unless the view reads cells (then every row's are loaded and added here).
    cells_loaded = needs_cells(spec)
    rows = select_rows(
        session,
        spec=spec,
        list_key=query.list,
        q=query.q,
        deleted=query.deleted,
        now=now,
        with_cells=cells_loaded,
    )
    offset = _decode_cursor(query.cursor)
    page = rows[offset : offset + query.limit]
    if not cells_loaded:
        repository.load_cells(session, page)
    following = offset + query.limit
    return {
        "view": {"id": spec.id, "name": spec.name, "version": spec.version},
        "seq": seq,
        "columns": _columns(spec, funds, customs),
        "frozen_columns": spec.frozen_columns,
        "group_by": spec.group_by,
        "amount_field": spec.amount_field,
        "rows": render_rows(
            session, page, fund_ids=fund_ids, notes=query.notes, group_by=spec.group_by, now=now
        ),
        "groups": _groups(session, rows, spec.group_by, fund_ids, now, cells_loaded)
        if spec.group_by
        else None,
        "totals": totals_of(rows, fund_ids)
        if cells_loaded
        else totals_from_sql(
            session, rows, fund_ids, whole=_is_whole(spec, query.list, query.q, query.deleted)
        ),
        "next_cursor": _encode_cursor(following) if following < len(rows) else None,
        "total": len(rows),
    }


def totals(session: Session, *, query: TotalsQuery, by: Principal, now: datetime) -> dict[str, Any]:
    """Only the totals of the rows a view selects."""
    spec = resolve_view(session, query.view_id, by)
    fund_ids = {f.id for f in repository.live_funds(session)}
    rows = select_rows(
        session, spec=spec, list_key=query.list, q=query.q, deleted="exclude", now=now
    )
    return totals_of(rows, fund_ids)
