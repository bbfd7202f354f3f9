"""POST /api/import/contacts: a CSV of contacts and their organizations, checked or imported."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Writer
from crm_api.database import get_database
from crm_api.imports import mapping as mappings
from crm_api.imports import service
from crm_api.imports.csvfile import read_csv
from crm_api.imports.schemas import ImportMode, ImportReport
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.settings import Settings
from crm_common.db import Database
from crm_common.errors import PROBLEM_JSON, PayloadTooLarge

PATH = "/api/import/contacts"
SCOPE = f"POST {PATH}"

router = APIRouter(prefix="/api", tags=["imports"])


@router.post(
    "/import/contacts",
    response_model=ImportReport,
    responses={
        400: {
            "description": "The multipart body could not be parsed",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
    summary="Import contacts (and their organizations) from a CSV",
)
def import_contacts(
    principal: Writer,
    request: Request,
    db: Annotated[Database, Depends(get_database)],
    file: Annotated[
        UploadFile, File(description="The CSV: UTF-8 (BOM or not), comma or semicolon, a header")
    ],
    mapping: Annotated[
        str | None, Form(max_length=20_000, description=mappings.MAPPING_HELP)
    ] = None,
    mode: Annotated[
        ImportMode,
        Form(
            description="dry_run checks and reports, writing nothing; commit imports, or not at all"
        ),
    ] = ImportMode.DRY_RUN,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Match each row to a contact by email (update) or create one; link organizations.

    A dry run reports per row what a commit would do. A commit with any row in error is refused
    (422, with the report) and writes nothing; otherwise every row is applied in one transaction.
    Importing the same file again changes nothing. With an Idempotency-Key, a retried commit gets
    the first answer (a dry run writes nothing, so it ignores the key).
    """
    settings: Settings = request.app.state.auth.settings
    if file.size is not None and file.size > settings.max_import_bytes:
        raise PayloadTooLarge(f"the file exceeds {settings.max_import_bytes} bytes")
    source = read_csv(file.file)
    columns = mappings.resolve(source.header, mapping)
    header: dict[str, Any] = {
        "mode": mode.value,
        "filename": file.filename,
        "sha256": source.sha256,
        "delimiter": source.delimiter,
        "mapping": mappings.used(source.header, columns),
    }

    def work(session: Any) -> dict[str, Any]:
        return service.run(
            session, source=source, columns=columns, mode=mode, by=principal, header=header
        )

    if mode is ImportMode.DRY_RUN:
        with db.session() as session:  # read-only: rolled back whatever happens
            return JSONResponse(work(session))
    with db.transaction() as session:
        return run_once(
            session,
            principal=principal,
            key=key,
            scope=SCOPE,
            request={"sha256": source.sha256, "mapping": mapping, "mode": mode.value},
            status=200,
            run=lambda: work(session),
        )
