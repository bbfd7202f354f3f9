"""Write crm-api's OpenAPI document to `services/crm-api/openapi.json`, the committed copy that
`services/crm-api/tests/test_openapi_contract.py` holds the code to.

Run it when a change to the API is meant: `.venv/bin/python scripts/openapi.py`. It regenerates
the browser app's types from it too (`npm run api-types`, checked by `make lint`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from crm_api.app import create_app
from crm_api.settings import Settings

COMMITTED = Path(__file__).resolve().parent.parent / "services" / "crm-api" / "openapi.json"
WEB = COMMITTED.parent / "web"


def render() -> str:
    """The document as committed: two-space indents, keys in the app's order, a final newline."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(DATA_DIR=Path(data_dir)))
        return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    COMMITTED.write_text(render(), encoding="utf-8")
    print(f"wrote {COMMITTED}")
    npm = shutil.which("npm", path=str(Path(sys.executable).parent))
    if npm is None or not (WEB / "node_modules").is_dir():
        print("the web app's types were not regenerated: run `make install`, then this again")
        return 1
    subprocess.run([npm, "--prefix", str(WEB), "run", "api-types"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
