"""Background imports: a job checks every row, then applies them in slices, with progress; it
resumes after a crash, can be cancelled, and is visible only to its submitter and admins."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypedDict

import httpx2 as httpx
import pytest
from api_helpers import bearer, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from crm_api.contacts.models import Contact
from crm_api.imports import jobs
from crm_api.interactions.models import InteractionLog
from crm_common.testing import eventually

JOBS = "/api/import/jobs"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_of(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["first_name", "last_name", "email"])
    for index in range(rows):
        sheet.append([f"Ada{index}", "Lovelace", f"lp{index}@office.example"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_of(rows: int, *, bad_row: int | None = None) -> bytes:
    lines = ["first_name,last_name,email,organization,organization_domain"]
    for index in range(rows):
        email = "not-an-email" if index == bad_row else f"lp{index}@office{index % 7}.example"
        lines.append(f"Ada{index},Lovelace,{email},Office {index % 7},office{index % 7}.example")
    return ("\n".join(lines) + "\n").encode()


def submit(
    client: TestClient,
    token: str,
    content: bytes,
    *,
    mode: str = "commit",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return client.post(
        JOBS,
        files={"file": ("lps.csv", content, "text/csv")},
        data={"mode": mode},
        headers=bearer(token) | (headers or {}),
    )


def wait_for(client: TestClient, token: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The job once it has ended (done, failed or cancelled)."""

    def ended() -> dict[str, Any] | None:
        job: dict[str, Any] = client.get(f"{JOBS}/{job_id}", headers=bearer(token)).json()
        return None if job["status"] in ("queued", "running") else job

    job = asyncio.run(eventually(ended, what=f"import job {job_id} ended", within=timeout))
    assert job is not None  # eventually returns only a truthy answer
    return job


def count(app: FastAPI, model: Any) -> int:
    with app.state.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def live(make_app: Callable[..., FastAPI]) -> Iterator[tuple[FastAPI, TestClient]]:
    """crm-api with its lifespan (the import worker runs), slicing every 40 rows."""
    app = make_app(import_slice_rows=40, import_slice_seconds=600, import_poll_interval=0.05)
    with TestClient(app) as client:
        yield app, client
    app.state.db.dispose()


def admin_of(client: TestClient) -> str:
    from api_helpers import register_admin

    return register_admin(client)


def test_a_job_imports_a_large_file_in_slices_with_progress_and_a_report(
    live: tuple[FastAPI, TestClient],
) -> None:
    app, client = live
    admin = admin_of(client)
    response = submit(client, admin, csv_of(130))
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == f"{JOBS}/{job['id']}"
    assert job["status"] == "queued"
    assert job["rows_total"] == 130

    done = wait_for(client, admin, job["id"])
    assert done["status"] == "succeeded", done
    assert done["rows_checked"] == done["rows_applied"] == 130
    assert done["totals"]["create"] == 130
    assert done["totals"]["organizations_created"] == 7
    assert count(app, Contact) == 130

    report = client.get(done["report_path"], headers=bearer(admin)).json()
    assert report["committed"] is True
    assert len(report["rows"]) == 130
    assert all(row["action"] == "create" and row["contact_id"] for row in report["rows"])
    # One interaction-log entry per slice of 40 rows, naming each record it touched.
    entries = client.get(
        "/api/interactions", params={"entity_type": "import"}, headers=bearer(admin)
    ).json()["items"]
    assert len(entries) == 4
    named = {(t["type"], t["id"]) for e in entries for t in e["targets"][1:]}
    assert len(named) == 130 + 7

    again = wait_for(client, admin, submit(client, admin, csv_of(130)).json()["id"])
    assert again["status"] == "succeeded"
    assert again["totals"]["create"] == 0
    assert again["totals"]["unchanged"] == 130
    assert count(app, Contact) == 130


def test_a_job_with_a_bad_row_is_refused_and_writes_nothing(
    live: tuple[FastAPI, TestClient],
) -> None:
    app, client = live
    admin = admin_of(client)
    before = len(events(app))
    job = wait_for(client, admin, submit(client, admin, csv_of(90, bad_row=77)).json()["id"])
    assert job["status"] == "refused"
    assert [row["row"] for row in job["error_rows"]] == [79]
    assert job["error_rows"][0]["errors"][0]["field"] == "email"
    assert job["rows_applied"] == 0
    assert count(app, Contact) == 0
    assert len(events(app)) == before

    dry = wait_for(client, admin, submit(client, admin, csv_of(50), mode="dry_run").json()["id"])
    assert dry["status"] == "succeeded"
    assert dry["totals"]["create"] == 50
    assert count(app, Contact) == 0


def test_a_bad_file_is_refused_when_submitted(client: TestClient, admin: str) -> None:
    response = submit(client, admin, b"\x00\x01binary")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:lp-crm:problem:not-csv"
    mapping = client.post(
        JOBS,
        files={"file": ("lps.csv", csv_of(3), "text/csv")},
        data={"mapping": '{"nope": "email"}'},
        headers=bearer(admin),
    )
    assert mapping.status_code == 422
    assert client.get(JOBS, headers=bearer(admin)).json()["items"] == []


def test_a_replayed_submission_gets_the_same_job(client: TestClient, admin: str) -> None:
    key = {"Idempotency-Key": "import-2026-12-01-lps"}
    first = submit(client, admin, csv_of(5), headers=key)
    second = submit(client, admin, csv_of(5), headers=key)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(JOBS, headers=bearer(admin)).json()["items"]) == 1
    assert submit(client, admin, csv_of(6), headers=key).status_code == 409


def test_only_the_submitter_and_admins_see_a_job(client: TestClient, admin: str) -> None:
    member = create_member(client, admin, username="mira")
    other = create_member(client, admin, username="otto")
    job = submit(client, member, csv_of(3)).json()
    assert client.get(f"{JOBS}/{job['id']}", headers=bearer(member)).status_code == 200
    assert client.get(f"{JOBS}/{job['id']}", headers=bearer(other)).status_code == 404
    assert client.post(f"{JOBS}/{job['id']}/cancel", headers=bearer(other)).status_code == 404
    assert client.get(f"{JOBS}/{job['id']}", headers=bearer(admin)).status_code == 200
    assert client.get(JOBS, headers=bearer(other)).json()["items"] == []
    assert client.get(JOBS, params={"everyone": True}, headers=bearer(other)).status_code == 422
    everyone = client.get(JOBS, params={"everyone": True}, headers=bearer(admin)).json()
    assert [j["id"] for j in everyone["items"]] == [job["id"]]


def test_a_queued_job_can_be_cancelled(client: TestClient, admin: str, app: FastAPI) -> None:
    job = submit(client, admin, csv_of(3)).json()  # no lifespan here: nobody runs it
    cancelled = client.post(f"{JOBS}/{job['id']}/cancel", headers=bearer(admin))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    stopping = threading.Event()
    assert jobs.run_next(app.state.db, instance="test", stopping=stopping) is False
    assert count(app, Contact) == 0


class _StopsAfter(threading.Event):
    """A stop signal that arrives after the worker has looked at it `calls` times."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.calls = calls

    def is_set(self) -> bool:
        self.calls -= 1
        return self.calls < 0


class _Slices(TypedDict):
    slice_rows: int
    slice_seconds: float


def test_a_job_interrupted_between_slices_resumes_where_it_stopped(
    client: TestClient, admin: str, app: FastAPI
) -> None:
    job = submit(client, admin, csv_of(100)).json()
    db = app.state.db
    # Stops before its third slice: two slices of 40 are in, the job is queued again.
    slices: _Slices = {"slice_rows": 40, "slice_seconds": 600.0}
    assert jobs.run_next(db, instance="first", stopping=_StopsAfter(2), **slices)
    halfway = client.get(f"{JOBS}/{job['id']}", headers=bearer(admin)).json()
    assert halfway["status"] == "queued"
    assert halfway["rows_applied"] == 80
    assert count(app, Contact) == 80

    assert jobs.run_next(db, instance="second", stopping=threading.Event(), **slices)
    done = client.get(f"{JOBS}/{job['id']}", headers=bearer(admin)).json()
    assert done["status"] == "succeeded", done
    assert done["rows_applied"] == 100
    assert done["totals"]["create"] == 100
    assert count(app, Contact) == 100
    with db.session() as session:
        entries = session.scalar(
            select(func.count())
            .select_from(InteractionLog)
            .where(InteractionLog.action == "import.contacts")
        )
    assert entries == 3


def test_a_slice_ends_when_its_time_is_up(client: TestClient, admin: str, app: FastAPI) -> None:
    job = submit(client, admin, csv_of(5)).json()
    # No time at all: each slice ends after its first row, the longest SQLite's writers wait.
    ran = jobs.run_next(
        app.state.db,
        instance="test",
        stopping=threading.Event(),
        slice_rows=500,
        slice_seconds=1e-9,
    )
    assert ran
    done = client.get(f"{JOBS}/{job['id']}", headers=bearer(admin)).json()
    assert done["status"] == "succeeded"
    assert done["totals"]["create"] == 5
    entries = client.get(
        "/api/interactions", params={"entity_type": "import"}, headers=bearer(admin)
    ).json()["items"]
    assert len(entries) == 5


def test_a_job_of_a_deactivated_user_fails_without_writing(
    client: TestClient, admin: str, app: FastAPI
) -> None:
    member = create_member(client, admin, username="leaver")
    job = submit(client, member, csv_of(3)).json()
    users = client.get("/api/users", headers=bearer(admin)).json()
    leaver = next(u for u in users if u["username"] == "leaver")
    response = client.patch(
        f"/api/admin/users/{leaver['id']}", json={"is_active": False}, headers=bearer(admin)
    )
    assert response.status_code == 200, response.text
    assert jobs.run_next(app.state.db, instance="test", stopping=threading.Event())
    failed = client.get(f"{JOBS}/{job['id']}", headers=bearer(admin)).json()
    assert failed["status"] == "failed"
    assert "can no longer import" in failed["error"]
    assert count(app, Contact) == 0


def test_a_synchronous_commit_of_too_many_rows_points_at_jobs(
    make_app: Callable[..., FastAPI],
) -> None:
    app = make_app(max_sync_import_rows=10)
    client = TestClient(app)
    admin = admin_of(client)
    response = client.post(
        "/api/import/contacts",
        files={"file": ("lps.csv", csv_of(11), "text/csv")},
        data={"mode": "commit"},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert response.json()["jobs"] == JOBS
    dry = client.post(
        "/api/import/contacts",
        files={"file": ("lps.csv", csv_of(11), "text/csv")},
        data={"mode": "dry_run"},
        headers=bearer(admin),
    )
    assert dry.status_code == 200
    app.state.db.dispose()


def test_a_damaged_xlsx_job_is_refused_when_submitted(client: TestClient, admin: str) -> None:
    response = client.post(
        JOBS,
        files={"file": ("lps.xlsx", b"PK\x03\x04 broken", XLSX)},
        data={"mode": "commit"},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert response.json()["type"] == "urn:lp-crm:problem:not-xlsx"


def test_an_xlsx_job_imports_in_slices_with_progress_and_a_report(
    live: tuple[FastAPI, TestClient],
) -> None:
    app, client = live
    token = admin_of(client)
    response = client.post(
        JOBS,
        files={"file": ("lps.xlsx", xlsx_of(100), XLSX)},
        data={"mode": "commit"},
        headers=bearer(token),
    )
    assert response.status_code == 202, response.text
    assert response.json()["rows_total"] == 100
    job = wait_for(client, token, response.json()["id"])
    assert (job["status"], job["rows_applied"]) == ("succeeded", 100)
    report = client.get(job["report_path"], headers=bearer(token)).json()
    assert (report["format"], report["totals"]["create"]) == ("xlsx", 100)
    assert count(app, Contact) == 100
