#!/usr/bin/env bash
# Installs what checks/document needs on Debian 12: Tesseract with the English
# model and its development headers (for builds with -tags tesseract), and the
# OCR-B font (used by the training program; the synthetic generator embeds its
# own copy). Idempotent: exits quickly when everything is present.
set -euo pipefail
source "$(dirname "$0")/apt.sh"

apt_ensure document tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev fonts-ocr-b fonts-dejavu-core

# Sanity: the English model must be where libtesseract looks for it.
if ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
	echo "document: tesseract has no 'eng' model after install" >&2
	exit 1
fi
