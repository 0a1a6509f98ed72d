#!/usr/bin/env bash
# kunit.sh: build (once, cached) a UML kernel from linux-source-6.12,
# allnoconfig with kunit/.kunitconfig, build the modules against it, boot it with
# scripts/uml-init.sh as init and count the KTAP with verdict.py.
# Env: KTPOOL_BUILD_ONLY=1 (build the kernel, run nothing), KTPOOL_TIMEOUT (seconds, default 600), KTPOOL_RESULTS (file to append to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

cfg=$KTPOOL_ROOT/kunit/.kunitconfig
[ -f "$cfg" ] || die "$cfg not found"
src=$(ktpool_src)
kver=$(make -s -C "$src" kernelversion)
name=uml-$kver-$(sha1sum <"$cfg" | cut -c1-12)
bld=$CACHE/$name
logf=$CACHE/logs/kunit.log

ktpool_build_kernel um "$cfg" "$bld" linux modules

# KTPOOL_BUILD_ONLY=1: only the kernel (check.sh builds it in the background)
[ -z "${KTPOOL_BUILD_ONLY:-}" ] || exit 0

out=$CACHE/build/$name
if ! "$KTPOOL_ROOT/scripts/build-modules.sh" "$src" "$out" O="$bld" ARCH=um W=1 \
	>"$CACHE/logs/build-$name.log" 2>&1; then
	tail -n 30 "$CACHE/logs/build-$name.log"
	echo "KTPOOL-HARNESS: FAIL module build against UML (see $CACHE/logs/build-$name.log)" >"$logf"
else
	log "booting UML (log: $logf)"
	start=$SECONDS
	timeout -k 10 "${KTPOOL_TIMEOUT:-600}" "$bld/linux" mem=512M rootfstype=hostfs \
		rootflags=/ rw init="$KTPOOL_ROOT/scripts/uml-init.sh" \
		KTPOOL_MODDIR="$out/modules" con=null con0=fd:0,fd:1 \
		</dev/null >"$logf" 2>&1 9>&- || echo "KTPOOL-HARNESS: UML exited with $?" >>"$logf"
	log "UML run took $((SECONDS - start)) s"
	# kunit.py parse reads only the first KTAP document: skip the boot's empty one
	sed -n '/^KTPOOL-HARNESS: INSMOD/,$p' "$logf" |
		python3 "$src/tools/testing/kunit/kunit.py" parse || true
fi

mkdir -p "$KTPOOL_ROOT/out" && cp "$logf" "$KTPOOL_ROOT/out/"
rc=0
python3 "$KTPOOL_ROOT/scripts/verdict.py" "$logf" kunit "kunit: " >"$CACHE/logs/kunit.verdict" || rc=$?
cat "$CACHE/logs/kunit.verdict"
[ -z "${KTPOOL_RESULTS:-}" ] || cat "$CACHE/logs/kunit.verdict" >>"$KTPOOL_RESULTS"
exit $rc
