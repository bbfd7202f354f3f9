"""crm-api test fixtures: an app on a fresh, migrated database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_api.__main__ import DEFINITION
from crm_api.app import create_app
from crm_api.settings import Settings
from crm_common.cli import migrate


def build_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATA_DIR": tmp_path,
        "database_url": database_url,
        "secret_key": "k" * 24 + "test-secret-key-material",
        # OWASP's minimum argon2id cost keeps the suite quick; production uses the default.
        "argon2_memory_kib": 19_456,
        "argon2_time_cost": 2,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Callable[..., FastAPI]:
    def make(**overrides: Any) -> FastAPI:
        settings = build_settings(tmp_path, database_url, **overrides)
        migrate(DEFINITION, settings)
        return create_app(settings)

    return make


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> Iterator[FastAPI]:
    application = make_app()
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def admin(client: TestClient) -> str:
    return register_admin(client)
