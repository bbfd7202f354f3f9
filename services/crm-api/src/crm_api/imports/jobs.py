"""Imports in the background: a 100,000-row file is checked and applied by a worker while the
submitter follows its progress, instead of holding one request (and SQLite's write lock) for
minutes.

A job keeps its upload in the database, so whichever crm-api replica is free runs it: a worker
claims the oldest queued job with a compare-and-set on its status. It checks every row (the dry
run; a dry-run job stops there) and, for a commit with no row in error, applies the rows in
slices (at most SLICE_ROWS rows, ended early after SLICE_SECONDS: SQLite's other writers wait
for a slice's transaction), one transaction each, each an entry in the interaction log. The slice's
transaction also moves `rows_applied`, so a job whose process died (no heartbeat for
STALE_AFTER) is claimed again and resumes after its last applied slice. A slice that no longer
applies (someone took an email meanwhile) fails the job; the slices before it stay, and since
importing a file twice changes nothing, submitting it again finishes the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from datetime import timedelta
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.auth import service as auth
from crm_api.auth.errors import NotAuthenticated
from crm_api.auth.principal import Principal, Role, Scope
from crm_api.database import utcnow
from crm_api.imports import mapping as mappings
from crm_api.imports import repository, service
from crm_api.imports.models import ImportJob
from crm_api.imports.schemas import (
    ImportJobPage,
    ImportJobRead,
    ImportMode,
    ImportRow,
    ImportTotals,
    JobStatus,
)
from crm_api.imports.upload import Upload, read_upload
from crm_api.kit.errors import InvalidValue, RecordNotFound
from crm_common.db import Database
from crm_common.errors import CRMError
from crm_common.ids import new_id_str

logger = logging.getLogger(__name__)

SLICE_ROWS = 500
SLICE_SECONDS = 1.0
STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
ERROR_ROWS_SHOWN = 100
_TOTALS = ("create", "update", "unchanged", "skip", "error")


class Cancelled(Exception):
    """The submitter cancelled the job (or this worker is shutting down) mid-run."""


class Released(Exception):
    """This worker is stopping: the job goes back to the queue, to resume elsewhere."""


def _principal_json(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind,
        "id": principal.id,
        "name": principal.name,
        "role": principal.role.value,
        "user_id": principal.user_id,
        "scopes": sorted(s.value for s in principal.scopes),
        "api_key_id": principal.api_key_id,
    }


def _principal_of(job: ImportJob) -> Principal:
    stored = job.submitted_by
    return Principal(
        kind=stored["kind"],
        id=stored["id"],
        name=stored["name"],
        role=Role(stored["role"]),
        user_id=stored["user_id"],
        scopes=frozenset(Scope(s) for s in stored.get("scopes", [])),
        api_key_id=stored.get("api_key_id"),
    )


def to_read(job: ImportJob) -> ImportJobRead:
    counts = {k: v for k, v in (job.totals or {}).items() if not k.startswith("_")}
    return ImportJobRead(
        id=job.id,
        kind="contacts",
        mode=ImportMode(job.mode),
        status=JobStatus(job.status),
        phase=job.phase,
        filename=job.filename,
        sha256=job.sha256,
        size=job.size,
        created_by=job.created_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        rows_total=job.rows_total,
        rows_checked=job.rows_checked,
        rows_applied=job.rows_applied,
        totals=ImportTotals.model_validate(counts) if "rows" in counts else None,
        error_rows=[ImportRow.model_validate(r) for r in job.error_rows],
        error=job.error,
        report_path=f"/api/import/jobs/{job.id}/report" if job.has_report else None,
    )


def submit(
    session: Session,
    *,
    content: bytes,
    filename: str | None,
    content_type: str | None,
    mapping: str | None,
    mode: ImportMode,
    by: Principal,
) -> ImportJobRead:
    """Queue an import of `content`; the file and its mapping are checked now, the rows later.

    Raises:
        NotACsv, NotAWorkbook, TooManyRows, InvalidMapping: the upload cannot be imported at all.
    """
    source = read_upload(io.BytesIO(content), filename=filename, content_type=content_type)
    mappings.resolve(source.header, mapping)
    job = ImportJob(
        id=new_id_str(),
        kind="contacts",
        mode=mode.value,
        status=JobStatus.QUEUED.value,
        phase=None,
        filename=filename,
        sha256=source.sha256,
        size=source.size,
        mapping=mapping,
        content=content,
        created_by=by.id,
        created_at=utcnow(),
        attempts=0,
        rows_total=source.rows,
        rows_checked=0,
        rows_applied=0,
        has_report=False,
        error_rows=[],
        submitted_by=_principal_json(by),
        totals=None,
        cancel_requested=False,
    )
    repository.add(session, job)
    audit.record(
        session,
        actor=by.actor,
        entity_type="import_job",
        entity_id=job.id,
        action="create",
        after={"mode": mode.value, "filename": filename, "sha256": source.sha256},
    )
    return to_read(job)


def _visible(session: Session, *, job_id: str, by: Principal) -> ImportJob:
    """The job, if `by` submitted it or is an admin; otherwise it does not exist for them."""
    job = repository.get(session, job_id)
    if job is None or (job.created_by != by.id and not by.is_admin):
        raise RecordNotFound("no such import job")
    return job


def read(session: Session, *, job_id: str, by: Principal) -> ImportJobRead:
    return to_read(_visible(session, job_id=job_id, by=by))


def report(session: Session, *, job_id: str, by: Principal) -> dict[str, Any]:
    """The whole report: the same as a synchronous import's answer.

    Raises:
        RecordNotFound: no such job, or it has no report yet.
    """
    job = _visible(session, job_id=job_id, by=by)
    if job.report is None:
        raise RecordNotFound("the job has no report yet; see its status")
    return job.report


def listing(
    session: Session, *, by: Principal, cursor: str | None, limit: int, everyone: bool
) -> ImportJobPage:
    """The caller's jobs, newest first; an admin may ask for everyone's."""
    if everyone and not by.is_admin:
        raise InvalidValue("only admins can list everyone's import jobs", field="everyone")
    rows, next_cursor = repository.listing(
        session, created_by=None if everyone else by.id, cursor=cursor, limit=limit
    )
    return ImportJobPage(items=[to_read(r) for r in rows], next_cursor=next_cursor)


def cancel(session: Session, *, job_id: str, by: Principal) -> ImportJobRead:
    """Cancel a queued job at once, a running one at its next slice; a finished one stays."""
    job = _visible(session, job_id=job_id, by=by)
    if job.status == JobStatus.QUEUED.value:
        job.status = JobStatus.CANCELLED.value
        job.finished_at = utcnow()
    elif job.status == JobStatus.RUNNING.value:
        job.cancel_requested = True
    else:
        return to_read(job)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        entity_type="import_job",
        entity_id=job.id,
        action="cancel",
        after={"status": job.status},
    )
    return to_read(job)


# -- running ------------------------------------------------------------------------------------


class _Run:
    """One claimed job, run to its end (synchronously, on a worker thread)."""

    def __init__(
        self,
        db: Database,
        job_id: str,
        *,
        instance: str,
        stopping: threading.Event,
        slice_rows: int,
        slice_seconds: float,
    ) -> None:
        self.slice_rows = slice_rows
        self.slice_seconds = slice_seconds
        self.db = db
        self.job_id = job_id
        self.instance = instance
        self.stopping = stopping

    def _write(self, session: Session, **values: Any) -> None:
        values.setdefault("heartbeat_at", utcnow())
        if not repository.set_fields(session, self.job_id, claimed_by=self.instance, **values):
            raise Released("another worker holds the job now")

    def _checkpoint(self, session: Session) -> None:
        """Stop here if the job was cancelled or this worker is stopping."""
        job = repository.get(session, self.job_id)
        if job is not None and job.cancel_requested:
            raise Cancelled
        if self.stopping.is_set():
            raise Released("crm-api is stopping")

    def _finish(self, status: JobStatus, **values: Any) -> None:
        report = values.get("report")
        if report is not None:
            values["has_report"] = True
            values["error_rows"] = [r for r in report["rows"] if r.get("action") == "error"][
                :ERROR_ROWS_SHOWN
            ]
        with self.db.transaction() as session:
            self._write(session, status=status.value, finished_at=utcnow(), **values)

    def run(self) -> None:
        with self.db.session() as session:
            job = repository.get(session, self.job_id)
            assert job is not None
            content, mapping, mode = job.content, job.mapping, ImportMode(job.mode)
            filename = job.filename
            header = {
                "mode": mode.value,
                "filename": job.filename,
                "sha256": job.sha256,
                "attempts": job.attempts,
                "start": job.rows_applied,
                "totals": dict(job.totals or {}),
            }
            if job.attempts > MAX_ATTEMPTS:
                self._finish(JobStatus.FAILED, error=f"gave up after {MAX_ATTEMPTS} attempts")
                return
            try:
                by = auth.still_valid(session, principal=_principal_of(job))
            except NotAuthenticated as exc:
                self._finish(JobStatus.FAILED, error=f"the submitter can no longer import: {exc}")
                return
        source = read_upload(io.BytesIO(content), filename=filename)
        columns = mappings.resolve(source.header, mapping)
        report_header = {
            "mode": mode.value,
            "filename": header["filename"],
            "sha256": source.sha256,
            "format": source.format,
            "delimiter": source.delimiter,
            "mapping": mappings.used(source.header, columns),
        }
        try:
            self._run(source, columns, mode, by, report_header, header)
        except Cancelled:
            self._finish(JobStatus.CANCELLED, error="cancelled")
        except Released:
            with self.db.transaction() as session:
                repository.set_fields(
                    session, self.job_id, claimed_by=self.instance, status=JobStatus.QUEUED.value
                )

    def _run(
        self,
        source: Upload,
        columns: dict[str, int],
        mode: ImportMode,
        by: Principal,
        report_header: dict[str, Any],
        header: dict[str, Any],
    ) -> None:
        with self.db.transaction() as session:
            self._write(session, phase="check")

        def progress(rows: int) -> None:
            with self.db.transaction() as session:
                self._checkpoint(session)
                self._write(session, rows_checked=rows)

        with self.db.session() as session:
            checked, planned = service.check(
                session, source=source, columns=columns, by=by, progress=progress
            )
        body = checked.body(report_header, committed=False, organizations=planned)
        totals = header["totals"] | body["totals"]
        if mode is ImportMode.DRY_RUN or checked.counts["error"]:
            status = JobStatus.SUCCEEDED if mode is ImportMode.DRY_RUN else JobStatus.REFUSED
            self._finish(status, rows_checked=source.rows, totals=totals, report=body, phase=None)
            return

        rows = body["rows"]
        index_of = {row["row"]: i for i, row in enumerate(rows)}
        start = header["start"]
        applied_totals = dict.fromkeys(_TOTALS, 0) | {"organizations_created": 0}
        if start:  # resumed: what the earlier attempts applied
            applied_totals |= dict(header["totals"].get("_applied", {}))
        records = islice(source.records(), start, None)
        while start < source.rows:
            try:
                with self.db.transaction() as session:
                    self._checkpoint(session)
                    applied, created = service.apply(
                        session,
                        source=source,
                        columns=columns,
                        by=by,
                        header=report_header,
                        start=start,
                        stop=start + self.slice_rows,
                        seconds=self.slice_seconds,
                        records=records,
                    )
                    for key in _TOTALS:
                        applied_totals[key] += applied.counts[key]
                    applied_totals["organizations_created"] += created
                    done = min(start + max(len(applied.rows), 1), source.rows)
                    self._write(
                        session,
                        phase="apply",
                        rows_checked=source.rows,
                        rows_applied=done,
                        totals=totals | {"_applied": applied_totals},
                    )
            except CRMError as exc:  # ImportRefused (a row no longer applies), a collision
                for row in exc.extensions.get("report", {}).get("rows", []):
                    rows[index_of[row["row"]]] = row
                self._fail(start, str(exc.detail or exc.title), totals, body)
                return
            for row in applied.rows:
                rows[index_of[row["row"]]] = row
            start = done
        body["committed"] = True
        body["totals"] = {"rows": source.rows, **applied_totals}
        self._finish(
            JobStatus.SUCCEEDED,
            totals=header["totals"] | body["totals"],
            report=body,
            phase=None,
        )

    def _fail(self, at: int, why: str, totals: dict[str, Any], body: dict[str, Any]) -> None:
        self._finish(
            JobStatus.FAILED,
            error=(
                f"stopped at the slice starting on row {at + 2}: {why}. The rows before it were "
                "imported; import the same file again to finish"
            ),
            totals=totals,
            report=body,
        )


def run_next(
    db: Database,
    *,
    instance: str,
    stopping: threading.Event,
    slice_rows: int = SLICE_ROWS,
    slice_seconds: float = SLICE_SECONDS,
) -> bool:
    """Claim and run the oldest runnable job; False when there is none."""
    now = utcnow()
    stale = now - STALE_AFTER
    with db.transaction() as session:
        job_id = repository.next_claimable(session, stale_before=stale)
        if job_id is None or not repository.claim(
            session, job_id, by=instance, now=now, stale_before=stale
        ):
            return job_id is not None  # lost a race: look again at once
    try:
        _Run(
            db,
            job_id,
            instance=instance,
            stopping=stopping,
            slice_rows=slice_rows,
            slice_seconds=slice_seconds,
        ).run()
    except Exception:  # a bug must not stop the worker; the job records it
        logger.exception("import job %s failed", job_id)
        with db.transaction() as session:
            repository.set_fields(
                session,
                job_id,
                claimed_by=instance,
                status=JobStatus.FAILED.value,
                finished_at=utcnow(),
                error="internal error; the operator's log has the details",
            )
    return True


class ImportWorker:
    """Runs import jobs on a thread, one at a time per process; woken by a submission in this
    process, and polling for those of other replicas."""

    def __init__(
        self,
        db: Database,
        *,
        poll_interval: float = 2.0,
        slice_rows: int = SLICE_ROWS,
        slice_seconds: float = SLICE_SECONDS,
    ) -> None:
        self.db = db
        self.slice_rows = slice_rows
        self.slice_seconds = slice_seconds
        self.instance = f"crm-api-{new_id_str()}"
        self.poll_interval = poll_interval
        self._stopping = threading.Event()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Callable from any thread (a sync route)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                ran = await asyncio.to_thread(
                    run_next,
                    self.db,
                    instance=self.instance,
                    stopping=self._stopping,
                    slice_rows=self.slice_rows,
                    slice_seconds=self.slice_seconds,
                )
            except Exception:  # the database may be briefly unavailable; try again later
                logger.exception("cannot look for import jobs")
                ran = False
            if ran:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
