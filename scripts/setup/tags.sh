#!/usr/bin/env bash
# Prints the Go build tags this machine supports: tesseract when its headers are installed,
# onnx when a C compiler is present (ONNX Runtime itself is loaded at run time).
set -euo pipefail
tags=()
if command -v gcc >/dev/null 2>&1; then
	[[ -f /usr/include/tesseract/baseapi.h ]] && tags+=(tesseract)
	tags+=(onnx)
fi
echo "${tags[*]}"
