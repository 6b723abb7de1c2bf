#!/usr/bin/env bash
# Installs what checks/document needs on Debian 12: Tesseract with the English
# model and its development headers (for builds with -tags tesseract), and the
# OCR-B font (used by the training program; the synthetic generator embeds its
# own copy). Idempotent: exits quickly when everything is present.
set -euo pipefail

pkgs=(tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev fonts-ocr-b fonts-dejavu-core)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "document: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

# apt is shared with other setup scripts: wait for the lock instead of failing.
apt_retry() {
	local i
	for i in $(seq 1 60); do
		if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "$@"; then
			return 0
		fi
		echo "document: apt-get $1 failed (lock held?), retry $i/60 in 5 s" >&2
		sleep 5
	done
	return 1
}

echo "document: installing ${missing[*]}"
apt_retry update -qq
apt_retry install -y -qq --no-install-recommends "${missing[@]}"

# Sanity: the English model must be where libtesseract looks for it.
if ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
	echo "document: tesseract has no 'eng' model after install" >&2
	exit 1
fi
echo "document: done"
