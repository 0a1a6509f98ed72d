# shellcheck shell=bash
# Shared helpers for the ktpool harness; source it from the other scripts.

KTPOOL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KTPOOL_CACHE:-$HOME/.cache/ktpool}
KTPOOL_SRCDIRS="Kbuild kmod include kunit selftests samples bench"
mkdir -p "$CACHE/logs"

# ktpool_lock: one harness run at a time per cache (they share build dirs and
# logs, and 2 cores); nested scripts inherit the lock through KTPOOL_LOCKED.
ktpool_lock() {
	[ -z "${KTPOOL_LOCKED:-}" ] || return 0
	exec 9>"$CACHE/lock"
	if ! flock -n 9; then
		log "waiting for another ktpool harness run to finish (lock: $CACHE/lock)"
		flock 9
	fi
	export KTPOOL_LOCKED=1
}

die() { echo "ktpool: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

# result PASS|FAIL|SKIP <name>: print a verdict line, append it to
# $KTPOOL_RESULTS when set, and set the caller's rc=1 unless it passed.
result() { # status name
	echo "$1 $2"
	[ -z "${KTPOOL_RESULTS:-}" ] || echo "$1 $2" >>"$KTPOOL_RESULTS"
	[ "$1" = PASS ] || rc=1
}

# ktpool_krel 6.1|6.12|6.1-rt: newest installed stock Debian kernel release
# of that series (6.1-rt: Debian's PREEMPT_RT build of 6.1).
ktpool_krel() {
	local pat v rt=-v
	case "$1" in
	6.1) pat="/boot/vmlinuz-6.1.0-*-amd64" ;;
	6.1-rt) pat="/boot/vmlinuz-6.1.0-*-rt-amd64" rt= ;;
	6.12) pat="/boot/vmlinuz-6.12.*+deb12-amd64" ;;
	*) die "ktpool_krel: unknown series $1" ;;
	esac
	# shellcheck disable=SC2086
	v=$(ls -1 $pat 2>/dev/null | grep $rt -- '-rt-amd64$' |
		sed 's|^/boot/vmlinuz-||' | sort -V | tail -n1)
	[ -n "$v" ] || die "no stock kernel matching $pat (run: make deps)"
	echo "$v"
}

# ktpool_src: path of linux-source-6.12 extracted once into the cache.
ktpool_src() {
	local tarball=/usr/src/linux-source-6.12.tar.xz
	local dst=$CACHE/src ver
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run: make deps)"
	if [ "$(cat "$dst/.version" 2>/dev/null)" != "$ver" ]; then
		log "extracting $tarball into $dst"
		rm -rf "$dst" && mkdir -p "$dst"
		tar -C "$dst" -xf "$tarball"
		echo "$ver" >"$dst/.version"
	fi
	echo "$dst/linux-source-6.12"
}

# ktpool_copy_tree <dest>: copy the module sources (no build artifacts) into dest.
ktpool_copy_tree() {
	local dest=$1 d have=()
	for d in $KTPOOL_SRCDIRS; do
		[ -e "$KTPOOL_ROOT/$d" ] && have+=("$d")
	done
	[ ${#have[@]} -gt 0 ] || die "no module sources found in $KTPOOL_ROOT"
	rm -rf "$dest" && mkdir -p "$dest"
	tar -C "$KTPOOL_ROOT" -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=modules.order --exclude=Module.symvers "${have[@]}" |
		tar -C "$dest" -xf -
}

# ktpool_build_kernel <arch> <config fragment> <build dir> <targets...>: the
# kernel of linux-source-6.12 that `make allnoconfig` gives with the fragment
# (KCONFIG_ALLCONFIG), built once: a later call finds <build dir>/.ktpool-built.
# As kunit.py does, every option of the fragment must have survived.
ktpool_build_kernel() {
	local arch=$1 cfg=$2 bld=$3 src lost
	shift 3
	[ ! -e "$bld/.ktpool-built" ] || return 0
	src=$(ktpool_src)
	log "building the $arch kernel in $bld (allnoconfig + $cfg, once per config)"
	rm -rf "$bld" && mkdir -p "$bld"
	make -s -C "$src" O="$bld" ARCH="$arch" KCONFIG_ALLCONFIG="$cfg" allnoconfig
	lost=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$cfg" | while read -r opt; do
		grep -qx "$opt" "$bld/.config" || echo "$opt"; done)
	[ -z "$lost" ] || die "options of $cfg not in $bld/.config: $lost"
	make -s -C "$src" O="$bld" ARCH="$arch" -j"$(nproc)" "$@"
	touch "$bld/.ktpool-built"
}
