#!/usr/bin/env bash
# Installs the free IP-to-country database the IP signals (checks/signals, issue #28) read:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/geoip/geo-whois-asn-country-mmdb-2.3.2026061719/
#       geo-whois-asn-country.mmdb   IPv4 and IPv6, MaxMind DB format, field country_code
#       NRO_LICENSE, README.md, package.json
#   from the npm package @ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719 (upstream
#   github.com/sapics/ip-location-db; data CC BY 4.0 by the NRO and others, see README.md).
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/geoip/asn-2.3.2026061719/
#       asn-ipv4.csv, asn-ipv6.csv   IP range → AS number and organisation (CSV; kycd reads it
#       into memory, checks/signals/asncsv.go), ROUTEVIEWS-LICENSE, DBIP-LICENSE, NRO_LICENSE
#   from the npm package @ip-location-db/asn@2.3.2026061719 (RouteViews, the five RIRs and
#   DB-IP's IP-to-ASN Lite, CC BY 4.0). ip-location-db publishes no MaxMind-format ASN file on
#   npm; operators with GeoLite2-ASN give it with --geoip-asn-db instead.
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

ASN_PKG="@ip-location-db/asn"
ASN_INTEGRITY="sha512-PpqYi7wyEyWwunXBtl+y3Vi403SvNywotWwvmiYCOUtE0SVol/Sf492Ee+eErEznmGapxEQB2SAfrpXuZ9a+vQ=="
ASN_DEST="${CACHE_DIR}/geoip/asn-${VERSION}"
ASN_STAMP="${ASN_DEST}/.installed"

country_done() { [[ -f "${STAMP}" && "$(cat "${STAMP}")" == "${PKG}@${VERSION} ${INTEGRITY}" && -s "${DEST}/${DB}" ]]; }
asn_done() { [[ -f "${ASN_STAMP}" && "$(cat "${ASN_STAMP}")" == "${ASN_PKG}@${VERSION} ${ASN_INTEGRITY}" && -s "${ASN_DEST}/asn-ipv4.csv" && -s "${ASN_DEST}/asn-ipv6.csv" ]]; }

if country_done && asn_done; then
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

if ! asn_done; then
	log "fetching ${ASN_PKG}@${VERSION} from the npm registry"
	tgz="$(npm_fetch_verified "${ASN_PKG}" "${VERSION}" "${ASN_INTEGRITY}" "${work}")"
	mkdir -p "${work}/asn"
	tar -xzf "${tgz}" -C "${work}/asn" package/asn-ipv4.csv package/asn-ipv6.csv package/ROUTEVIEWS-LICENSE package/DBIP-LICENSE package/NRO_LICENSE
	# A table whose first row is not "address,address,number,…" is not what kycd reads.
	for f in asn-ipv4.csv asn-ipv6.csv; do
		if ! head -n 1 "${work}/asn/package/${f}" | grep -qE '^[0-9a-fA-F:.]+,[0-9a-fA-F:.]+,[0-9]+,'; then
			log "${f} in ${ASN_PKG}@${VERSION} is not an IP-range-to-ASN table; refusing"
			exit 1
		fi
	done
	mkdir -p "${ASN_DEST}"
	for f in asn-ipv4.csv asn-ipv6.csv ROUTEVIEWS-LICENSE DBIP-LICENSE NRO_LICENSE; do
		install -m 0644 "${work}/asn/package/${f}" "${ASN_DEST}/${f}.tmp"
		mv -f "${ASN_DEST}/${f}.tmp" "${ASN_DEST}/${f}"
	done
	printf '%s\n' "${ASN_PKG}@${VERSION} ${ASN_INTEGRITY}" >"${ASN_STAMP}"
	log "installed ${ASN_DEST}/asn-ipv4.csv and asn-ipv6.csv"
fi
if country_done; then
	exit 0
fi

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
