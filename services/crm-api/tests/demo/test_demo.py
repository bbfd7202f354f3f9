"""The seeded synthetic CRM behind `make demo` and the benchmarks."""

from __future__ import annotations

from pathlib import Path

from api_helpers import bearer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_api.__main__ import DEFINITION
from crm_api.contacts.models import Contact, ContactEmail
from crm_api.demo.service import DemoSize, generate
from crm_api.settings import Settings
from crm_common.cli import migrate
from crm_common.db import Database

SMALL = DemoSize(organizations=20, contacts=60, communications=300, funds=3, seed=7)


def test_the_demo_data_follows_the_crms_rules_and_reads_through_the_api(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    result = generate(app.state.db, SMALL)
    assert result.counts["contact"] == 60
    assert result.counts["communication"] == 300
    contacts = client.get("/api/contacts", params={"limit": 500}, headers=bearer(admin)).json()
    assert contacts["total"] == 60
    emails = [c["primary_email"] for c in contacts["items"]]
    assert len(set(emails)) == 60
    dossier = client.get(f"/api/contacts/{result.contact_ids[0]}", headers=bearer(admin)).json()
    assert dossier["organizations"]
    assert dossier["latest_communications"]
    pipeline = client.get("/api/opportunities", params={"limit": 1}, headers=bearer(admin)).json()
    assert pipeline["total"] > 0


def _people(db_url: str) -> list[tuple[str, str, str]]:
    migrate(DEFINITION, Settings(database_url=db_url))
    db = Database(db_url)
    try:
        generate(db, SMALL)
        with db.session() as session:
            rows = session.execute(
                select(Contact.first_name, Contact.last_name, ContactEmail.email)
                .join(ContactEmail, ContactEmail.contact_id == Contact.id)
                .order_by(ContactEmail.email)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        db.dispose()


def test_the_same_seed_gives_the_same_crm(tmp_path: Path) -> None:
    first = _people(f"sqlite:///{tmp_path / 'a.db'}")
    second = _people(f"sqlite:///{tmp_path / 'b.db'}")
    assert len(first) == 60
    assert first == second
