"""The fundraising grid's HTTP routes: the pivot, rows, cells, batches and undo, custom columns,
saved views, matches for a new row, and logging a communication on a row's investor.

This module does not use postponed annotations: FastAPI reads the endpoints' annotations.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin, Reader, Writer
from crm_api.auth.principal import Principal
from crm_api.collab.hub import GridHub
from crm_api.communications.schemas import CommunicationRead
from crm_api.database import ReadSession, WriteSession, utcnow
from crm_api.grid.cells import service as cells
from crm_api.grid.cells import undo as cell_undo
from crm_api.grid.cells.schemas import BatchCreate, BatchList, BatchRead, CellChanges, CellRead
from crm_api.grid.cells.service import LockCheck
from crm_api.grid.columns import service as columns
from crm_api.grid.columns.schemas import (
    GridColumnCreate,
    GridColumnList,
    GridColumnRead,
    GridColumnUpdate,
)
from crm_api.grid.pivot import service as pivot
from crm_api.grid.pivot.schemas import Pivot, PivotQuery, Totals, TotalsQuery
from crm_api.grid.rows import service as rows
from crm_api.grid.rows.schemas import (
    GridRowCreate,
    GridRowFilter,
    GridRowPage,
    GridRowRead,
    GridRowUpdate,
    MatchQuery,
    MatchResult,
    RowCommunicationCreate,
)
from crm_api.grid.views import service as views
from crm_api.grid.views.schemas import (
    GridViewCreate,
    GridViewFilter,
    GridViewList,
    GridViewRead,
    GridViewUpdate,
)
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_common.errors import PROBLEM_JSON

router = APIRouter(prefix="/api", tags=["grid"])

_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STALE: dict[int | str, dict[str, Any]] = {
    428: {"description": "If-Match is missing: send the version you read", "content": _PROBLEM}
}
_LOCKED: dict[int | str, dict[str, Any]] = {
    423: {"description": "Someone else holds the cell's lock", "content": _PROBLEM}
}


def _hub(request: Request) -> GridHub:
    hub: GridHub = request.app.state.grid_hub
    return hub


def _locks(request: Request, principal: Principal) -> LockCheck | None:
    hub = _hub(request)
    return hub.lock_check(principal) if hub.is_ready else None


# -- the pivot ----------------------------------------------------------------------------------


@router.get(
    "/grid",
    response_model=Pivot,
    summary="The grid for a view: columns, a page of rows and cells, totals, groups",
)
def read_grid(
    principal: Reader,
    request: Request,
    query: Annotated[PivotQuery, Query()],
    session: ReadSession,
) -> JSONResponse:
    """Rows are investors, columns funds (then custom columns), cells their opportunities.

    Totals (per fund, per stage, overall; per currency) cover every row the view selects, not
    only this page. `seq` is where the live feed stands: subscribe with `since=seq`."""
    hub = _hub(request)
    seq = hub.seq if hub.is_ready else None  # taken before reading: nothing after it is missed
    body = pivot.read(session, query=query, by=principal, seq=seq, now=utcnow())
    return JSONResponse(body)


@router.get("/grid/totals", response_model=Totals, summary="The totals of a view's rows")
def read_totals(
    principal: Reader, query: Annotated[TotalsQuery, Query()], session: ReadSession
) -> JSONResponse:
    return JSONResponse(pivot.totals(session, query=query, by=principal, now=utcnow()))


# -- rows ---------------------------------------------------------------------------------------


@router.get("/grid/rows", response_model=GridRowPage, summary="List the grid's rows (plain)")
def list_rows(
    _: Reader, filters: Annotated[GridRowFilter, Query()], session: ReadSession
) -> GridRowPage:
    return rows.list_rows(session, filters=filters)


@router.get(
    "/grid/rows/match",
    response_model=MatchResult,
    summary="Investors an email or web domain names exactly (never by name)",
)
def match_investor(
    _: Reader, query: Annotated[MatchQuery, Query()], session: ReadSession
) -> MatchResult:
    """Offered before adding a row: the live contact with that email, the organizations with
    that web domain (or the email's domain), each with its row if it has one. The user chooses;
    with no match, the row is added with a new organization or contact."""
    return rows.match(session, query=query)


@router.post(
    "/grid/rows",
    response_model=GridRowRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an investor to the grid",
)
def add_row(
    principal: Writer, body: GridRowCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    """An existing organization or contact (as `match` offered), or a new one created with the
    row. An investor whose row was deleted gets that row back (same id)."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/rows",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: rows.create_row(session, data=body, by=principal),
    )


@router.get("/grid/rows/{row_id}", response_model=GridRowRead, summary="Read a grid row")
def read_row(_: Reader, row_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(rows.read_row(session, record_id=row_id))


@router.patch(
    "/grid/rows/{row_id}",
    response_model=GridRowRead,
    responses=_LOCKED | _STALE,
    summary="Edit a row: order, flags, lead source, custom values, contacts",
)
def update_row(
    principal: Writer,
    request: Request,
    row_id: str,
    body: GridRowUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """If-Match names the row's version: 428 without it, 409 with the current row if stale.
    The edit can be undone (POST /api/grid/undo)."""
    return with_etag(
        cells.edit_row(
            session,
            record_id=row_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
            locks=_locks(request, principal),
        )
    )


@router.delete("/grid/rows/{row_id}", response_model=GridRowRead, summary="Remove a row (soft)")
def delete_row(principal: Writer, row_id: str, session: WriteSession) -> JSONResponse:
    """The row leaves the grid; its investor and opportunities stay in the CRM."""
    return with_etag(rows.delete_row(session, record_id=row_id, by=principal))


@router.post("/grid/rows/{row_id}/restore", response_model=GridRowRead, summary="Restore a row")
def restore_row(principal: Writer, row_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(rows.restore_row(session, record_id=row_id, by=principal))


@router.post(
    "/admin/grid/rows/{row_id}/purge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a deleted row for good (admins; the audit log keeps its last state)",
)
def purge_row(principal: Admin, row_id: str, session: WriteSession) -> None:
    rows.purge_row(session, record_id=row_id, by=principal)


# -- cells, batches, undo -----------------------------------------------------------------------


@router.get(
    "/grid/rows/{row_id}/cells/{fund_id}",
    response_model=CellRead,
    summary="Read a cell (the investor's opportunity in the fund)",
)
def read_cell(_: Reader, row_id: str, fund_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(cells.read_cell(session, row_id=row_id, fund_id=fund_id))


@router.patch(
    "/grid/rows/{row_id}/cells/{fund_id}",
    response_model=CellRead,
    responses=_LOCKED | _STALE,
    summary="Edit a cell: the opportunity's stage and amounts",
)
def edit_cell(
    principal: Writer,
    request: Request,
    row_id: str,
    fund_id: str,
    body: CellChanges,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """If-Match names the cell's version ("0" for an empty cell, which the edit fills): 428
    without it, 409 with the current cell if stale. `clear` empties the cell. The opportunity's
    rules apply (stage allowlist, exact amounts). The edit can be undone."""
    return with_etag(
        cells.edit_cell(
            session,
            row_id=row_id,
            fund_id=fund_id,
            version=parse_if_match(if_match),
            changes=body,
            by=principal,
            locks=_locks(request, principal),
        )
    )


@router.post(
    "/grid/batches",
    response_model=BatchRead,
    status_code=status.HTTP_201_CREATED,
    responses=_LOCKED,
    summary="Apply a set of edits (a pasted range) all together, or not at all",
)
def apply_batch(
    principal: Writer,
    request: Request,
    body: BatchCreate,
    session: WriteSession,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Each operation names the version it was made from. One refusal or stale version and
    nothing is applied (422 or 409, naming the operation's `index`)."""
    locks = _locks(request, principal)
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/batches",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: cells.apply_batch(session, data=body, by=principal, locks=locks).model_dump(
            mode="json"
        ),
    )


@router.get("/grid/batches", response_model=BatchList, summary="Your latest edits of the grid")
def list_batches(principal: Reader, session: ReadSession) -> BatchList:
    return cell_undo.recent_batches(session, by=principal)


@router.post("/grid/undo", response_model=BatchRead, summary="Undo your last edit of the grid")
def undo(principal: Writer, session: WriteSession, key: IdempotencyKey = None) -> JSONResponse:
    """Your last batch (a cell, a row, a paste), all of it; 409 if someone changed one of its
    targets since, and nothing is undone. Send an Idempotency-Key: a retried undo must not undo
    the batch before too."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/undo",
        request={},
        status=200,
        run=lambda: cell_undo.undo_last(session, by=principal).model_dump(mode="json"),
    )


# -- communications on a row's investor ---------------------------------------------------------


@router.post(
    "/grid/rows/{row_id}/communications",
    response_model=CommunicationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Log a communication from the grid, on the row's investor",
)
def log_communication(
    principal: Writer,
    row_id: str,
    body: RowCommunicationCreate,
    session: WriteSession,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A call, meeting, email or note on the row's investor (and, with fund_id, the cell's
    opportunity); it shows in the row's outreach notes."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope=f"POST /api/grid/rows/{row_id}/communications",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: rows.log_communication(session, row_id=row_id, data=body, by=principal),
    )


# -- custom columns -----------------------------------------------------------------------------


@router.get("/grid/columns", response_model=GridColumnList, summary="The grid's custom columns")
def list_columns(_: Reader, session: ReadSession, include_deleted: bool = False) -> GridColumnList:
    return columns.list_columns(session, include_deleted=include_deleted)


@router.post(
    "/grid/columns",
    response_model=GridColumnRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a typed custom column",
)
def create_column(
    principal: Writer, body: GridColumnCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/columns",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: columns.create_column(session, data=body, by=principal),
    )


@router.get("/grid/columns/{column_id}", response_model=GridColumnRead, summary="Read a column")
def read_column(_: Reader, column_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(columns.read_column(session, record_id=column_id))


@router.patch(
    "/grid/columns/{column_id}",
    response_model=GridColumnRead,
    responses=_STALE,
    summary="Edit a column: label, options, position, width",
)
def update_column(
    principal: Writer,
    column_id: str,
    body: GridColumnUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """If-Match names the column's version: 428 without it, 409 if stale."""
    return with_etag(
        columns.update_column(
            session,
            record_id=column_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete(
    "/grid/columns/{column_id}", response_model=GridColumnRead, summary="Remove a column (soft)"
)
def delete_column(principal: Writer, column_id: str, session: WriteSession) -> JSONResponse:
    """Hidden with its values; restoring it brings them back."""
    return with_etag(columns.delete_column(session, record_id=column_id, by=principal))


@router.post(
    "/grid/columns/{column_id}/restore", response_model=GridColumnRead, summary="Restore a column"
)
def restore_column(principal: Writer, column_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(columns.restore_column(session, record_id=column_id, by=principal))


@router.post(
    "/admin/grid/columns/{column_id}/purge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a deleted column for good (admins; refused while rows hold values in it)",
)
def purge_column(principal: Admin, column_id: str, session: WriteSession) -> None:
    columns.purge_column(session, record_id=column_id, by=principal)


# -- saved views --------------------------------------------------------------------------------


@router.get("/grid/views", response_model=GridViewList, summary="Your views and the shared ones")
def list_views(
    principal: Reader, filters: Annotated[GridViewFilter, Query()], session: ReadSession
) -> GridViewList:
    return views.list_views(session, filters=filters, by=principal)


@router.post(
    "/grid/views",
    response_model=GridViewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Save a view (personal or shared)",
)
def create_view(
    principal: Writer, body: GridViewCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/views",
        request=body.model_dump(mode="json", by_alias=True),
        status=201,
        run=lambda: views.create_view(session, data=body, by=principal),
    )


@router.get("/grid/views/{view_id}", response_model=GridViewRead, summary="Read a view")
def read_view(principal: Reader, view_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(views.read_view(session, record_id=view_id, by=principal))


@router.patch(
    "/grid/views/{view_id}", response_model=GridViewRead, responses=_STALE, summary="Edit a view"
)
def update_view(
    principal: Writer,
    view_id: str,
    body: GridViewUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Anyone may edit a shared view; only its owner a personal one, or its sharing."""
    return with_etag(
        views.update_view(
            session,
            record_id=view_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/grid/views/{view_id}", response_model=GridViewRead, summary="Delete a view")
def delete_view(principal: Writer, view_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(views.delete_view(session, record_id=view_id, by=principal))


@router.post("/grid/views/{view_id}/restore", response_model=GridViewRead, summary="Restore a view")
def restore_view(principal: Writer, view_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(views.restore_view(session, record_id=view_id, by=principal))


@router.post(
    "/admin/grid/views/{view_id}/purge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a deleted view for good (admins)",
)
def purge_view(principal: Admin, view_id: str, session: WriteSession) -> None:
    views.purge_view(session, record_id=view_id, by=principal)
