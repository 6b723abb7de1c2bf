#!/usr/bin/env bash
# Installs what the face, liveness and age engines (checks/face, checks/liveness,
# checks/age, built with -tags onnx) need at run time:
#
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/onnxruntime/libonnxruntime.so.1
#       ONNX Runtime 1.24.1 (C API 24, what github.com/yalue/onnxruntime_go v1.27.0 expects),
#       taken from the npm package onnxruntime-node@1.24.1 (MIT).
#   ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/models/faceplugin-0.0.1/*.onnx
#       the face models from the npm package faceplugin-face-recognition-js@0.0.1 (declared MIT).
#
# Both come from the npm registry with `npm pack` (never `npm install`: onnxruntime-node's
# install script downloads CUDA files from elsewhere). Each tarball's sha512 is checked
# against the integrity pinned below AND against what the registry reports, then only the
# needed files are extracted. Idempotent: a stamp file per package makes a second run a no-op.
set -euo pipefail
source "$(dirname "$0")/apt.sh"

CACHE_DIR="${KYCD_CACHE_DIR:-$HOME/.cache/kycd}"

ORT_PKG="onnxruntime-node"
ORT_VERSION="1.24.1"
ORT_INTEGRITY="sha512-Ex/oUXKdhDoxvlNxBT3oYtW0MH88yYpPlXQeVQUXpcJQmN24usd/8RCoPLN5kCHwDsiZ+nqsnjciyFRl423dQw=="
ORT_DIR="${CACHE_DIR}/onnxruntime"

FP_PKG="faceplugin-face-recognition-js"
FP_VERSION="0.0.1"
FP_INTEGRITY="sha512-shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw=="
FP_DIR="${CACHE_DIR}/models/faceplugin-${FP_VERSION}"
FP_MODELS=(fr_detect fr_landmark fr_feature fr_liveness fr_age fr_gender fr_eye fr_pose)

log() { printf 'onnx setup: %s\n' "$*" >&2; }

case "$(uname -m)" in
	x86_64 | amd64) ORT_ARCH="x64" ;;
	aarch64 | arm64) ORT_ARCH="arm64" ;;
	*)
		log "unsupported CPU architecture $(uname -m) (onnxruntime-node ships linux x64 and arm64)"
		exit 1
		;;
esac

ensure_tools() {
	local missing=()
	command -v npm >/dev/null 2>&1 || missing+=(npm)
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v tar >/dev/null 2>&1 || missing+=(tar)
	command -v gzip >/dev/null 2>&1 || missing+=(gzip)
	# cgo (onnxruntime_go) needs a C compiler to build with -tags onnx.
	command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
	if ((${#missing[@]})); then
		apt_ensure onnx "${missing[@]}"
	fi
}

# sri_sha512 prints the Subresource-Integrity form (sha512-<base64>) of a file.
sri_sha512() {
	node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# fetch_verified PKG VERSION INTEGRITY WORKDIR: npm pack into WORKDIR, check the hash, print the tarball path.
fetch_verified() {
	local pkg="$1" version="$2" want="$3" work="$4"
	local registry
	registry="$(npm view "${pkg}@${version}" dist.integrity 2>/dev/null | tail -n 1 | tr -d "'[:space:]")"
	if [[ "${registry}" != "${want}" ]]; then
		log "${pkg}@${version}: registry integrity '${registry}' differs from the pinned '${want}'; refusing"
		exit 1
	fi
	log "fetching ${pkg}@${version} from the npm registry"
	(cd "${work}" && npm pack --ignore-scripts --silent "${pkg}@${version}" >/dev/null)
	local tgz="${work}/${pkg}-${version}.tgz"
	if [[ ! -f "${tgz}" ]]; then
		log "npm pack did not produce ${tgz}"
		exit 1
	fi
	local got
	got="$(sri_sha512 "${tgz}")"
	if [[ "${got}" != "${want}" ]]; then
		log "${pkg}@${version}: tarball sha512 ${got} does not match ${want}; refusing"
		exit 1
	fi
	printf '%s\n' "${tgz}"
}

install_onnxruntime() {
	set -- ort
	local stamp="${ORT_DIR}/.installed"
	if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${ORT_PKG}@${ORT_VERSION} ${ORT_ARCH} ${ORT_INTEGRITY}" && -f "${ORT_DIR}/libonnxruntime.so.1" ]]; then
		log "onnxruntime ${ORT_VERSION} already in ${ORT_DIR}"
		return 0
	fi
	local work="${WORK_DIR}/$1"
	mkdir -p "${work}"
	local tgz
	tgz="$(fetch_verified "${ORT_PKG}" "${ORT_VERSION}" "${ORT_INTEGRITY}" "${work}")"
	local lib="package/bin/napi-v6/linux/${ORT_ARCH}/libonnxruntime.so.1"
	tar -xzf "${tgz}" -C "${work}" "${lib}" package/LICENSE package/package.json 2>/dev/null ||
		tar -xzf "${tgz}" -C "${work}" "${lib}"
	mkdir -p "${ORT_DIR}"
	install -m 0644 "${work}/${lib}" "${ORT_DIR}/libonnxruntime.so.1.tmp"
	mv -f "${ORT_DIR}/libonnxruntime.so.1.tmp" "${ORT_DIR}/libonnxruntime.so.1"
	ln -sfn libonnxruntime.so.1 "${ORT_DIR}/libonnxruntime.so"
	[[ -f "${work}/package/LICENSE" ]] && install -m 0644 "${work}/package/LICENSE" "${ORT_DIR}/LICENSE"
	printf '%s\n' "${ORT_PKG}@${ORT_VERSION} ${ORT_ARCH} ${ORT_INTEGRITY}" >"${stamp}"
	log "installed ${ORT_DIR}/libonnxruntime.so.1"
}

install_models() {
	set -- models
	local stamp="${FP_DIR}/.installed" m ok=1
	for m in "${FP_MODELS[@]}"; do
		[[ -f "${FP_DIR}/${m}.onnx" ]] || ok=0
	done
	if [[ ${ok} -eq 1 && -f "${stamp}" && "$(cat "${stamp}")" == "${FP_PKG}@${FP_VERSION} ${FP_INTEGRITY}" ]]; then
		log "face models already in ${FP_DIR}"
		return 0
	fi
	local work="${WORK_DIR}/$1"
	mkdir -p "${work}"
	local tgz
	tgz="$(fetch_verified "${FP_PKG}" "${FP_VERSION}" "${FP_INTEGRITY}" "${work}")"
	local members=(package/package.json)
	for m in "${FP_MODELS[@]}"; do
		members+=("package/model/${m}.onnx")
	done
	tar -xzf "${tgz}" -C "${work}" "${members[@]}"
	mkdir -p "${FP_DIR}"
	for m in "${FP_MODELS[@]}"; do
		install -m 0644 "${work}/package/model/${m}.onnx" "${FP_DIR}/${m}.onnx.tmp"
		mv -f "${FP_DIR}/${m}.onnx.tmp" "${FP_DIR}/${m}.onnx"
	done
	install -m 0644 "${work}/package/package.json" "${FP_DIR}/package.json"
	# SHA256SUMS lets an operator check the files; the engines hash them again at load.
	(cd "${FP_DIR}" && sha256sum ./*.onnx >SHA256SUMS)
	printf '%s\n' "${FP_PKG}@${FP_VERSION} ${FP_INTEGRITY}" >"${stamp}"
	log "installed ${#FP_MODELS[@]} models into ${FP_DIR}"
}

main() {
	WORK_DIR="$(mktemp -d)"
	trap 'rm -rf "${WORK_DIR}"' EXIT
	ensure_tools
	install_onnxruntime
	install_models
}

main "$@"
