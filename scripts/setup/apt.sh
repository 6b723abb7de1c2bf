# shellcheck shell=bash
# Sourced by the setup scripts: apt_ensure TAG PACKAGE… installs the Debian packages that are
# not installed yet, waiting for the apt lock another setup script may hold instead of
# failing, and refreshing the package lists once (a fresh image has none). Returns at once
# when everything is present.
apt_ensure() {
	local tag=$1
	shift
	local missing=() p
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing+=("$p")
		fi
	done
	((${#missing[@]})) || return 0
	local sudo=""
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || { echo "$tag: need root to install: ${missing[*]}" >&2; return 1; }
		sudo="sudo"
	fi
	echo "$tag: installing ${missing[*]}" >&2
	local try updated=0
	for try in $(seq 1 60); do
		if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
			return 0
		fi
		if ((updated == 0)) && $sudo apt-get update -qq; then
			updated=1
			continue
		fi
		echo "$tag: apt-get failed (lock held?), retry $try/60 in 5 s" >&2
		sleep 5
	done
	echo "$tag: could not install ${missing[*]}" >&2
	return 1
}
