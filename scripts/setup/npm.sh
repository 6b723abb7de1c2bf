# shellcheck shell=bash
# Sourced by setup scripts that take files out of npm packages without installing them:
#   npm_fetch_verified PKG VERSION INTEGRITY WORKDIR
# packs PKG@VERSION into WORKDIR with `npm pack --ignore-scripts` (no install scripts run),
# refuses unless both the registry's dist.integrity and the tarball's own sha512 equal the
# pinned INTEGRITY, and prints the tarball's path.

# npm_sri_sha512 prints the Subresource-Integrity form (sha512-<base64>) of a file.
npm_sri_sha512() {
	if command -v openssl >/dev/null 2>&1; then
		printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
	else
		node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
	fi
}

npm_fetch_verified() {
	local pkg="$1" version="$2" want="$3" work="$4" registry got tgz
	registry="$(npm view "${pkg}@${version}" dist.integrity 2>/dev/null | tail -n 1 | tr -d "'[:space:]")"
	if [[ "${registry}" != "${want}" ]]; then
		printf '%s@%s: registry integrity %s differs from the pinned %s; refusing\n' "${pkg}" "${version}" "${registry:-(none)}" "${want}" >&2
		return 1
	fi
	(cd "${work}" && npm pack --ignore-scripts --silent "${pkg}@${version}" >/dev/null) || return 1
	# npm names a scoped package's tarball without the @ and with - for / (@a/b → a-b-1.0.0.tgz).
	tgz="${pkg#@}"
	tgz="${work}/${tgz//\//-}-${version}.tgz"
	[[ -f "${tgz}" ]] || { printf 'npm pack did not produce %s\n' "${tgz}" >&2; return 1; }
	got="$(npm_sri_sha512 "${tgz}")"
	if [[ "${got}" != "${want}" ]]; then
		printf '%s@%s: tarball sha512 %s does not match %s; refusing\n' "${pkg}" "${version}" "${got}" "${want}" >&2
		return 1
	fi
	printf '%s\n' "${tgz}"
}
