#!/usr/bin/env bash
# Installs the disposable-email-domain list the email engine (checks/email) needs:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/lists/disposable-email-domains-1.0.62/
#       index.json     domains that are disposable exactly
#       wildcard.json  domains whose every subdomain is disposable too
#       package.json, LICENSE (MIT)
#   from the npm package disposable-email-domains@1.0.62 (upstream
#   github.com/ivolo/disposable-email-domains).
#
# The version is pinned here and in checks/email (DisposablePackage); the tarball's sha512
# must equal the pinned integrity and what the registry reports. Nothing is installed with
# npm and no package script runs. Idempotent: a stamp file makes a second run a no-op.
set -euo pipefail
here="$(dirname "$0")"
source "${here}/apt.sh"
source "${here}/npm.sh"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
PKG="disposable-email-domains"
VERSION="1.0.62"
INTEGRITY="sha512-LBQvhRw7mznQTPoyZbsmYeNOZt1pN5aCsx4BAU/3siVFuiM9f2oyKzUaB8v1jbxFjE3aYqYiMo63kAL4pHgfWQ=="
DEST="${CACHE_DIR}/lists/${PKG}-${VERSION}"
STAMP="${DEST}/.installed"

log() { printf 'email setup: %s\n' "$*" >&2; }

if [[ -f "${STAMP}" && "$(cat "${STAMP}")" == "${PKG}@${VERSION} ${INTEGRITY}" && -s "${DEST}/index.json" && -s "${DEST}/wildcard.json" ]]; then
	exit 0
fi

missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v tar >/dev/null 2>&1 || missing+=(tar)
if ((${#missing[@]})); then
	apt_ensure email "${missing[@]}"
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
log "fetching ${PKG}@${VERSION} from the npm registry"
tgz="$(npm_fetch_verified "${PKG}" "${VERSION}" "${INTEGRITY}" "${work}")"
tar -xzf "${tgz}" -C "${work}" package/index.json package/wildcard.json package/package.json
tar -xzf "${tgz}" -C "${work}" package/LICENSE 2>/dev/null || true
# Refuse a list that is not a JSON array of strings before it replaces a good one.
node -e 'for (const f of process.argv.slice(1)) { const v = JSON.parse(require("fs").readFileSync(f, "utf8")); if (!Array.isArray(v) || v.some(x => typeof x !== "string")) { console.error(f + ": not a JSON array of strings"); process.exit(1) } }' \
	"${work}/package/index.json" "${work}/package/wildcard.json"
mkdir -p "${DEST}"
for f in index.json wildcard.json package.json LICENSE; do
	[[ -f "${work}/package/${f}" ]] || continue
	install -m 0644 "${work}/package/${f}" "${DEST}/${f}.tmp"
	mv -f "${DEST}/${f}.tmp" "${DEST}/${f}"
done
printf '%s\n' "${PKG}@${VERSION} ${INTEGRITY}" >"${STAMP}"
log "installed $(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1])).length))' "${DEST}/index.json") domains into ${DEST}"
