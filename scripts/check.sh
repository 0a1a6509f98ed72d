#!/usr/bin/env bash
# check.sh: every check, without stopping at the first failure, then a table
# of where the time went and one tally.
# Cases: the -Werror W=1 build for each stock kernel (done by selftests.sh
# before it boots that kernel), checkpatch, kernel-doc,
# sparse, packaging (install, DKMS, an out-of-tree client), every KUnit case
# (UML) and every selftest case on each stock kernel (6.1, 6.12 and 6.1
# PREEMPT_RT), then KUnit, selftests and a kmemleak scan on the x86_64 debug
# kernel (KASAN, lockdep, ...).
# The two kernels the project builds (UML and the debug kernel) compile in
# the background while the stock-kernel checks run in the foreground.
# The last line is exactly "N passed, M failed"; exit status 1 on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

export KTPOOL_RESULTS=$CACHE/logs/check.results
: >"$KTPOOL_RESULTS"
times=$CACHE/logs/check.times
: >"$times"
s=$KTPOOL_ROOT/scripts
STOCK="6.1 6.12 6.1-rt"
start_all=$SECONDS

# timed <phase> <command...>: run it, record its wall time; never fails
timed() {
	local phase=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	printf '%s\t%s\n' "$phase" "$((SECONDS - start))" >>"$times"
	return 0
}

# step <script...>: run one, and count it as failed if it died without a verdict
step() {
	local before rc=0
	before=$(wc -l <"$KTPOOL_RESULTS")
	log "$*"
	"$@" || rc=$?
	[ "$rc" -eq 0 ] || [ "$(wc -l <"$KTPOOL_RESULTS")" -gt "$before" ] ||
		echo "FAIL $(basename "$1") ended without a verdict (exit $rc)" >>"$KTPOOL_RESULTS"
}

# the debug and UML kernels, built once per config; the debug kernel first,
# so that its run can start while the UML kernel compiles
debug_built=$CACHE/logs/check.debug-built
rm -f "$debug_built"
build_kernels() {
	local t=$SECONDS
	KTPOOL_BUILD_ONLY=1 "$s/debugkernel.sh" || true
	printf '%s\t%s\n' "debug kernel build (background)" "$((SECONDS - t))" >>"$times"
	touch "$debug_built"
	t=$SECONDS
	KTPOOL_BUILD_ONLY=1 "$s/kunit.sh" || true
	printf '%s\t%s\n' "UML kernel build (background)" "$((SECONDS - t))" >>"$times"
}

step_deps() {
	"$s/deps.sh" || echo "FAIL deps: package install (see above)" >>"$KTPOOL_RESULTS"
}
timed "packages (make deps)" step_deps
timed "kernel sources" ktpool_src >/dev/null

log "building the UML and debug kernels in the background (log: $CACHE/logs/kernels.log)"
(build_kernels) >"$CACHE/logs/kernels.log" 2>&1 &
kernels=$!

timed "checkpatch, kernel-doc, rst" step "$s/style.sh"
timed "sparse" step "$s/sparse.sh"
timed "packaging (install, dkms, client)" step "$s/packaging.sh"
timed "bench report tests" step "$s/benchreport.sh"
for series in $STOCK; do
	timed "build -Werror + selftests $series (QEMU)" step "$s/selftests.sh" "$series"
done

log "waiting for the debug kernel build (log: $CACHE/logs/kernels.log)"
start=$SECONDS
while [ ! -e "$debug_built" ] && kill -0 "$kernels" 2>/dev/null; do sleep 2; done
printf '%s\t%s\n' "waiting for the debug kernel build" "$((SECONDS - start))" >>"$times"
timed "debug kernel: KUnit, selftests, kmemleak" step "$s/debugkernel.sh"
start=$SECONDS
wait "$kernels" || true
printf '%s\t%s\n' "waiting for the UML kernel build" "$((SECONDS - start))" >>"$times"
timed "KUnit on UML" step "$s/kunit.sh"
printf '%s\t%s\n' "total" "$((SECONDS - start_all))" >>"$times"

mkdir -p "$KTPOOL_ROOT/out"
summary=$KTPOOL_ROOT/out/check-summary.txt
{
	echo
	echo "==== ktpool check summary (details: $CACHE/logs/) ===="
	grep -E '^(PASS|FAIL|SKIP) ' "$KTPOOL_RESULTS" || true
	echo
	echo "==== where the time went (wall seconds; background phases overlap) ===="
	awk -F'\t' '{ printf "%-45s %5d s  %2d:%02d\n", $1, $2, $2 / 60, $2 % 60 }' "$times"
	echo
	skipped=$(grep -c '^SKIP ' "$KTPOOL_RESULTS" || true)
	passed=$(grep -c '^PASS ' "$KTPOOL_RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$KTPOOL_RESULTS" || true)
	[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
	echo "$passed passed, $failed failed"
} | tee "$summary"
! grep -q '^FAIL ' "$KTPOOL_RESULTS"
