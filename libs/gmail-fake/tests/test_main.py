"""`python -m gmail_fake`: the fake in its own process, filled from the command line and driven
over /_fake/, as a benchmark uses it."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from crm_common.natsd import free_port
from crm_common.testing import eventually
from gmail_fake.testing import GMAIL_READONLY, delegated_credentials, make_message

ANN = "ann@fund.example"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    key = tmp_path / "service-account.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gmail_fake",
            "--port",
            str(port),
            "--generate",
            "30",
            "--seed",
            "2",
            "--service-account-key",
            str(key),
        ],
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def listening() -> bool:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                return httpx.get(f"{url}/_fake/requests").status_code == 200
            except httpx.TransportError:
                return False

        asyncio.run(eventually(listening, what="the fake listens", within=30))
        yield url, key
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def test_the_fake_serves_a_generated_mailbox_and_takes_new_mail_over_http(
    served: tuple[str, Path],
) -> None:
    url, key_file = served
    creds = delegated_credentials(json.loads(key_file.read_text()), ANN, [GMAIL_READONLY])
    raw = make_message(subject="Posted over /_fake/")

    with closing(
        build(
            "gmail",
            "v1",
            credentials=creds,
            static_discovery=True,
            client_options={"api_endpoint": f"{url}/"},
        )
    ) as gmail:
        before = gmail.users().getProfile(userId="me").execute()
        posted = httpx.post(
            f"{url}/_fake/users/{ANN}/messages",
            json={"raw": base64.urlsafe_b64encode(raw).decode(), "labelIds": ["INBOX"]},
        ).json()
        history = gmail.users().history().list(userId="me", startHistoryId=before["historyId"])
        added = history.execute()["history"]
        counts = httpx.get(f"{url}/_fake/requests").json()
        httpx.post(f"{url}/_fake/faults", json={"route": "gmail.users.getProfile", "status": 503})
        with pytest.raises(HttpError) as failed:
            gmail.users().getProfile(userId="me").execute()

    assert key_file.stat().st_mode & 0o777 == 0o600
    assert before["messagesTotal"] > 0
    assert [r["messagesAdded"][0]["message"]["id"] for r in added] == [posted["id"]]
    assert counts["gmail.users.history.list"] == 1
    assert failed.value.status_code == 503
