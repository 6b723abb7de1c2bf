#!/usr/bin/env bash
# Installs the face recognition network of @vladmandic/face-api (npm, MIT; the weights are dlib's
# face recognition ResNet as face-api.js ported it — origin and licence: docs/models.md) and converts
# it to ONNX with the repository's converter (internal/tfjs2onnx, -faceapi-recognition):
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/models/face-api-1.7.15/face_recognition_model-weights_manifest.json, .bin
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/models/face-api-1.7.15/faceapi-recognition.onnx     converted
#
# The tarball must match the pinned sha512 (and the registry's); the converted file must match its
# pinned sha256. Idempotent: returns at once when everything is present with its pinned hash.
# This is the service's default face embedding (checks/face DefaultEmbeddings).
#   --test   also keeps the package's own bundled build (dist/face-api.esm.js), which the converter's
#            test runs as the reference.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
source "$(dirname "$0")/npm.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
PKG="@vladmandic/face-api"
VERSION="1.7.15"
INTEGRITY="sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw=="
DIR="${CACHE_DIR}/models/face-api-${VERSION}"
ONNX_NAME="faceapi-recognition"
ONNX_SHA256="43af6694d4b7ead2262496dbfe7610e849bf16b3319ba2e7fbc8466b795aa85e"
WEIGHTS=(face_recognition_model-weights_manifest.json face_recognition_model.bin)

log() { printf 'face-api setup: %s\n' "$*" >&2; }

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

installed() {
	local f
	for f in "${WEIGHTS[@]}" LICENSE; do
		[[ -f "${DIR}/${f}" ]] || return 1
	done
	((want_test == 0)) || [[ -f "${DIR}/dist/face-api.esm.js" ]] || return 1
	[[ -f "${DIR}/${ONNX_NAME}.onnx" && "$(sha256sum "${DIR}/${ONNX_NAME}.onnx" | cut -d' ' -f1)" == "${ONNX_SHA256}" ]] || return 1
	[[ -f "${DIR}/.installed" && "$(cat "${DIR}/.installed")" == "${PKG}@${VERSION} ${INTEGRITY}" ]]
}

if installed; then
	log "face recognition network already in ${DIR}"
	exit 0
fi
command -v npm >/dev/null 2>&1 || apt_ensure faceapi nodejs npm
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
log "fetching ${PKG}@${VERSION} from the npm registry (13 MB)"
tgz="$(npm_fetch_verified "${PKG}" "${VERSION}" "${INTEGRITY}" "${work}")"
members=(package/LICENSE package/package.json)
for f in "${WEIGHTS[@]}"; do
	members+=("package/model/${f}")
done
((want_test)) && members+=(package/dist/face-api.esm.js)
tar -xzf "${tgz}" -C "${work}" "${members[@]}"
mkdir -p "${DIR}"
install -m 0644 "${work}/package/LICENSE" "${work}/package/package.json" "${DIR}/"
for f in "${WEIGHTS[@]}"; do
	install -m 0644 "${work}/package/model/${f}" "${DIR}/"
done
if ((want_test)); then
	mkdir -p "${DIR}/dist"
	install -m 0644 "${work}/package/dist/face-api.esm.js" "${DIR}/dist/"
fi
(cd "${ROOT}" && go build -o "${work}/tfjs2onnx" ./internal/tfjs2onnx/cmd/tfjs2onnx)
"${work}/tfjs2onnx" -faceapi-recognition -in "${DIR}/${WEIGHTS[0]}" -out "${work}/${ONNX_NAME}.onnx" \
	-nchw -input input -batch 1 -output descriptor=embedding
got="$(sha256sum "${work}/${ONNX_NAME}.onnx" | cut -d' ' -f1)"
if [[ "${got}" != "${ONNX_SHA256}" ]]; then
	log "${ONNX_NAME}.onnx: sha256 ${got}, pinned ${ONNX_SHA256}; refusing (converter or package changed)"
	exit 1
fi
install -m 0644 "${work}/${ONNX_NAME}.onnx" "${DIR}/"
printf '%s\n' "${PKG}@${VERSION} ${INTEGRITY}" >"${DIR}/.installed"
log "face recognition network installed in ${DIR}"
