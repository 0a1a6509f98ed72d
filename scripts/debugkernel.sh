#!/usr/bin/env bash
# debugkernel.sh: build (once, cached) an x86_64 debug kernel (KASAN, lockdep,
# atomic-sleep checks, debug objects, kmemleak; SMP) from linux-source-6.12
# with kunit/debug-x86_64.config, build the modules against it and boot it in
# QEMU (-smp 2) to run the KUnit suites, every selftest and a kmemleak scan;
# count it all with verdict.py. The guest sees KTPOOL_DEBUG_KERNEL=1 (and the
# TORTURE_* sizes) in its environment so that heavy tests can size down.
# KTPOOL_DEBUG_UP=1: the same kernel booted with one CPU (-smp 1), KUnit and
# the kmemleak scan only (the uniprocessor run of the suites).
# KTPOOL_REUSE_MODULES=1: use the modules the last run built (as check.sh
# does right after the two-CPU run).
# KTPOOL_KCSAN=1: the same config with KCSAN in place of KASAN (the two
# exclude each other), lockdep and kmemleak, and with delayed kobject
# release (which needs debug objects): KUnit and every selftest with two
# CPUs; a data race KCSAN reports fails the run (its "BUG: KCSAN:" line).
# Env: KTPOOL_BUILD_ONLY=1 (build the kernel, run nothing), KTPOOL_TIMEOUT (seconds, a guard, default 1800), KTPOOL_RESULTS, KTPOOL_APPEND.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

s=$KTPOOL_ROOT/scripts
cfg=$KTPOOL_ROOT/kunit/debug-x86_64.config
src=$(ktpool_src)
kver=$(make -s -C "$src" kernelversion)
kind=x86dbg
logf=$CACHE/logs/debugkernel.log
label=debug-x86_64
up=${KTPOOL_DEBUG_UP:-}
[ -z "$up" ] || { logf=$CACHE/logs/debugkernel-up.log; label="$label 1 CPU"; }
if [ -n "${KTPOOL_KCSAN:-}" ]; then
	# allnoconfig leaves KCSAN's relaxations off: its strict mode. Lockdep
	# and kmemleak stay with the KASAN kernel: under KCSAN they would slow
	# the run several times and find nothing new. Every
	# kobject is released 1 to 4 s after its last put, so that a release
	# function left in ktpool.ko would run after the module is gone
	# (ktpool_kobj_release.sh); each rmmod waits that long for the
	# module's own kobject, hence fewer unloads in ktpool_unload.sh.
	kcfg=$CACHE/kcsan-x86_64.config
	{ grep -vE 'KASAN|PROVE_|KMEMLEAK' "$cfg"; echo CONFIG_KCSAN=y
		echo CONFIG_KCSAN_INTERRUPT_WATCHER=y
		echo CONFIG_DEBUG_KOBJECT_RELEASE=y; } >"$kcfg.tmp"
	mv "$kcfg.tmp" "$kcfg"
	cfg=$kcfg kind=x86kcsan logf=$CACHE/logs/kcsankernel.log label=kcsan-x86_64
	KTPOOL_APPEND="UNLOAD_TRIES=6 UNLOAD_CYCLES=3 ${KTPOOL_APPEND:-}"
fi
name=$kind-$kver-$(sha1sum <"$cfg" | cut -c1-12)
bld=$CACHE/$name

ktpool_build_kernel x86_64 "$cfg" "$bld" bzImage modules

# KTPOOL_BUILD_ONLY=1: only the kernel (check.sh builds it in the background)
[ -z "${KTPOOL_BUILD_ONLY:-}" ] || exit 0

out=$CACHE/build/$name
if { [ -n "${KTPOOL_REUSE_MODULES:-}" ] && [ -e "$out/modules/ktpool.ko" ]; } ||
	"$s/build-modules.sh" "$src" "$out" O="$bld" W=1 >"$CACHE/logs/build-$name.log" 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if [ -n "$up" ]; then
		{ cat "$s/debugkernel-guest.sh"; echo leak_scan; } >"$tmp/guest.sh"
	else
		{ cat "$s/debugkernel-guest.sh"; echo "("; cat "$s/selftests-guest.sh"; echo ")"
			[ -n "${KTPOOL_KCSAN:-}" ] || echo leak_scan; } >"$tmp/guest.sh"
	fi
	start=$SECONDS
	KTPOOL_SMP=${up:+1} KTPOOL_TIMEOUT=${KTPOOL_TIMEOUT:-1800} \
		KTPOOL_APPEND="KTPOOL_DEBUG_KERNEL=1 TORTURE_TASKS=20000 ${KTPOOL_APPEND:-}" \
		"$s/qemu-run.sh" "$bld/arch/x86/boot/bzImage" "$out/modules" "$tmp/guest.sh" "$logf" || true
	log "debug kernel: QEMU run took $((SECONDS - start)) s"
else
	tail -n 30 "$CACHE/logs/build-$name.log"
	echo "KTPOOL-HARNESS: FAIL module build against $name (see $CACHE/logs/build-$name.log)" >"$logf"
fi

mkdir -p "$KTPOOL_ROOT/out" && cp "$logf" "$KTPOOL_ROOT/out/"
v=${logf%.log}.verdict
rc=0
python3 "$s/verdict.py" "$logf" kunit "$label: " >"$v" || rc=$?
cat "$v"
[ -z "${KTPOOL_RESULTS:-}" ] || cat "$v" >>"$KTPOOL_RESULTS"
exit $rc
