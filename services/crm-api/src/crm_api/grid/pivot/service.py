"""Reading the grid: the live pivot of opportunities for a view, in one call.

Rows are investors, columns are funds (then custom columns), a cell is the investor's
opportunity in the fund. The view's filters, sorts and grouping run over every row; the totals
(per fund, per stage, overall, per currency, exact) are those of every row the view selects, not
only the page's; then one page of rows is rendered with its investor, contacts, lists, last touch
and latest outreach notes.

The answer is built as plain JSON-ready dicts (a grid of 5,000 rows by 12 funds is 60,000 cells;
pydantic models for each would cost more than the queries), in the shape of
`crm_api.grid.pivot.schemas.Pivot` (rendered by crm_api.grid.pivot.render, totalled by
crm_api.grid.pivot.totals).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.grid import conditions, facts
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.facts import RowFacts
from crm_api.grid.models import GridView
from crm_api.grid.pivot import repository
from crm_api.grid.pivot.render import plain, render_columns, render_rows
from crm_api.grid.pivot.schemas import PivotQuery, TotalsQuery
from crm_api.grid.pivot.totals import totals_from_sql, totals_of
from crm_api.grid.views import service as views
from crm_api.kit.errors import InvalidValue


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
    return ViewSpec.of(views.get_view(session, view_id=view_id, by=by))


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
    with_touch: bool = False,
) -> list[RowFacts]:
    """Every row the view (and the list and text filters) selects, in the view's order; their
    cells and last touch are loaded when asked for, or when the view reads them."""
    rows = repository.load_rows(
        session, deleted=deleted, with_cells=with_cells or needs_cells(spec)
    )
    by_id = {row.id: row for row in rows}
    repository.load_lists(session, by_id)
    if with_touch or facts.needs_touch(spec.paths()):
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


def row_facts(session: Session, *, deleted: str = "exclude") -> list[RowFacts]:
    """The facts of every live row (or, with "only", every deleted one), cells and contacts
    included."""
    return repository.load_rows(session, deleted=deleted)


def load_facts(
    session: Session, *, row_ids: list[str] | None, touch: bool = False
) -> dict[str, RowFacts]:
    """The facts of the live rows (all, or `row_ids`) by id, with their cells and lists, and their
    last touch when `touch` (what a rule's condition reads)."""
    rows = {r.id: r for r in repository.load_rows(session, row_ids=row_ids)}
    repository.load_lists(session, rows)
    if touch:
        repository.load_last_touch(session, rows)
    return rows


def investors_of(
    session: Session, rows: list[RowFacts]
) -> tuple[dict[str, tuple[str, list[str]]], dict[str, tuple[str, str | None]]]:
    """The rows' investors and contacts: (organization id -> (name, web domains), contact id ->
    (name, primary email))."""
    return repository.investors(
        session,
        organization_ids={r.organization_id for r in rows if r.organization_id},
        contact_ids={c for r in rows for c in [r.contact_id, *r.contact_ids] if c},
    )


# -- reading ------------------------------------------------------------------------------------


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
        key = plain(facts.value_of(row, group_by, now))
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
    funds = grid_columns.live_funds(session)
    customs = grid_columns.custom_columns(session)
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
        "columns": render_columns(spec.columns, funds, customs),
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
    fund_ids = {f.id for f in grid_columns.live_funds(session)}
    rows = select_rows(
        session, spec=spec, list_key=query.list, q=query.q, deleted="exclude", now=now
    )
    return totals_of(rows, fund_ids)
