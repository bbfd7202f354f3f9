"""Write crm-api's OpenAPI document to `services/crm-api/openapi.json`, the committed copy that
`services/crm-api/tests/test_openapi_contract.py` holds the code to.

Run it when a change to the API is meant: `.venv/bin/python scripts/openapi.py`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from crm_api.app import create_app
from crm_api.settings import Settings

COMMITTED = Path(__file__).resolve().parent.parent / "services" / "crm-api" / "openapi.json"


def render() -> str:
    """The document as committed: two-space indents, keys in the app's order, a final newline."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(DATA_DIR=Path(data_dir)))
        return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    COMMITTED.write_text(render(), encoding="utf-8")
    print(f"wrote {COMMITTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
