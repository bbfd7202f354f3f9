"""POST /api/grid/import and GET /api/grid/export: a fundraising spreadsheet in and out.

This module does not use postponed annotations: FastAPI reads the endpoints' annotations.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from crm_api.auth.dependencies import Reader, Writer
from crm_api.database import ReadSession, get_database, utcnow
from crm_api.grid.schemas import AmountField
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.settings import Settings
from crm_api.spreadsheets import apply, render, tables
from crm_api.spreadsheets.schemas import ExportQuery, ImportMode, SheetImportReport
from crm_common.db import Database
from crm_common.errors import PROBLEM_JSON, PayloadTooLarge

IMPORT_PATH = "/api/grid/import"

router = APIRouter(prefix="/api", tags=["grid spreadsheets"])


@router.post(
    "/grid/import",
    response_model=SheetImportReport,
    responses={
        400: {
            "description": "The multipart body could not be parsed",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
    summary="Import a fundraising spreadsheet (CSV or XLSX) into the grid",
)
def import_spreadsheet(
    principal: Writer,
    request: Request,
    db: Annotated[Database, Depends(get_database)],
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX (the first sheet)")],
    mode: Annotated[
        ImportMode, Form(description="dry_run reports and writes nothing; commit imports")
    ] = ImportMode.DRY_RUN,
    amount_field: Annotated[
        AmountField, Form(description="what a column named after a fund holds")
    ] = AmountField.COMMITTED,
    default_stage: Annotated[
        str, Form(max_length=64, description="the stage of a cell the file fills without one")
    ] = "lead",
    mapping: Annotated[
        str | None,
        Form(max_length=20_000, description="JSON: column header -> target (see docs/grid.md)"),
    ] = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Investors as rows, funds as columns, amounts in cells; other columns become custom
    columns. A dry run reports per line what a commit would do. A commit with any error is
    refused whole (422 with the report); otherwise it is one batch, which undo takes back."""
    settings: Settings = request.app.state.auth.settings
    if file.size is not None and file.size > settings.max_import_bytes:
        raise PayloadTooLarge(f"the file exceeds {settings.max_import_bytes} bytes")
    table = tables.read(file.file, filename=file.filename)

    def work(session: Any) -> dict[str, Any]:
        return apply.run_import(
            session,
            table=table,
            mode=mode,
            amount_field=amount_field.value,
            default_stage=default_stage,
            mapping=mapping,
            filename=file.filename,
            by=principal,
        )

    if mode is ImportMode.DRY_RUN:
        with db.session() as session:
            return JSONResponse(work(session))
    with db.transaction() as session:
        return run_once(
            session,
            principal=principal,
            key=key,
            scope=f"POST {IMPORT_PATH}",
            request={
                "sha256": table.sha256,
                "mapping": mapping,
                "amount_field": amount_field.value,
                "default_stage": default_stage,
            },
            status=200,
            run=lambda: work(session),
        )


@router.get(
    "/grid/export",
    response_class=Response,
    responses={
        200: {
            "description": "The grid as an attachment",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                tables.MEDIA_TYPES[tables.SheetFormat.XLSX]: {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
    summary="Export the grid, or a view of it, as CSV or XLSX",
)
def export_spreadsheet(
    principal: Reader,
    request: Request,
    query: Annotated[ExportQuery, Query()],
    session: ReadSession,
) -> Response:
    """The rows the view selects, in its order: row fields, each fund's amount(s) and stage,
    custom columns, lists, last touch. It imports back to the same grid."""
    now = utcnow()
    header, rows, money_columns = render.export(session, query=query, by=principal, now=now)
    body = render.render(header, rows, money_columns, query.format.value)
    render.log_export(request.app.state.db, query=query, rows=len(rows), by=principal)
    name = f"grid-{now.strftime('%Y%m%dT%H%M%SZ')}.{query.format.value}"
    return Response(
        body,
        media_type=tables.MEDIA_TYPES[query.format],
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
