#!/usr/bin/env bash
# packaging.sh: for each stock kernel, in scratch directories only (nothing is
# installed on or loaded into the host):
#  (a) make install into a scratch INSTALL_MOD_PATH: ktpool.ko in extra/,
#      the client header and Module.symvers, modules.dep; make uninstall
#  (b) selftests/extclient built against the installed header + symvers only,
#      without a warning, with ktpool's CRCs
#  (c) make dkms-install / dkms-uninstall with a scratch DKMS tree
#  (d) on 6.12, what a user does: as an unprivileged user, with neither QEMU
#      nor Debian's package tools in PATH, a fresh clone builds with `make`
#      and stages with `make install INSTALL_MOD_PATH=<dir>`
# Prints PASS/FAIL lines. Env: KTPOOL_RESULTS (file to append them to).
# The built extclient modules are kept in $CACHE/build/extclient-<rel>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ok=1
check() { # name command... (output to $logf); ok=0 if it failed
	local name=$1
	shift
	if "$@" >>"$logf" 2>&1; then result PASS "$name"; ok=1; else
		tail -n 20 "$logf"
		result FAIL "$name (log: $logf)"
		ok=0
	fi
}
undo() { # name command...: check it, unless the step it undoes failed
	if [ "$ok" = 1 ]; then check "$@"; else result SKIP "$1 (nothing to undo)"; fi
}
rc=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What a release tarball holds, so that nothing is built in the work tree.
tree=$tmp/tree
ktpool_copy_tree "$tree"
cp "$KTPOOL_ROOT"/{Makefile,VERSION,dkms.conf} "$tree/"
ver=$(cat "$KTPOOL_ROOT/VERSION")
# dkms signs with these, and creates them if missing: keep them out of /var/lib/dkms
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub

make_install() { # rel kdir root
	make -C "$tree" install KDIR="$2" INSTALL_MOD_PATH="$3" &&
		ls "$3/lib/modules/$1/extra/"ktpool.ko* &&
		[ -f "$3/usr/src/ktpool/$1/include/linux/ktpool.h" ] &&
		grep -q "ktpool_create" "$3/usr/src/ktpool/$1/Module.symvers" &&
		grep -q '^extra/ktpool\.ko' "$3/lib/modules/$1/modules.dep"
}
make_uninstall() { # rel kdir root
	make -C "$tree" uninstall KDIR="$2" INSTALL_MOD_PATH="$3" &&
		! ls "$3/lib/modules/$1/extra/"ktpool.ko* && [ ! -e "$3/usr/src/ktpool" ] &&
		! grep -q ktpool "$3/lib/modules/$1/modules.dep"
}
extclient() { # rel kdir devdir
	local cl=$CACHE/build/extclient-$1 crc sym
	rm -rf "$cl" && mkdir -p "$CACHE/build" && cp -r "$KTPOOL_ROOT/selftests/extclient" "$cl"
	make -C "$cl" KDIR="$2" KTPOOL="$3" W=1 >"$cl/build.log" 2>&1 || return 1
	cat "$cl/build.log"
	! grep -Eiq 'warning|undefined' "$cl/build.log" || return 1
	[ "$(modinfo -F depends "$cl/ktpool_extclient.ko")" = ktpool ] || return 1
	# every ktpool symbol it uses carries the CRC ktpool exports
	modprobe --dump-modversions "$cl/ktpool_extclient.ko" | grep ktpool >"$cl/crcs"
	[ -s "$cl/crcs" ] || return 1
	while read -r crc sym; do
		grep -q "^${crc}[[:space:]]${sym}[[:space:]]" "$3/Module.symvers" || return 1
	done <"$cl/crcs"
}
# make dkms-* with a scratch source tree, DKMS tree and module tree, no depmod
dkms_make() { # dir target [make args]
	local dk=$1 target=$2
	shift 2
	make -C "$tree" "$target" DKMS_SRCTREE="$dk/src" DKMS_TREE="$dk/tree" \
		DKMS_OPTS="--installtree $dk/lib/modules --no-depmod" "$@"
}
dkms_install() { # rel dir
	mkdir -p "$2/lib/modules/$1" "$2/tree"
	dkms_make "$2" dkms-install DKMS_ARGS="-k $1" &&
		ls "$2/lib/modules/$1/updates/dkms/"ktpool.ko* &&
		[ -f "$2/src/ktpool-$ver/kmod/ktpool_main.c" ]
}
dkms_uninstall() { # rel dir
	dkms_make "$2" dkms-uninstall &&
		! ls "$2/lib/modules/$1/updates/dkms/"ktpool.ko* &&
		[ ! -e "$2/src/ktpool-$ver" ] && [ ! -e "$2/tree/ktpool" ]
}

# A PATH of everything in the system's but QEMU, the package tools and sudo.
user_path() { # dir
	local f
	mkdir -p "$1"
	for f in /usr/local/bin/* /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
		case ${f##*/} in qemu-*|dpkg*|apt*|aptitude|dkms|sudo|su) continue ;; esac
		[ -e "$1/${f##*/}" ] || ln -s "$f" "$1/${f##*/}"
	done
}
user_build() { # rel kdir
	local home=$tmp/user rel=$1 kdir=$2
	mkdir -p "$home" && chmod 755 "$tmp"
	user_path "$home/bin"
	git clone -q "$KTPOOL_ROOT" "$home/ktpool"
	chown -R nobody: "$home"
	runuser -u nobody -- env -i HOME="$home" PATH="$home/bin" sh -c \
		"! command -v qemu-system-x86_64 && ! command -v dpkg-query &&
		 cd $home/ktpool && make KDIR=$kdir &&
		 make install KDIR=$kdir INSTALL_MOD_PATH=$home/stage" &&
		ls "$home/stage/lib/modules/$rel/extra/"ktpool.ko* &&
		[ -f "$home/stage/usr/src/ktpool/$rel/include/linux/ktpool.h" ] &&
		grep -q '^extra/ktpool\.ko' "$home/stage/lib/modules/$rel/modules.dep"
}

logf=$CACHE/logs/packaging.log
: >"$logf"
check "packaging: dkms.conf PACKAGE_VERSION = VERSION ($ver)" \
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$tree/dkms.conf"
for series in 6.1 6.12; do
	rel=$(ktpool_krel "$series")
	kdir=/lib/modules/$rel/build
	root=$tmp/root-$rel dk=$tmp/dkms-$rel
	logf=$CACHE/logs/packaging-$rel.log
	: >"$logf"

	check "packaging: $rel make install" make_install "$rel" "$kdir" "$root"
	inst_ok=$ok
	check "packaging: $rel out-of-tree client against the installed ktpool" \
		extclient "$rel" "$kdir" "$root/usr/src/ktpool/$rel"
	ok=$inst_ok
	undo "packaging: $rel make uninstall" make_uninstall "$rel" "$kdir" "$root"
	check "packaging: $rel dkms add, build, install" dkms_install "$rel" "$dk"
	undo "packaging: $rel dkms remove" dkms_uninstall "$rel" "$dk"
done
rel=$(ktpool_krel 6.12)
logf=$CACHE/logs/packaging-user.log
: >"$logf"
check "packaging: a user's clone builds and stages against $rel, without QEMU or dpkg, unprivileged" \
	user_build "$rel" "/lib/modules/$rel/build"
exit $rc
