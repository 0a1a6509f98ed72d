#!/usr/bin/env bash
# torture.sh [series]: the long torture run (TORTURE_TASKS, default 10M, and
# TORTURE_SECONDS, a guard against hangs, default 14400) on one stock kernel (default 6.1) in QEMU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=$(ktpool_krel "${1:-6.1}")
out=$CACHE/build/$rel
logf=$CACHE/logs/torture-$rel.log
tasks=${TORTURE_TASKS:-10000000}
secs=${TORTURE_SECONDS:-14400}
"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 \
	>"$CACHE/logs/build-$rel.log" 2>&1 || die "module build failed"
KTPOOL_TIMEOUT=$((secs + 300)) KTPOOL_APPEND="TORTURE_TASKS=$tasks TORTURE_SECONDS=$secs" \
	"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" \
	"cd /selftests && sh ./ktpool_torture.sh" "$logf" >/dev/null || true
python3 "$KTPOOL_ROOT/scripts/verdict.py" "$logf" ktap "torture $rel: "
