#!/usr/bin/env bash
# check.sh: every check, without stopping at the first failure, then one tally.
# Cases: the -Werror W=1 build for each stock kernel, checkpatch, kernel-doc,
# sparse, packaging (install, DKMS, an out-of-tree client), every KUnit case
# (UML) and every selftest case on each stock kernel, then KUnit, selftests
# and a kmemleak scan on the x86_64 debug kernel (KASAN, lockdep, ...).
# The last line is exactly "N passed, M failed"; exit status 1 on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

export KTPOOL_RESULTS=$CACHE/logs/check.results
: >"$KTPOOL_RESULTS"
s=$KTPOOL_ROOT/scripts
# step <script...>: run one, and count it as failed if it died without a verdict
step() {
	local before
	before=$(wc -l <"$KTPOOL_RESULTS")
	log "$*"
	"$@" && return
	local rc=$?
	[ "$(wc -l <"$KTPOOL_RESULTS")" -gt "$before" ] ||
		echo "FAIL $(basename "$1") ended without a verdict (exit $rc)" >>"$KTPOOL_RESULTS"
}

for series in 6.1 6.12; do
	rel=$(ktpool_krel "$series")
	if "$s/build-modules.sh" "/lib/modules/$rel/build" "$CACHE/build/$rel" \
		W=1 KCFLAGS=-Werror >"$CACHE/logs/build-werror-$rel.log" 2>&1; then
		echo "PASS build: $rel (W=1 -Werror)" >>"$KTPOOL_RESULTS"
	else
		tail -n 40 "$CACHE/logs/build-werror-$rel.log"
		echo "FAIL build: $rel (W=1 -Werror, log: $CACHE/logs/build-werror-$rel.log)" >>"$KTPOOL_RESULTS"
	fi
done
step "$s/style.sh"
step "$s/sparse.sh"
step "$s/packaging.sh"
step "$s/benchreport.sh"
step "$s/kunit.sh"
step "$s/selftests.sh" 6.1 6.12
step "$s/debugkernel.sh"

mkdir -p "$KTPOOL_ROOT/out"
summary=$KTPOOL_ROOT/out/check-summary.txt
{
	echo
	echo "==== ktpool check summary (details: $CACHE/logs/) ===="
	grep -E '^(PASS|FAIL|SKIP) ' "$KTPOOL_RESULTS" || true
	skipped=$(grep -c '^SKIP ' "$KTPOOL_RESULTS" || true)
	passed=$(grep -c '^PASS ' "$KTPOOL_RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$KTPOOL_RESULTS" || true)
	[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
	echo "$passed passed, $failed failed"
} | tee "$summary"
! grep -q '^FAIL ' "$KTPOOL_RESULTS"
