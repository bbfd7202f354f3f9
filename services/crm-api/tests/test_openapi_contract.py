"""The OpenAPI document is a public contract: it changes only on purpose.

The committed copy is `services/crm-api/openapi.json`; `scripts/openapi.py` rewrites it when a
change to the API is meant.
"""

from __future__ import annotations

import json
from pathlib import Path

from crm_api.app import create_app
from crm_api.settings import Settings

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"


def test_the_openapi_document_is_byte_identical_to_the_committed_copy(tmp_path: Path) -> None:
    app = create_app(Settings(DATA_DIR=tmp_path))
    rendered = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert rendered == committed, (
        "crm-api's OpenAPI document differs from services/crm-api/openapi.json; "
        "run scripts/openapi.py if the change is meant"
    )
