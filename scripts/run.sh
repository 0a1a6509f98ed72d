#!/usr/bin/env bash
# run.sh [module params...]: boot stock 6.1 in QEMU, load ktpool.ko with the
# given params and the demo module, show what they did, unload, power off.
# Quiet: the whole console goes to a log file (its path is printed); the
# terminal gets the demo's lines, once each, and its summary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

params=${*:-capacity=4 idle_timeout_ms=2000 reap_interval_ms=500}
rel=$(ktpool_krel 6.1)
out=$CACHE/build/$rel
blog=$CACHE/logs/build-$rel.log
logf=$CACHE/logs/run-$rel.log
log "building the modules for $rel (log: $blog)"
"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 >"$blog" 2>&1 ||
	{ tail -n 30 "$blog"; die "module build failed (log: $blog)"; }

guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<GUEST
insmod /modules/ktpool.ko $params || exit 1
insmod /modules/ktpool_demo.ko || exit 1
# the demo's thread ends with "demo finished"; rmmod waits for it too
i=0
while ! dmesg | grep -q 'ktpool_demo: demo finished' && [ \$i -lt 600 ]; do
	sleep 0.1; i=\$((i + 1))
done
echo "KTPOOL-DEMO: threads named ktpool/demo now: \$(grep -lx 'ktpool/demo' /proc/[0-9]*/comm 2>/dev/null | wc -l)"
rmmod ktpool_demo
rmmod ktpool
GUEST
log "booting $rel in QEMU with: insmod ktpool.ko $params; insmod ktpool_demo.ko"
log "full console: $logf"
rc=0
KTPOOL_QUIET=1 KTPOOL_TIMEOUT=${KTPOOL_TIMEOUT:-300} \
	"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" "$guest" "$logf" |
	sed -un -e 's/^\[ *[0-9.]*\] //' -e '/taints kernel/d' -e '/verification failed/d' -e '/^ktpool\(_demo\)\?: /p' -e 's/^KTPOOL-DEMO: //p' || rc=$?
[ "$rc" -eq 0 ] || die "the demo did not finish (console: $logf)"
log "done; full console: $logf"
