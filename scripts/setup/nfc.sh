#!/usr/bin/env bash
# Installs what the ePassport chip engine (checks/nfc, verify/nfc.go) needs on Debian 12:
# OpenJPEG's command-line tools, whose opj_decompress converts the JPEG 2000 portraits most
# passports carry in DG2 so they can be compared with a selfie. Without it kycd still
# verifies chips and says in the result that a JPEG 2000 portrait was not compared.
# Idempotent: returns at once when the package is installed.
set -euo pipefail
source "$(dirname "$0")/apt.sh"

apt_ensure nfc libopenjp2-tools

if ! command -v opj_decompress >/dev/null 2>&1; then
	echo "nfc: opj_decompress missing after installing libopenjp2-tools" >&2
	exit 1
fi
