"""Importing contacts, with their organizations, from a CSV: checked by the planner
(crm_api.imports.planner; the dry run stops there), then applied.

A commit with any row in error writes nothing (ImportRefused, 422, with the report). Otherwise the
file is read again and each row applied through the contacts and organizations services, in the
request's one transaction, so each record gets its version, audit entry, touch and event:
- create: the row's fields, its addresses (the first primary), its phone;
- update: only the mapped, non-empty fields that differ; addresses and a phone are added to those
  the contact has (its primary stays); names given as full_name are left alone when they already
  read the same;
- organization: the live one owning organization_domain, else the live one with that name (any
  case), else one created per distinct name in the file (with the domain and type of its first
  row); the contact gets an affiliation to it (role from `role`) unless it has one already.
So the same file imported twice changes nothing the second time. The import is one entry in the
interaction log (one per slice, for a background job), naming every record it touched, with the
counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.contacts import service as contacts
from crm_api.contacts.schemas import ContactCreate, ContactUpdate
from crm_api.imports.errors import ImportRefused
from crm_api.imports.planner import TARGET_OF, Draft, OrgRef, Planner, Report
from crm_api.imports.schemas import ImportMode
from crm_api.imports.upload import Upload
from crm_api.interactions import service as interactions
from crm_api.kit.errors import DuplicateRecord
from crm_api.organizations import service as organizations
from crm_api.organizations.schemas import OrganizationCreate
from crm_common.errors import CRMError

CHANNEL = "POST /api/import/contacts"


class _Importer(Planner):
    """Checks rows, and applies them when asked."""

    def __init__(
        self, session: Session, *, columns: dict[str, int], width: int, by: Principal
    ) -> None:
        super().__init__(session, columns=columns, width=width, by=by)
        self.created: dict[str, str] = {}  # name key → organization id

    # -- applying -------------------------------------------------------------------------------

    def apply(self, draft: Draft) -> None:
        """Write a checked row through the services."""
        if draft.action not in ("create", "update"):
            return
        organization_id = self._organization_id(draft.organization)
        if draft.action == "create":
            payload = self._with_affiliation(draft.fields, draft, organization_id or "")
            state = contacts.create(
                self.session, data=ContactCreate.model_validate(payload), by=self.by
            )
            draft.contact_id = state["id"]
        elif draft.fields and draft.contact_id is not None:
            payload = self._with_affiliation(draft.fields, draft, organization_id or "")
            contacts.update(
                self.session,
                record_id=draft.contact_id,
                data=ContactUpdate.model_validate(payload),
                expected_version=draft.version,
                by=self.by,
            )

    def _organization_id(self, ref: OrgRef | None) -> str | None:
        if ref is None:
            return None
        kind, value = ref
        if kind == "id":
            self._pin(value)
            return value
        if value not in self.created:
            state = organizations.create(
                self.session,
                data=OrganizationCreate.model_validate(self.planned[value]),
                by=self.by,
            )
            self.created[value] = state["id"]
            self._pin(state["id"])
        return self.created[value]


Progress = Callable[[int], None]
PROGRESS_EVERY = 1000


def check(
    session: Session,
    *,
    source: Upload,
    columns: dict[str, int],
    by: Principal,
    progress: Progress | None = None,
) -> tuple[Report, int]:
    """Check every row, writing nothing: the report, and how many organizations it would create.

    `progress` hears the number of rows checked every PROGRESS_EVERY rows.
    """
    checker = _Importer(session, columns=columns, width=len(source.header), by=by)
    report = Report()
    for index, (line, cells) in enumerate(source.records(), 1):
        report.add(checker.evaluate(line, cells))
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
    return report, len(checker.planned)


def apply(
    session: Session,
    *,
    source: Upload,
    columns: dict[str, int],
    by: Principal,
    header: dict[str, Any],
    start: int = 0,
    stop: int | None = None,
    seconds: float | None = None,
    records: Iterator[tuple[int, list[str]]] | None = None,
) -> tuple[Report, int]:
    """Apply the checked rows `start` to `stop` (0-based, after the header) through the services;
    the report of those rows, and how many organizations they created.

    `records`, when given, is the file's records already positioned at `start`: a job hands
    the same iterator to each slice rather than have every slice read the file from its top.
    With `seconds`, the slice ends early, after the row that used up that much time: on SQLite a
    transaction holds the write lock, and every other writer waits for it. Organizations
    created by earlier rows are found again by domain or name, so a file can be applied in
    consecutive slices, one transaction each. The slice is one interaction-log entry
    naming every record it touched.

    Raises:
        ImportRefused: a row no longer applies (another change got there first); the caller's
            transaction must be rolled back.
        DuplicateRecord: a concurrent write collided with the import.
    """
    applier = _Importer(session, columns=columns, width=len(source.header), by=by)
    applied = Report()
    deadline = None if seconds is None else time.monotonic() + seconds
    with interactions.gathered(session) as batch:
        rows = islice(source.records(), start, None) if records is None else records
        for line, cells in islice(rows, None if stop is None else stop - start):
            draft = applier.evaluate(line, cells)
            if not draft.errors:
                try:
                    applier.apply(draft)
                except (CRMError, ValidationError) as exc:
                    draft.errors.append(_error_of(exc))
                except IntegrityError:
                    raise DuplicateRecord(
                        "another change collided with the import; nothing was imported, try again"
                    ) from None
            if draft.errors:
                draft.action = "error"
                applied.add(draft)
                _refuse(applied, header, len(applier.created))
            applied.add(draft)
            if deadline is not None and time.monotonic() > deadline:
                break  # after the row, so a shared `records` iterator loses none
    counts = applied.counts
    name = header.get("filename") or "a CSV"
    where = f" (rows {start + 1}-{start + len(applied.rows)})" if start or stop else ""
    interactions.touch(
        session,
        actor=by.actor,
        action="import.contacts",
        channel=CHANNEL,
        targets=[("import", source.sha256), *batch.targets],
        summary=(
            f"imported {name}{where}: {counts['create']} created, "
            f"{counts['update'] - counts['unchanged']} updated, {counts['unchanged']} unchanged, "
            f"{counts['skip']} skipped, {len(applier.created)} organizations created"
        ),
        payload={
            "sha256": source.sha256,
            "mapping": header.get("mapping"),
            "start": start,
            "rows": len(applied.rows),
            "actions": dict(batch.actions),
        },
    )
    return applied, len(applier.created)


def run(
    session: Session,
    *,
    source: Upload,
    columns: dict[str, int],
    mode: ImportMode,
    by: Principal,
    header: dict[str, Any],
) -> dict[str, Any]:
    """Check every row; in commit mode, then apply them all in this transaction, or refuse
    (ImportRefused). `header` (mode, file name, digest, mapping) opens the report."""
    report, planned = check(session, source=source, columns=columns, by=by)
    if mode is ImportMode.DRY_RUN:
        return report.body(header, committed=False, organizations=planned)
    if report.counts["error"]:
        _refuse(report, header, planned)
    applied, created = apply(session, source=source, columns=columns, by=by, header=header)
    return applied.body(header, committed=True, organizations=created)


def _error_of(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            loc = error["loc"] or ("row",)
            return TARGET_OF.get(str(loc[0]), str(loc[0])), error["msg"]
        return "row", "invalid"
    assert isinstance(exc, CRMError)
    name = str(exc.extensions.get("field") or "row")
    return TARGET_OF.get(name, name), str(exc.detail or exc.title)


def _refuse(report: Report, header: dict[str, Any], organizations: int) -> NoReturn:
    errors = report.counts["error"]
    raise ImportRefused(
        f"{errors} row{'s' if errors != 1 else ''} with errors; nothing was imported",
        report=report.body(header, committed=False, organizations=organizations),
    )
