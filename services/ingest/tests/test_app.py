"""ingest's process: its command line and its health check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import migrate

from crm_common.natsd import NatsServer
from crm_common.testing import poll_health
from crm_ingest.app import create_app
from crm_ingest.embeddings.minilm import MiniLMEmbedder
from crm_ingest.settings import Settings


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crm_ingest", "--help"], capture_output=True, text=True, check=True
    )
    assert "serve" in result.stdout
    assert "reindex" in result.stdout


def test_health_reports_the_database_the_bus_and_the_index(
    tmp_path: Path, nats_server: NatsServer, minilm: MiniLMEmbedder
) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    migrate(settings)
    with TestClient(create_app(settings, embedder=minilm)) as client:
        body = poll_health(client, "/health", status=200, timeout=60)
        assert set(body["checks"]) == {"database", "bus", "index"}
        assert all(check["ok"] for check in body["checks"].values())

        nats_server.stop()
        body = poll_health(client, "/health", status=503)
        assert body["checks"]["bus"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
        assert "crm_events_consumed_total" in client.get("/metrics").text


def test_health_names_a_collection_built_by_another_model(
    tmp_path: Path, nats_server: NatsServer, minilm: MiniLMEmbedder, bge_m3: object
) -> None:
    settings = Settings(DATA_DIR=tmp_path, NATS_URL=nats_server.url)
    migrate(settings)
    with TestClient(create_app(settings, embedder=bge_m3)) as client:  # type: ignore[arg-type]
        poll_health(client, "/health", status=200, timeout=60)
    app = create_app(settings, embedder=minilm)
    with TestClient(app) as client:
        ingest = app.state.ingest
        client.portal.call(ingest.ready.wait)  # type: ignore[union-attr]
        body = client.get("/health").json()
        assert body["status"] == "degraded"
        assert body["checks"]["index"]["ok"] is False
        assert "ingest reindex" in body["checks"]["index"]["error"]
