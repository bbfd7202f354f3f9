"""Backups of the whole CRM database: consistent while writing, verified, previewed, restored
(after a pre-restore backup, with a snapshot), admin-only; a corrupted backup fails verification."""

from __future__ import annotations

import argparse
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import crm_factories as make
from api_helpers import bearer, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import edit_cell, funds, grid, org_row
from sqlalchemy import select

from conftest import build_settings
from crm_api.auth.principal import SYSTEM
from crm_api.backups.policy import run_due
from crm_api.backups.store import Store, sha256
from crm_api.cli import run_backups
from crm_api.contacts.models import Contact
from crm_common.models import outbox


def backup(client: TestClient, token: str, note: str = "") -> dict[str, Any]:
    response = client.post("/api/admin/backups", json={"note": note}, headers=bearer(token))
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def restore(client: TestClient, token: str, backup_id: str, expect: int = 200) -> dict[str, Any]:
    response = client.post(
        f"/api/admin/backups/{backup_id}/restore",
        json={"confirm": backup_id},
        headers=bearer(token),
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def backup_file(app: FastAPI, made: dict[str, Any]) -> Path:
    path: Path = app.state.backups.directory / made["file"]
    return path


def test_a_backup_is_verified_listed_and_logged(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    make.contact(client, admin)
    made = backup(client, admin, note="before the board meeting")
    assert made["kind"] == "manual"
    assert made["verification"]["ok"] is True
    assert made["counts"]["contact"] == 1
    assert made["schema_revision"]
    path = backup_file(app, made)
    assert path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    listed = client.get("/api/admin/backups", headers=bearer(admin)).json()
    assert listed["available"] is True
    assert [b["id"] for b in listed["items"]] == [made["id"]]
    verified = client.post(f"/api/admin/backups/{made['id']}/verify", headers=bearer(admin))
    assert verified.json()["verification"]["ok"] is True
    assert [e["type"] for e in events(app, "crm.backup.")] == [
        "crm.backup.created",
        "crm.backup.updated",
    ]
    audit = client.get(
        "/api/audit-log", params={"entity_type": "backup"}, headers=bearer(admin)
    ).json()["items"]
    assert {a["action"] for a in audit} == {"create", "verify"}


def test_backups_are_for_admins_only(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    assert client.get("/api/admin/backups", headers=bearer(member)).status_code == 403
    assert client.post("/api/admin/backups", json={}, headers=bearer(member)).status_code == 403


def test_a_corrupted_backup_fails_verification_and_is_not_restored(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    contact = make.contact(client, admin)
    made = backup(client, admin)
    path = backup_file(app, made)
    original = path.read_bytes()
    # A flipped byte: the checksum no longer matches the manifest.
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    checked = client.post(f"/api/admin/backups/{made['id']}/verify", headers=bearer(admin)).json()
    assert checked["verification"]["ok"] is False
    assert checked["verification"]["checksum_ok"] is False
    # A file rewritten with a manifest to match: the checksum passes, the integrity check not.
    if made["backend"] == "sqlite":
        broken = bytearray(original)
        page = 4096
        broken[page : page * 3] = b"\xde\xad\xbe\xef" * (page // 2)
    else:
        broken = bytearray(original[: len(original) // 3])
    path.write_bytes(bytes(broken))
    manifest_path = app.state.backups.manifest_path(made["id"])
    manifest = json.loads(manifest_path.read_text())
    manifest["size"] = len(broken)
    manifest["sha256"] = sha256(path)
    manifest_path.write_text(json.dumps(manifest))
    checked = client.post(f"/api/admin/backups/{made['id']}/verify", headers=bearer(admin)).json()
    assert checked["verification"]["checksum_ok"] is True
    assert checked["verification"]["integrity_ok"] is False
    assert checked["verification"]["ok"] is False
    refused = restore(client, admin, made["id"], expect=409)
    assert refused["type"].endswith("backup-corrupt")
    assert client.get(f"/api/contacts/{contact['id']}", headers=bearer(admin)).status_code == 200


def test_a_restore_brings_the_whole_database_back(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    (fund,) = funds(client, admin, "Fund III")
    row = org_row(client, admin, "Harbor")
    cell = edit_cell(client, admin, row["id"], fund["id"], 0, committed_amount="100.00")
    kept = make.contact(client, admin, first_name="Kept")
    made = backup(client, admin)

    # After the backup: a new contact, a changed cell, a renamed contact.
    extra = make.contact(client, admin, first_name="Extra")
    changed = edit_cell(
        client, admin, row["id"], fund["id"], cell["version"], committed_amount="999.00"
    )
    renamed = client.patch(
        f"/api/contacts/{kept['id']}",
        json={"first_name": "Renamed"},
        headers=bearer(admin) | {"If-Match": '"1"'},
    ).json()

    preview = client.get(f"/api/admin/backups/{made['id']}/preview", headers=bearer(admin)).json()
    contacts = next(t for t in preview["tables"] if t["table"] == "contact")
    if preview["exact"]:
        assert contacts["removed"] == 1
        assert contacts["sample_removed"] == [extra["id"]]
        assert contacts["changed"] == 1
    assert (contacts["live"], contacts["backup"]) == (2, 1)
    assert "interaction_log" in preview["kept"]

    result = restore(client, admin, made["id"])
    assert result["pre_restore_backup"]["kind"] == "pre_restore"
    assert result["kept_log_entries"] > 0
    assert client.get(f"/api/contacts/{extra['id']}", headers=bearer(admin)).status_code == 404
    back = client.get(f"/api/contacts/{kept['id']}", headers=bearer(admin)).json()["contact"]
    assert back["first_name"] == "Kept"
    assert back["version"] > renamed["version"]  # past every version published before
    restored_cell = grid(client, admin)["rows"][0]["cells"][fund["id"]]
    assert restored_cell["committed_amount"] == "100.00"
    assert restored_cell["version"] > changed["version"]

    types = [e["type"] for e in events(app)]
    after = types[types.index("crm.backup.restored") :]
    assert "crm.snapshot.started" in after
    assert "crm.snapshot.completed" in after
    assert [e["subject"] for e in events(app, "crm.contact.purged")] == [extra["id"]]
    # The interaction log kept what happened after the backup, and its chain holds.
    verified = client.get("/api/admin/interactions/verify", headers=bearer(admin)).json()
    assert verified["ok"] is True
    touches = client.get(
        "/api/interactions",
        params={"entity_type": "contact", "entity_id": extra["id"]},
        headers=bearer(admin),
    ).json()["items"]
    assert touches, "the touch of the contact made after the backup is kept"
    # The pre-restore backup can undo the restore.
    listed = client.get("/api/admin/backups", headers=bearer(admin)).json()["items"]
    assert {b["kind"] for b in listed} == {"manual", "pre_restore"}


def test_a_backup_taken_during_concurrent_writes_restores_to_a_consistent_database(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    stop = threading.Event()
    written: list[str] = []

    def writer(index: int) -> None:
        own = TestClient(app)
        n = 0
        while not stop.is_set():
            response = own.post(
                "/api/contacts",
                json={"first_name": f"W{index}", "last_name": f"N{n}"},
                headers=bearer(admin),
            )
            assert response.status_code == 201, response.text
            written.append(response.json()["id"])
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        made = backup(client, admin)
        while len(written) < made["counts"]["contact"] + 5:
            threading.Event().wait(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert 0 < made["counts"]["contact"] < len(written)

    restore(client, admin, made["id"])
    with app.state.db.session() as session:
        contacts = set(session.scalars(select(Contact.id)))
        created = {
            json.loads(payload)["subject"]
            for (payload,) in session.execute(
                select(outbox.c.payload).where(outbox.c.subject == "crm.contact.created")
            )
        }
    # One instant: every contact in the restored database has its event, and every event its
    # contact (a change and its event are one transaction).
    assert len(contacts) == made["counts"]["contact"]
    assert contacts == created
    assert client.get("/api/admin/interactions/verify", headers=bearer(admin)).json()["ok"] is True


def test_the_policy_takes_automatic_backups_and_prunes_them(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    store = app.state.backups
    db = app.state.db
    policy = client.get("/api/admin/backups/policy", headers=bearer(admin)).json()
    assert policy["enabled"] is True
    updated = client.put(
        "/api/admin/backups/policy",
        json={"enabled": True, "interval_hours": 1, "keep_last": 2},
        headers=bearer(admin),
    )
    assert updated.status_code == 200, updated.text
    now = datetime.now(UTC)
    assert run_due(db, store, actor=SYSTEM, now=now) is None  # not due yet
    taken = []
    for hour in range(1, 4):
        made = run_due(db, store, actor=SYSTEM, now=now + timedelta(hours=hour, minutes=hour))
        assert made is not None
        taken.append(made.id)
    autos = [
        b["id"] for b in client.get("/api/admin/backups", headers=bearer(admin)).json()["items"]
    ]
    assert autos == taken[:0:-1]  # the newest two kept
    assert [e["type"] for e in events(app, "crm.backup.deleted")] == ["crm.backup.deleted"]


def test_unknown_backup_ids_are_404_and_never_a_path(client: TestClient, admin: str) -> None:
    for backup_id in ("../../etc/passwd", "nope", "01930000-0000-7000-8000-000000000000"):
        response = client.get(f"/api/admin/backups/{backup_id}", headers=bearer(admin))
        assert response.status_code == 404
    made = backup(client, admin)
    wrong = client.post(
        f"/api/admin/backups/{made['id']}/restore", json={"confirm": "yes"}, headers=bearer(admin)
    )
    assert wrong.status_code == 409


def test_an_operator_backs_up_and_restores_from_the_command_line(
    tmp_path: Path, database_url: str, client: TestClient, admin: str
) -> None:
    settings = build_settings(tmp_path, database_url)
    contact = make.contact(client, admin)
    made_args = argparse.Namespace(backups_command="create", note="cli")
    assert run_backups(made_args, settings) == 0
    (made,) = Store(settings.backups_path).all()
    client.delete(f"/api/contacts/{contact['id']}", headers=bearer(admin))
    refused = argparse.Namespace(backups_command="restore", backup_id=made["id"], yes=False)
    assert run_backups(refused, settings) == 1
    assert (
        run_backups(argparse.Namespace(backups_command="verify", backup_id=made["id"]), settings)
        == 0
    )
    restored = argparse.Namespace(backups_command="restore", backup_id=made["id"], yes=True)
    assert run_backups(restored, settings) == 0
    assert client.get(f"/api/contacts/{contact['id']}", headers=bearer(admin)).status_code == 200


def test_a_retried_backup_request_takes_one_backup(client: TestClient, admin: str) -> None:
    headers = bearer(admin) | {"Idempotency-Key": "backup-2026-12-01"}
    first = client.post("/api/admin/backups", json={"note": "x"}, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/admin/backups", json={"note": "x"}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(client.get("/api/admin/backups", headers=bearer(admin)).json()["items"]) == 1
