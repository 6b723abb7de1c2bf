#!/usr/bin/env bash
# Installs everything kycd needs on a Debian machine, idempotently, then builds bin/kycd.
#   scripts/setup.sh          what the service needs (Tesseract, ONNX Runtime, face models)
#   scripts/setup.sh --test   also what the test suite needs (Node clients for the e2e tests, Chromium,
#                             staticcheck at its pinned version, recorded face videos and ffmpeg)
# Each part is a script under scripts/setup/ that returns at once when its work is done.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

log() { printf 'setup: %s\n' "$*" >&2; }

# Go toolchain check: the module says which version it needs.
if ! command -v go >/dev/null 2>&1; then
	if [[ -x /usr/local/go/bin/go ]]; then
		export PATH="/usr/local/go/bin:$PATH"
	else
		log "Go is not installed; install Go 1.26 (https://go.dev/doc/install) and rerun"
		exit 1
	fi
fi

bash scripts/setup/document.sh
bash scripts/setup/onnx.sh
bash scripts/setup/facemodels.sh "${1:-}"
bash scripts/setup/faceapi.sh "${1:-}"
bash scripts/setup/email.sh
bash scripts/setup/geoip.sh
bash scripts/setup/nfc.sh
bash scripts/setup/address.sh
if ((want_test)); then
	bash scripts/setup/e2e.sh
	bash scripts/setup/browser.sh
	bash scripts/setup/videos.sh
	bash scripts/setup/staticcheck.sh >/dev/null
fi

tags="$(bash scripts/setup/tags.sh)"
log "building bin/kycd (tags: ${tags:-none})"
go build -tags "${tags}" -ldflags "-X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -o bin/kycd ./cmd/kycd
