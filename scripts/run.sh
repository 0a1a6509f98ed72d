#!/usr/bin/env bash
# run.sh [module params...]: boot stock 6.1 in QEMU, load ktpool.ko with the
# given params and the demo module, show what they did, unload, power off.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

params=${*:-capacity=4 idle_timeout_ms=2000 reap_interval_ms=500}
rel=$(ktpool_krel 6.1)
out=$CACHE/build/$rel
blog=$CACHE/logs/build-$rel.log
"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 >"$blog" 2>&1 ||
	{ tail -n 30 "$blog"; die "module build failed (log: $blog)"; }

guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<GUEST
set -x
insmod /modules/ktpool.ko $params || exit 1
insmod /modules/ktpool_demo.ko || exit 1
sleep 5
dmesg | grep -i ktpool
ps | grep '[k]tpool/'
rmmod ktpool_demo
rmmod ktpool
dmesg | tail -n 5
GUEST
KTPOOL_TIMEOUT=${KTPOOL_TIMEOUT:-110} \
	"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" "$guest" "$CACHE/logs/run-$rel.log"
