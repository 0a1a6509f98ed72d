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
# peak_threads,peak_running,kstack_kib,slab_kib,exactly_once,inlined,retries,
# payload,cpu_us,window_us,ctxsw,cpus,warm_kstack_kib
okx() { # mode cpu_us ctxsw payload wall_ns... : good repetitions of 1000 nop tasks
	local m=$1 cpu=$2 ctx=$3 pay=$4 i=0 w
	shift 4
	for w in "$@"; do
		echo "$m,nop,0,1000,256,1,$i,ok,$w,1000,2,2,32,0,1,0,0,$pay,$cpu,$((w / 1000)),$ctx,2,4096"
		i=$((i + 1))
	done
}
ok3() { # mode wall_ns... : three good repetitions, 2 ms of CPU, 100 switches each
	local m=$1
	shift
	okx "$m" 2000 100 0 "$@"
}
mapfile -t cm < <(ok3 cmwq_unbound 3000000 1000000 2000000)
mapfile -t kt < <(ok3 ktpool_try 1500000 1000000 900000)
np="no_pool,nop,0,1000,256,1,0,dnf,1000000000,500,64,2,1024,512,1,0,0,0,-1,-1,-1,2,0"

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

# cmwq_unbound 2 ms (4 ms CPU, 500 switches), cmwq_sem 4 ms, cmwq_sem_try 1 ms;
# ktpool_try 1 ms (1 ms CPU, 2000 switches): 0.5x, 0.25x, 1x; CPU 0.25x;
# 2 switches per task against 0.5. A payload is a case of its own: no ratio
# to the cmwq_unbound run without one.
mapfile -t ra < <(okx cmwq_unbound 4000 500 0 3000000 1000000 2000000
	okx cmwq_sem 3000 400 0 4000000 4000000 4000000
	okx cmwq_sem_try 1000 30 0 1000000 1000000 1000000
	okx ktpool_try 1000 2000 0 1500000 1000000 900000
	okx ktpool_anyway 1000 2000 4096 1500000 1000000 900000)
boot "failures=0" "${ra[@]}" >"$tmp/ratios.log"
want[ratios]=0 text[ratios]="met    nop N=1000 sub=1 ktpool_try: 0.25x the time of cmwq_sem (target <= 0.70)"
if check ratios "ratios to cmwq_unbound, cmwq_sem and cmwq_sem_try; CPU and context switches per task"; then
	csv=$tmp/ratios/9.9.9-test.csv
	# ...,np_rate,payload,x_sem,x_sem_try,cpu_ns_per_task,cpu_x_cmwq,ctxsw_per_task,cpus,warm
	if grep -q '^9.9.9-test,ktpool_try,nop,0,1000,256,1,3,ok,1000,1.000,.*,0.5,,.*,False,0,0.25,1,1000.000,0.25,2.000,2,4096' "$csv" &&
		grep -q '^9.9.9-test,ktpool_anyway,nop,0,1000,256,1,3,ok,1000,1.000,.*,1000000.000,,,.*,False,4096,,,1000.000,,2.000,2,4096' "$csv" &&
		grep -qF 'MISSED nop N=1000 sub=1 ktpool_try: 2.00 context switches per task, cmwq_unbound 0.50' "$tmp/ratios/stdout" &&
		grep -qF 'met    nop N=1000 sub=1 ktpool_try: 0.25x the CPU time of cmwq_unbound' "$tmp/ratios/stdout" &&
		grep -q '^nop+4096B  *1000 ' "$tmp/ratios/stdout"
	then result PASS "bench report: the new columns in the CSV and the targets"
	else
		cat "$csv"
		result FAIL "bench report: the new columns in the CSV and the targets"
	fi
fi

{ boot "failures=0" "${cm[@]}"; boot "" "${kt[@]}"; } >"$tmp/unfinished.log"
want[unfinished]=1 text[unfinished]="1 BENCH-DONE line(s) for 2 boot(s)"
check unfinished "a boot without BENCH-DONE fails the run"

boot "failures=0" "${cm[@]}" "ktpool_try,nop,0,1000,256,1,0,ok,900000,999,2,2,32,0,0,0,0,0,900,900,10,2,0" \
	>"$tmp/twice.log"
want[twice]=1 text[twice]="exactly once: False"
check twice "a task not run exactly once fails the run"

{ boot "failures=0" "${cm[@]}"; echo "[    2.500000] Oops: general protection fault"; } >"$tmp/oops.log"
want[oops]=1 text[oops]="FAIL kernel report"
check oops "an oops on the console fails the run"

boot "failures=1" "${cm[@]}" >"$tmp/failures.log"
want[failures]=1 text[failures]="FAIL BENCH-DONE failures=1"
check failures "a case the module counted as failed fails the run"

# latency=1: LAT lines of an idle and a loaded pass (ns); a report of their
# own (<kernel>-latency.csv, .png and a README section) that leaves the
# other sections of the README as they were.
# lat <load> <mode> <busy permille> <p50 ns> <p99 ns> [exactly_once]
lat() {
	echo "[    2.000000] ktpool_bench: LAT,$2,$1,1000,1000,500,10,ok,$3,20000,$4,$(($4 * 2)),$5,$(($5 * 2)),$(($5 * 3)),$4,${6:-1},2"
}
latboot() { # load LAT-lines...: one insmod of latency=1
	local load=$1
	shift
	echo "bench: insmod ktpool_bench.ko latency=1 lat_load=$load"
	echo "[    1.000000] ktpool_bench: BENCH-META,9.9.9-test,2,250,256,10,10000,2,4096,0"
	printf '%s\n' "$@"
	echo "[    3.000000] ktpool_bench: BENCH-DONE failures=0 seconds=9"
}
{ latboot 0 "$(lat 0 ktpool_normal 40 50000 100000)" "$(lat 0 ktpool_rt 40 45000 90000)"
  latboot 2 "$(lat 2 ktpool_normal 998 400000 4000000)" "$(lat 2 ktpool_rt 997 40000 80000)" \
	"$(lat 2 cmwq_highpri 999 300000 3000000)"; } >"$tmp/lat.log"
mkdir -p "$tmp/lat"
other="<!-- bench-results:begin 9.9.9-test (generated by bench/report.py) -->
throughput section
<!-- bench-results:end 9.9.9-test -->"
printf '# bench\n\n%s\n' "$other" >"$tmp/lat/README.md"
got=0
python3 "$KTPOOL_ROOT/bench/report.py" "$tmp/lat.log" "$tmp/lat" "$tmp/lat/README.md" test \
	>"$tmp/lat/stdout" 2>&1 || got=$?
csv=$tmp/lat/9.9.9-test-latency.csv
md=$tmp/lat/9.9.9-test-latency.md
if [ "$got" = 0 ] &&
	grep -q '^9.9.9-test-latency,2,ktpool_rt,1000,1000,500,10,ok,99.7,20.000,40.000,80.000,80.000,160.000,240.000,40.000,1,2' "$csv" &&
	grep -qF "$other" "$tmp/lat/README.md" &&
	grep -qF '[`results/9.9.9-test-latency.md`](results/9.9.9-test-latency.md)' "$tmp/lat/README.md" &&
	grep -qF '2 busy: ktpool_rt against ktpool_normal: p50 0.10x, p90 0.10x, p99 0.02x, p99.9 0.02x' "$md" &&
	grep -q '^2 busy  ktpool_rt  .* 0\.02  *0\.02  *yes  *ok$' "$tmp/lat/stdout"
then result PASS "bench report: latency percentiles, CSV, a page of their own linked from the README"
else
	cat "$tmp/lat/stdout" "$csv" "$tmp/lat/README.md"
	result FAIL "bench report: latency percentiles, CSV, a page of their own linked from the README"
fi
# Run again: the generated blocks are rewritten in place, the rest kept.
python3 "$KTPOOL_ROOT/bench/report.py" "$tmp/lat.log" "$tmp/lat" "$tmp/lat/README.md" test \
	>/dev/null 2>&1 || true
if [ "$(grep -c 'bench-results:begin runs' "$tmp/lat/README.md")" = 1 ] &&
	[ "$(grep -c 'bench-results:begin answer' "$tmp/lat/README.md")" = 1 ] &&
	grep -qF "$other" "$tmp/lat/README.md"
then result PASS "bench report: a second run rewrites the generated blocks only"
else
	cat "$tmp/lat/README.md"
	result FAIL "bench report: a second run rewrites the generated blocks only"
fi

# The figure: a throughput run (the ratios console above) and a latency run
# of the same kernel in one directory give one PNG with both; the bench's
# revision named on the machine line stays out of the documents; the
# misses table counts the one target missed of five (context switches).
fig=$tmp/fig
mkdir -p "$fig"
printf '# bench\n\nhand-written\n' >"$fig/README.md"
got=0
python3 "$KTPOOL_ROOT/bench/report.py" "$tmp/ratios.log" "$fig" "$fig/README.md" \
	"QEMU; ktpool 0123abcd; 2026-01-02; test" >"$fig/stdout" 2>&1 || got=$?
python3 "$KTPOOL_ROOT/bench/report.py" "$tmp/lat.log" "$fig" "$fig/README.md" \
	"QEMU; ktpool 0123abcd; 2026-01-03; test" >>"$fig/stdout" 2>&1 || got=$?
if [ "$got" = 0 ] && [ "$(head -c 4 "$fig/9.9.9-test.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
	grep -qF '](results/9.9.9-test.png)' "$fig/README.md" &&
	grep -qF 'latency from [`results/9.9.9-test-latency.md`]' "$fig/README.md" &&
	grep -qF '# ktpool_bench: `9.9.9-test`, results of 2026-01-02' "$fig/9.9.9-test.md" &&
	grep -qF '| `nop N=1000` | 1 of 5 |' "$fig/README.md" &&
	! grep -rq 0123abcd "$fig"/*.md "$fig"/*.json &&
	grep -qF 'hand-written' "$fig/README.md"
then result PASS "bench report: one figure of a throughput and a latency run, linked, no revision named"
else
	cat "$fig/stdout" "$fig/README.md"
	result FAIL "bench report: one figure of a throughput and a latency run, linked, no revision named"
fi
# Its points: ktpool_try's 1.5, 1.0 and 0.9 ms over cmwq_unbound's 3, 1 and
# 2 ms: the medians' ratio 0.5, whiskers 0.9/3 and 1.5/1 (any repetition
# over any); the idiom's ratio of ktpool_try is to cmwq_sem_try.
if python3 - "$KTPOOL_ROOT/bench" "$fig/9.9.9-test-raw.csv" <<'EOF2'
import sys
sys.path.insert(0, sys.argv[1])
import report
raw = report.load_raw(sys.argv[2])
key = ("nop", 0, 0, 1000, 1)
r = report.rep_ratio(raw, key, "ktpool_try", "cmwq_unbound", "wall_ns")
assert [round(x, 6) for x in r] == [0.5, 0.3, 1.5], r
r = report.rep_ratio(raw, key, "ktpool_try", "cmwq_sem_try", "cpu_us")
assert [round(x, 6) for x in r] == [1, 1, 1], r
assert report.rep_ratio(raw, key, "ktpool_try", "cmwq_percpu", "wall_ns") is None
assert report.fig_groups(report.aggregate(raw))[0][:4] == ("nop", 0, 0, 1000)
EOF2
then result PASS "bench report: figure points at the medians' ratio, whiskers over all repetitions"
else result FAIL "bench report: figure points at the medians' ratio, whiskers over all repetitions"
fi
# The answer table (at most ten rows), for the top README with its links
# from the tree's root; a cell of another N than its row's says so.
ans=$fig/answer.md
if [ "$(grep -c '^| ' "$ans")" -le 12 ] &&
	grep -qF '| short tasks (nop, 10M): `ktpool_try` time / `cmwq_unbound` | 0.50 (N=1k) |' "$ans" &&
	grep -qF '| short tasks (nop, 10M): `ktpool_try` time / `cmwq_sem_try` | 1.00 (N=1k) |' "$ans" &&
	grep -qF '](bench/results/9.9.9-test.md)' "$ans" &&
	grep -qF 'Latency: [`9.9.9-test-latency`](bench/results/9.9.9-test-latency.md) of 2026-01-03.' "$ans" &&
	grep -qF '| short tasks (nop, 10M): `ktpool_try` time / `cmwq_unbound` | 0.50 (N=1k) |' "$fig/README.md"
then result PASS "bench report: the answer table, in results/answer.md and the README"
else
	cat "$ans"
	result FAIL "bench report: the answer table, in results/answer.md and the README"
fi
# --regen: the same files again from the CSVs and run.json alone
mkdir -p "$fig/again"
cp "$fig"/*-raw.csv "$fig"/*-latency.csv "$fig"/*-run.json "$fig/again/"
printf '# bench\n\nhand-written\n' >"$fig/again/README.md"
got=0
python3 "$KTPOOL_ROOT/bench/report.py" --regen "$fig/again" "$fig/again/README.md" \
	>"$fig/again/stdout" 2>&1 || got=$?
same=1
for f in 9.9.9-test.csv 9.9.9-test.md 9.9.9-test-latency.md answer.md README.md; do
	cmp -s "$fig/$f" "$fig/again/$f" || { same=0; echo "differs: $f"; }
done
if [ "$got" = 0 ] && [ "$same" = 1 ] && [ -s "$fig/again/9.9.9-test.png" ]
then result PASS "bench report: --regen rebuilds tables, pages, figure and README from the CSVs"
else
	cat "$fig/again/stdout"
	result FAIL "bench report: --regen rebuilds tables, pages, figure and README from the CSVs"
fi

{ latboot 0 "$(lat 0 ktpool_normal 40 50000 100000)"
  latboot 2 "$(lat 2 ktpool_rt 997 40000 80000 0)"; } >"$tmp/lattwice.log"
want[lattwice]=1 text[lattwice]="FAIL latency ktpool_rt load=2: status ok, exactly once: False"
check lattwice "a latency task not run exactly once fails the run"

{ latboot 0 "$(lat 0 ktpool_normal 40 50000 100000)"
  echo "bench: insmod ktpool_bench.ko latency=1 lat_load=2"; } >"$tmp/latunfinished.log"
want[latunfinished]=1 text[latunfinished]="1 BENCH-DONE line(s) for 2 boot(s)"
check latunfinished "a latency pass without BENCH-DONE fails the run"

exit $rc
