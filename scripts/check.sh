#!/usr/bin/env bash
# check.sh: every check, without stopping at the first failure, then a table
# of where the time went and one tally.
# Cases: the -Werror W=1 build for each stock kernel (done by selftests.sh
# before it boots that kernel), checkpatch, kernel-doc, sparse, packaging
# (install, DKMS, an out-of-tree client), every selftest case on each stock
# kernel (6.1, 6.12 and 6.1 PREEMPT_RT), and on the x86_64 debug kernel
# (KASAN, lockdep with raw-lock nesting, ...): every KUnit case and every
# selftest with two CPUs, every KUnit case again with one CPU, each run
# ended by a kmemleak scan; and on that kernel with KCSAN in place of KASAN,
# lockdep and kmemleak, every KUnit case and selftest, where any data race
# KCSAN reports fails the run. The kernel builds and the guests run in
# parallel. (The UML kernel of `make kunit` is for quick KUnit runs while
# developing: the debug kernel's one-CPU run is the uniprocessor run of make
# check.)
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
		echo "FAIL ${*##*/} ended without a verdict (exit $rc)" >>"$KTPOOL_RESULTS"
}

# bg <name> <function or command...>: run it in the background, with its
# verdicts in a results file and its output in a log of its own (the
# verdicts of parallel runs must not interleave, nor their counts in step);
# both are added, in the order started, once every job has ended.
jobs_pids=() jobs_names=()
bg() {
	local name=$1
	shift
	(
		export KTPOOL_RESULTS=$CACHE/logs/check.results.$name
		: >"$KTPOOL_RESULTS"
		"$@"
	) >"$CACHE/logs/check-$name.log" 2>&1 &
	jobs_pids+=($!)
	jobs_names+=("$name")
	log "$name runs in the background (log: $CACHE/logs/check-$name.log)"
}

# The debug kernel (built once per config), then its two runs: two CPUs
# with KUnit and every selftest, one CPU with KUnit.
debug_kernel() {
	local t=$SECONDS
	KTPOOL_BUILD_ONLY=1 "$s/debugkernel.sh" || true
	printf '%s\t%s\n' "debug kernel build" "$((SECONDS - t))" >>"$times"
	timed "debug kernel, 2 CPUs: KUnit, selftests, kmemleak" \
		step "$s/debugkernel.sh"
	timed "debug kernel, 1 CPU: KUnit, kmemleak" \
		step env KTPOOL_DEBUG_UP=1 KTPOOL_REUSE_MODULES=1 "$s/debugkernel.sh"
}

# The same kernel with KCSAN in place of KASAN: KUnit and every selftest.
kcsan_kernel() {
	local t=$SECONDS
	KTPOOL_KCSAN=1 KTPOOL_BUILD_ONLY=1 "$s/debugkernel.sh" || true
	printf '%s\t%s\n' "KCSAN kernel build" "$((SECONDS - t))" >>"$times"
	timed "KCSAN kernel, 2 CPUs: KUnit, selftests" \
		step env KTPOOL_KCSAN=1 "$s/debugkernel.sh"
}

step_deps() {
	"$s/deps.sh" || echo "FAIL deps: package install (see above)" >>"$KTPOOL_RESULTS"
}
timed "packages (make deps)" step_deps
timed "kernel sources" ktpool_src >/dev/null

# Two cores: the kernel builds keep them busy while the guests below wait
# on timers; every phase runs in parallel but those that need packaging's
# client module (the stock selftests).
bg debug debug_kernel
bg kcsan kcsan_kernel
timed "checkpatch, kernel-doc, rst" step "$s/style.sh"
timed "sparse" step "$s/sparse.sh"
timed "packaging (install, dkms, client)" step "$s/packaging.sh"
timed "bench report tests" step "$s/benchreport.sh"
for series in $STOCK; do
	bg "selftests-$series" timed "build -Werror + selftests $series (QEMU)" \
		step "$s/selftests.sh" "$series"
done

log "waiting for the background runs"
start=$SECONDS
for i in "${!jobs_pids[@]}"; do
	wait "${jobs_pids[$i]}" || true
	echo "==> ${jobs_names[$i]}"
	cat "$CACHE/logs/check-${jobs_names[$i]}.log"
	cat "$CACHE/logs/check.results.${jobs_names[$i]}" >>"$KTPOOL_RESULTS"
done
printf '%s\t%s\n' "waiting for the background runs" "$((SECONDS - start))" >>"$times"
printf '%s\t%s\n' "total" "$((SECONDS - start_all))" >>"$times"

mkdir -p "$KTPOOL_ROOT/out"
summary=$KTPOOL_ROOT/out/check-summary.txt
{
	echo
	echo "==== ktpool check summary (details: $CACHE/logs/) ===="
	grep -E '^(PASS|FAIL|SKIP) ' "$KTPOOL_RESULTS" || true
	echo
	echo "==== where the time went (wall seconds; phases overlap) ===="
	awk -F'\t' '{ printf "%-45s %5d s  %2d:%02d\n", $1, $2, $2 / 60, $2 % 60 }' "$times"
	echo
	skipped=$(grep -c '^SKIP ' "$KTPOOL_RESULTS" || true)
	passed=$(grep -c '^PASS ' "$KTPOOL_RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$KTPOOL_RESULTS" || true)
	[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
	echo "$passed passed, $failed failed"
} | tee "$summary"
! grep -q '^FAIL ' "$KTPOOL_RESULTS"
