#!/usr/bin/env bash
# mypy over every package's sources, then over each test root and the root's tests, benchmarks
# and scripts. Test roots are checked one run each: their helpers are imported by bare name
# (pytest's `pythonpath`), so MYPYPATH must name the folders a root imports, and test file names
# repeat across services (test_app.py), which one run over all of them would see as duplicates.
set -euo pipefail
cd "$(dirname "$0")/.."
mypy=.venv/bin/mypy

"$mypy" libs/common/src libs/gmail-fake/src services/*/src
for root in libs/common/tests libs/gmail-fake/tests services/crm-api/tests services/mcp-gateway/tests \
  services/gmail-sync/tests services/resolver/tests; do
  MYPYPATH=$root "$mypy" "$root"
done
# ingest's tests run a real gmail-sync with gmail-sync's test helpers.
MYPYPATH=services/ingest/tests:services/gmail-sync/tests "$mypy" services/ingest/tests
# The end-to-end tests and the benchmarks use crm-api's and the gateway's test helpers.
MYPYPATH=services/crm-api/tests:services/mcp-gateway/tests:tests "$mypy" tests bench scripts
