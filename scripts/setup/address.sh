#!/usr/bin/env bash
# Installs what checks/address needs on Debian 12: poppler-utils (pdftotext reads a PDF's text
# layer, pdftoppm renders pages of image-only PDFs for OCR) and the Tesseract models of the
# languages of the supported countries (German, French, Spanish, Portuguese, Italian, Dutch,
# Polish; English comes with scripts/setup/document.sh). Idempotent: exits quickly when
# everything is present.
set -euo pipefail
source "$(dirname "$0")/apt.sh"

apt_ensure address poppler-utils tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa \
	tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-pol

for l in deu fra spa por ita nld pol; do
	if ! tesseract --list-langs 2>/dev/null | grep -qx "$l"; then
		echo "address: tesseract has no '$l' model after install" >&2
		exit 1
	fi
done
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || {
	echo "address: poppler-utils installed but pdftotext/pdftoppm not on PATH" >&2
	exit 1
}
