#!/usr/bin/env bash
# deps.sh: install the Debian packages the harness needs; a quiet no-op when
# they are all present.
set -euo pipefail

pkgs="linux-source-6.12 linux-headers-amd64 linux-image-amd64 linux-image-6.12-amd64
linux-headers-6.12-amd64 qemu-system-x86 busybox-static bc flex bison libelf-dev
libssl-dev cpio kmod python3 sparse gnuplot-nox python3-docutils dkms xz-utils
linux-image-rt-amd64 linux-headers-rt-amd64"

missing=()
for p in $pkgs; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo)
else
	echo "ktpool: missing packages, install them as root:" >&2
	echo "  apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "==> installing ${missing[*]}" >&2
# INITRD=No: the guests boot an initramfs of their own, so skip the kernel
# packages' mkinitramfs (about half a minute per kernel on 2 cores)
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive INITRD=No \
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
