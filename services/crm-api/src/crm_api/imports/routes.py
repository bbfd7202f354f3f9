"""POST /api/import/contacts: a CSV or XLSX of contacts and their organizations, checked or
imported."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import event

from crm_api.auth.dependencies import Reader, Writer
from crm_api.database import ReadSession, WriteSession, get_database
from crm_api.imports import jobs, service
from crm_api.imports import mapping as mappings
from crm_api.imports.errors import TooManyRows
from crm_api.imports.schemas import ImportJobPage, ImportJobRead, ImportMode, ImportReport
from crm_api.imports.upload import read_upload
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.settings import Settings
from crm_common.db import Database
from crm_common.errors import PROBLEM_JSON, PayloadTooLarge

PATH = "/api/import/contacts"
JOBS_PATH = "/api/import/jobs"
SCOPE = f"POST {PATH}"
ContactsUpload = Annotated[
    UploadFile,
    File(
        description=(
            "The CSV (UTF-8, BOM or not, comma or semicolon, a header) or XLSX (the first "
            "sheet, its first row the header)"
        )
    ),
]
Mapping = Annotated[str | None, Form(max_length=20_000, description=mappings.MAPPING_HELP)]
_BAD_MULTIPART: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "The multipart body could not be parsed",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}

router = APIRouter(prefix="/api", tags=["imports"])


def _checked_size(request: Request, file: UploadFile) -> Settings:
    settings: Settings = request.app.state.auth.settings
    if file.size is not None and file.size > settings.max_import_bytes:
        raise PayloadTooLarge(f"the file exceeds {settings.max_import_bytes} bytes")
    return settings


@router.post(
    "/import/contacts",
    response_model=ImportReport,
    responses=_BAD_MULTIPART,
    summary="Import contacts (and their organizations) from a CSV or XLSX",
)
def import_contacts(
    principal: Writer,
    request: Request,
    db: Annotated[Database, Depends(get_database)],
    file: ContactsUpload,
    mapping: Mapping = None,
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
    the first answer (a dry run writes nothing, so it ignores the key). A commit of more rows
    than `CRM_API_MAX_SYNC_IMPORT_ROWS` is refused: run it as a job (POST /api/import/jobs).
    """
    settings = _checked_size(request, file)
    source = read_upload(file.file, filename=file.filename, content_type=file.content_type)
    if mode is ImportMode.COMMIT and source.rows > settings.max_sync_import_rows:
        raise TooManyRows(
            f"{source.rows} rows is more than a request imports at once "
            f"({settings.max_sync_import_rows}); POST the file to {JOBS_PATH} to import it in "
            "the background",
            jobs=JOBS_PATH,
        )
    columns = mappings.resolve(source.header, mapping)
    header: dict[str, Any] = {
        "mode": mode.value,
        "filename": file.filename,
        "sha256": source.sha256,
        "format": source.format,
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


@router.post(
    "/import/jobs",
    response_model=ImportJobRead,
    status_code=202,
    responses=_BAD_MULTIPART,
    summary="Import contacts from a CSV or XLSX in the background",
)
def submit_import_job(
    principal: Writer,
    request: Request,
    session: WriteSession,
    file: ContactsUpload,
    mapping: Mapping = None,
    mode: Annotated[
        ImportMode,
        Form(description="dry_run checks every row and reports; commit then imports"),
    ] = ImportMode.COMMIT,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Queue the import; follow it at `GET /api/import/jobs/{id}` (202, with Location).

    The file and the mapping are checked now (a bad one is refused at once); the rows are
    checked and applied by a worker, in slices, with progress. A commit with any row in error
    ends `refused` and writes nothing. With an Idempotency-Key, a retry gets the same job.
    """
    _checked_size(request, file)
    content = file.file.read()
    digest = hashlib.sha256(content).hexdigest()
    answer = run_once(
        session,
        principal=principal,
        key=key,
        scope=f"POST {JOBS_PATH}",
        request={"sha256": digest, "mapping": mapping, "mode": mode.value},
        status=202,
        run=lambda: jobs.submit(
            session,
            content=content,
            filename=file.filename,
            content_type=file.content_type,
            mapping=mapping,
            mode=mode,
            by=principal,
        ).model_dump(mode="json"),
    )
    job_id = json.loads(bytes(answer.body))["id"]
    answer.headers["Location"] = f"{JOBS_PATH}/{job_id}"
    worker = request.app.state.import_worker
    event.listen(session, "after_commit", lambda _: worker.wake(), once=True)
    return answer


@router.get("/import/jobs", response_model=ImportJobPage, summary="List your import jobs")
def list_import_jobs(
    principal: Reader,
    session: ReadSession,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    everyone: Annotated[bool, Query(description="every user's jobs (admins)")] = False,
) -> ImportJobPage:
    return jobs.listing(session, by=principal, cursor=cursor, limit=limit, everyone=everyone)


@router.get(
    "/import/jobs/{job_id}", response_model=ImportJobRead, summary="An import job's progress"
)
def get_import_job(principal: Reader, job_id: str, session: ReadSession) -> ImportJobRead:
    return jobs.read(session, job_id=job_id, by=principal)


@router.get(
    "/import/jobs/{job_id}/report",
    response_model=ImportReport,
    summary="The whole report of a finished (or refused) import job",
)
def get_import_job_report(principal: Reader, job_id: str, session: ReadSession) -> JSONResponse:
    return JSONResponse(jobs.report(session, job_id=job_id, by=principal))


@router.post(
    "/import/jobs/{job_id}/cancel",
    response_model=ImportJobRead,
    summary="Cancel an import job (a running one stops after its current slice)",
)
def cancel_import_job(principal: Writer, job_id: str, session: WriteSession) -> ImportJobRead:
    return jobs.cancel(session, job_id=job_id, by=principal)
