#!/usr/bin/env bash
# Installs staticcheck, the linter `make vet` and `make test` run, at a pinned version from the
# Go module proxy into bin/ (ignored by git). Idempotent: returns at once when bin/staticcheck
# is already that version. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=v0.8.2 # honnef.co/go/tools; bump deliberately, new releases add checks
bin="$PWD/bin/staticcheck"

if [[ -x "$bin" ]] && "$bin" -version 2>/dev/null | grep -qF "(${version#v})"; then
	echo "$bin"
	exit 0
fi
printf 'setup: installing staticcheck %s\n' "$version" >&2
GOBIN="$PWD/bin" go install "honnef.co/go/tools/cmd/staticcheck@$version"
echo "$bin"
