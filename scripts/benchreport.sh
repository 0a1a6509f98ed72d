#!/usr/bin/env bash
# benchreport.sh: bench/report.py on synthetic consoles. The benchmark's own
# verdict (every task exactly once, every boot finished, no kernel report) is
# decided there, so its checks are tested here without booting anything.
# Prints PASS/FAIL lines. Env: KTPOOL_RESULTS (file to append them to).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rc=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset BENCH_TAG

# boot <done-line or ""> <results...>: the console of one boot
boot() {
	local done=$1
	shift
	echo "bench: insmod ktpool_bench.ko reps=3"
	echo "[    1.000000] ktpool_bench: BENCH-META,9.9.9-test,2,250,256,10,10000,3,64"
	local r
	for r in "$@"; do echo "[    2.000000] ktpool_bench: RESULT,$r"; done
	[ -z "$done" ] || echo "[    3.000000] ktpool_bench: BENCH-DONE $done"
}
# mode,workload,arg_us,tasks,conc,submitters,rep,status,wall_ns,done,
# peak_threads,peak_running,kstack_kib,slab_kib,exactly_once,inlined,retries
ok3() { # mode wall_ns... : three good repetitions of 1000 nop tasks
	local m=$1 i=0 w
	shift
	for w in "$@"; do
		echo "$m,nop,0,1000,256,1,$i,ok,$w,1000,2,2,32,0,1,0,0"
		i=$((i + 1))
	done
}
mapfile -t cm < <(ok3 cmwq_unbound 3000000 1000000 2000000)
mapfile -t kt < <(ok3 ktpool_try 1500000 1000000 900000)
np="no_pool,nop,0,1000,256,1,0,dnf,1000000000,500,64,2,1024,512,1,0,0"

# run <name> <expect rc> <expect text or ""> : report.py on $tmp/<name>.log
run() {
	local name=$1 want=$2 text=$3 got=0 out=$tmp/$1
	mkdir -p "$out"
	: >"$out/README.md"
	python3 "$KTPOOL_ROOT/bench/report.py" "$tmp/$name.log" "$out" \
		"$out/README.md" test >"$out/stdout" 2>&1 || got=$?
	if [ "$got" != "$want" ]; then
		tail -n 5 "$out/stdout"
		return 1
	fi
	[ -z "$text" ] || grep -qF -- "$text" "$out/stdout" || { tail -n 5 "$out/stdout"; return 1; }
}
check() { # name description
	if run "$1" "${want[$1]}" "${text[$1]}"; then result PASS "bench report: $2"
	else result FAIL "bench report: $2 (output: above)"; fi
}
declare -A want text

{ boot "failures=0" "${cm[@]}"; boot "failures=0" "${kt[@]}" "$np"; } >"$tmp/clean.log"
want[clean]=0 text[clean]="wrote"
if check clean "a clean run of two boots passes"; then
	csv=$tmp/clean/9.9.9-test.csv
	# The median of 3, 1 and 2 ms; ns/task of a dnf over the 500 tasks that
	# ran (2 ms), so ktpool_try's 1 us per task is 2000x it, and 0.5x cmwq.
	if grep -q '^9.9.9-test,cmwq_unbound,nop,0,1000,256,1,3,ok,1000,2.000,1.000,3.000,' "$csv" &&
		grep -q '^9.9.9-test,no_pool,nop,0,1000,256,1,1,dnf,500,1000.000,1000.000,1000.000,0.000,2000000.000,' "$csv" &&
		grep -q '^9.9.9-test,ktpool_try,nop,0,1000,256,1,3,ok,1000,1.000,0.900,1.500,60.000,1000.000,1000000.000,0.5,2000,' "$csv"
	then result PASS "bench report: medians, ratio to cmwq_unbound, dnf per task over the tasks that ran"
	else
		cat "$csv"
		result FAIL "bench report: medians, ratio to cmwq_unbound, dnf per task over the tasks that ran"
	fi
fi

{ boot "failures=0" "${cm[@]}"; boot "" "${kt[@]}"; } >"$tmp/unfinished.log"
want[unfinished]=1 text[unfinished]="1 BENCH-DONE line(s) for 2 boot(s)"
check unfinished "a boot without BENCH-DONE fails the run"

boot "failures=0" "${cm[@]}" "ktpool_try,nop,0,1000,256,1,0,ok,900000,999,2,2,32,0,0,0,0" \
	>"$tmp/twice.log"
want[twice]=1 text[twice]="exactly once: False"
check twice "a task not run exactly once fails the run"

{ boot "failures=0" "${cm[@]}"; echo "[    2.500000] Oops: general protection fault"; } >"$tmp/oops.log"
want[oops]=1 text[oops]="FAIL kernel report"
check oops "an oops on the console fails the run"

boot "failures=1" "${cm[@]}" >"$tmp/failures.log"
want[failures]=1 text[failures]="FAIL BENCH-DONE failures=1"
check failures "a case the module counted as failed fails the run"

exit $rc
