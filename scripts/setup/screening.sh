#!/usr/bin/env bash
# Installs what the screening benchmark (bench/screening) needs and nothing the service needs:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/npm/faker/node_modules/@faker-js/faker
#       @faker-js/faker (MIT) from the npm registry, used at bench time by
#       bench/screening/gen_names.mjs to generate realistic non-listed names in many locales.
#
# The screening engine itself (checks/screening) is pure Go and needs no install.
# Idempotent: when the pinned version is already there, the script exits at once.
set -euo pipefail

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
FAKER_VERSION="10.6.0"
FAKER_DIR="${CACHE_DIR}/npm/faker"
STAMP="${FAKER_DIR}/.installed-${FAKER_VERSION}"

log() { printf 'screening setup: %s\n' "$*" >&2; }

if [[ -f "${STAMP}" && -f "${FAKER_DIR}/node_modules/@faker-js/faker/package.json" ]]; then
	exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	log "node and npm are needed for the benchmark's name generator; installing Debian's nodejs and npm"
	for i in 1 2 3 4 5 6; do
		if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; then
			break
		fi
		log "apt-get failed (lock held by someone else?), retrying in 10 s"
		sleep 10
	done
	command -v npm >/dev/null 2>&1 || { log "npm still missing"; exit 1; }
fi

mkdir -p "${FAKER_DIR}"
# A private package.json keeps the install out of any parent project's node_modules.
if [[ ! -f "${FAKER_DIR}/package.json" ]]; then
	printf '{ "name": "kycd-screening-bench", "private": true }\n' >"${FAKER_DIR}/package.json"
fi
log "installing @faker-js/faker@${FAKER_VERSION} into ${FAKER_DIR}"
npm install --prefix "${FAKER_DIR}" --no-audit --no-fund --ignore-scripts --loglevel=error \
	"@faker-js/faker@${FAKER_VERSION}" >&2
rm -f "${FAKER_DIR}"/.installed-*
touch "${STAMP}"
log "done"
