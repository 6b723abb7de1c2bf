#!/usr/bin/env bash
# Installs what the hosted-flow browser tests (test/browser) drive: Debian's headless-capable
# Chromium and its driver. chromedp talks to /usr/bin/chromium over the DevTools protocol;
# chromium-driver is installed too so WebDriver clients work the same way. Never a
# downloaded browser build. Idempotent: exits at once when both are present.
set -euo pipefail
source "$(dirname "$0")/apt.sh"

apt_ensure browser chromium chromium-driver fonts-dejavu-core

if ! chromium --version >/dev/null 2>&1; then
	echo "browser: chromium does not run after install" >&2
	exit 1
fi
