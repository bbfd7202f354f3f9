#!/usr/bin/env bash
# Run the whole system under honcho on the embedded defaults; Ctrl-C stops everything.
# NATS_URL unset: an embedded nats-server (JetStream, store under DATA_DIR/nats) on NATS_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DATA_DIR="${DATA_DIR:-$PWD/data}"
mkdir -p "$DATA_DIR"

services="crm-api mcp-gateway gmail-sync resolver ingest"
procs="$services"
if [ -z "${NATS_URL:-}" ]; then
  export NATS_PORT="${NATS_PORT:-4223}"
  export NATS_URL="nats://127.0.0.1:${NATS_PORT}"
  procs="nats $procs"
  nats_note="embedded nats-server, store $DATA_DIR/nats"
else
  nats_note="external"
fi

for svc in crm-api gmail-sync resolver ingest; do
  "$svc" migrate >/dev/null
done

host() { local v="${1}_HOST"; echo "${!v:-127.0.0.1}"; }
port() { local v="${1}_PORT"; echo "${!v:-$2}"; }
cat <<BANNER
LP CRM, data in $DATA_DIR
  NATS         $NATS_URL ($nats_note)
  crm-api      http://$(host CRM_API):$(port CRM_API 8080)/  (health /api/health, API docs /api/docs)
  mcp-gateway  http://$(host MCP_GATEWAY):$(port MCP_GATEWAY 8081)/health
  gmail-sync   http://$(host GMAIL_SYNC):$(port GMAIL_SYNC 8082)/health
  resolver     http://$(host RESOLVER):$(port RESOLVER 8083)/health
  ingest       http://$(host INGEST):$(port INGEST 8084)/health
Ctrl-C stops them all.
BANNER

# shellcheck disable=SC2086 # the process names are words
exec honcho -f Procfile start $procs
