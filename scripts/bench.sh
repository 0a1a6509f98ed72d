#!/usr/bin/env bash
# bench.sh: build the modules for one stock kernel, boot it in QEMU (TCG,
# -smp 2), load ktpool.ko and run bench/ktpool_bench.ko, then turn its console
# output into a table, bench/results/<kernel>.csv, a PNG plot and the results
# section of bench/README.md (bench/report.py).
# Env: BENCH_KERNEL 6.1|6.12 (default 6.12); BENCH_ARGS (module params of
# ktpool_bench.ko, appended last so they override); BENCH_PAY=0, BENCH_TEN=0
# (leave out the boot of sleep tasks with a payload, of 10M nop tasks; both
# default to 0 when BENCH_ARGS is set, so that it runs one boot); BENCH_FULL=1
# (10M nop tasks for every mode and the longer budget, results in
# <kernel>-full.*); BENCH_SMP=n (boot with -smp n and n submitters, the five
# modes the ratios need, results in <kernel>-smp<n>.*); BENCH_FROM=k (resume
# a run at boot k); BENCH_REAP_MS (reap_interval_ms of ktpool.ko);
# BENCH_KTPOOL_ARGS (extra module params of ktpool.ko, e.g. spin_us=200);
# BENCH_LAT=1 (one boot of latency=1: submit-to-start percentiles of short
# tasks with the guest idle, then with a busy user process per CPU; results in
# <kernel>-latency.*; BENCH_LAT_IDLE=0 leaves the idle pass out);
# KTPOOL_TIMEOUT (seconds for each QEMU boot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${BENCH_KERNEL:-6.12}
rel=$(ktpool_krel "$series")
reap_ms=${BENCH_REAP_MS:-1000}
command -v gnuplot >/dev/null || "$KTPOOL_ROOT/scripts/deps.sh"
command -v gnuplot >/dev/null || die "gnuplot not found (apt-get install gnuplot-nox)"

# A run is a few boots, their consoles concatenated: every mode on the
# default sizes of ktpool_bench.ko; the sleep workload again with a 4 KiB
# payload in every request (the modes the ratios need); and 10M nop tasks
# from one and two submitters for those modes (the steady state: 1M medians
# were transients), each run cut at 120 s and then reported as dnf with the
# tasks it did (BENCH_TEN=0 leaves this boot out: it is the long one;
# BENCH_PAY=0 the payload one; with BENCH_ARGS both default to 0).
# BENCH_FULL runs 10M nop tasks for every mode; no_pool runs every count
# there, bounded by max_run_s (reported as dnf with the tasks it did, never
# extrapolated), in boots of their own. Three times the guest died in a long
# boot: once a #GP on a RIP-relative load in busybox sh, twice a double fault
# in kthreadd's slab fast path with a garbage EFLAGS in the frame, both
# 133-235 s into no_pool's 10M from two submitters; that case is cut at
# 100 s, and still reported as dnf. BENCH_SMP=n boots with -smp n and runs
# the ratio modes from n submitters (TCG on this host's cores: only the
# ratios mean something). BENCH_FROM=k runs boots k.. only, appending to the
# console log of an earlier run.
base="pool_idle_ms=1000 reap_wait_ms=$((1000 + reap_ms + 200))"
ratio="modes=ktpool_try,ktpool_anyway,cmwq_unbound,cmwq_sem,cmwq_sem_try"
pay="workloads=sleep payload=4096"
ten="workloads=nop nop_tasks=10000000"
pools_no_np="ktpool_try,ktpool_anyway,ktpool_nowait,cmwq_unbound,cmwq_sem,cmwq_sem_try,cmwq_percpu,kthread_worker,ktpool_group,cmwq_join"
smp=${BENCH_SMP:-2}
timeout=${KTPOOL_TIMEOUT:-1500}
tag=
if [ "${BENCH_LAT:-0}" = 1 ]; then
	[ "${BENCH_FULL:-0}" != 1 ] || die "BENCH_LAT and BENCH_FULL: one at a time"
	# One boot; the guest runs the module once idle (lat_load=0, a
	# quarter of the samples: a baseline), once with a busy user process
	# per CPU (see below). A pool's idle timeout of 300 s, as cmwq's
	# kworkers have: no reaping of the warm-up's threads in the runs.
	parts=("$base pool_idle_ms=300000 latency=1 max_run_s=60")
	timeout=${KTPOOL_TIMEOUT:-1800}
	tag=latency	# bench/results/<kernel>-latency.*
elif [ "${BENCH_FULL:-0}" = 1 ]; then
	full="np_max_tasks=0 max_run_s=300"
	pools="modes=ktpool_try,ktpool_anyway,ktpool_nowait,cmwq_unbound,cmwq_sem,cmwq_sem_try,cmwq_percpu,kthread_worker"
	parts=("$base $full"
	       "$base $pay $ratio"
	       "$base $full $ten submitters=1"
	       "$base $full $ten submitters=2 $pools"
	       "$base np_max_tasks=0 max_run_s=100 $ten submitters=2 modes=no_pool")
	timeout=${KTPOOL_TIMEOUT:-2700}
	tag=full	# bench/results/<kernel>-full.*
else
	one=1
	[ -z "${BENCH_ARGS:-}" ] || one=0
	if [ -n "${BENCH_ARGS:-}" ]; then
		parts=("$base")
	else
		# no_pool (a kthread per task) in a boot of its own, the last:
		# the TCG double fault described above also struck its 10k case
		# once, and took the rest of its boot with it
		parts=("$base modes=$pools_no_np")
	fi
	[ "${BENCH_PAY:-$one}" = 0 ] || parts+=("$base $pay $ratio")
	if [ "${BENCH_TEN:-$one}" != 0 ]; then
		parts+=("$base $ten max_run_s=120 $ratio")
		timeout=${KTPOOL_TIMEOUT:-2700}
	fi
	[ -n "${BENCH_ARGS:-}" ] || parts+=("$base modes=no_pool")
fi
if [ "$smp" != 2 ]; then
	[[ "$smp" =~ ^[1-8]$ ]] || die "BENCH_SMP=$smp: 1..8 (ktpool_bench.ko has 8 submitters at most)"
	[ "${BENCH_FULL:-0}" != 1 ] || die "BENCH_SMP and BENCH_FULL: one at a time"
	for i in "${!parts[@]}"; do
		case ${parts[$i]} in
		*modes=no_pool*) unset "parts[$i]" ;;	# no_pool alone: not a ratio
		*latency=1*) ;;	# one submitter: the latency of a paced one
		*"modes=$pools_no_np"*) parts[i]="${parts[$i]/modes=$pools_no_np/} submitters=$smp $ratio" ;;
		*modes=*) parts[i]="${parts[$i]} submitters=$smp" ;;
		*) parts[i]="${parts[$i]} submitters=$smp $ratio" ;;
		esac
	done
	parts=("${parts[@]}")
	tag=smp$smp${tag:+-$tag}
	export KTPOOL_SMP=$smp	# qemu-run.sh's -smp
fi
[ -z "$tag" ] || export BENCH_TAG=$tag	# bench/results/<kernel>-<tag>.*
logf=$CACHE/logs/bench-$rel${tag:+-$tag}.log
# A tree of its own per tag (not the selftests' either: they may run
# meanwhile): a run of another kind that takes the lock between two boots of
# this one must not rebuild the modules those boots load.
out=$CACHE/build/bench-$rel${tag:+-$tag}
blog=$CACHE/logs/build-bench-$rel${tag:+-$tag}.log
"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 >"$blog" 2>&1 ||
	{ tail -n 30 "$blog"; die "module build failed (log: $blog)"; }

guest=$(mktemp)
trap 'rm -f "$guest" "$logf".part*' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS
from=${BENCH_FROM:-1}
[ "$from" -ge 1 ] && [ "$from" -le "${#parts[@]}" ] ||
	die "BENCH_FROM=$from: this run has boots 1..${#parts[@]}"
[ "$from" -gt 1 ] || : >"$logf"
i=0
for args in "${parts[@]}"; do
	i=$((i + 1))
	[ "$i" -ge "$from" ] || continue
	args="$args ${BENCH_ARGS:-}"	# last, so that they override
	bench="echo \"bench: insmod ktpool_bench.ko $args\"
insmod /modules/ktpool_bench.ko $args || { echo \"KTPOOL-HARNESS: FAIL insmod ktpool_bench\"; exit 1; }
rmmod ktpool_bench"
	if [ "${BENCH_LAT:-0}" = 1 ]; then
		# Idle first (unless BENCH_LAT_IDLE=0), then with one busy user
		# process per CPU (busybox sh, a loop of builtins: no syscalls),
		# started a second before and killed after.
		idle=
		[ "${BENCH_LAT_IDLE:-1}" = 0 ] || idle="echo \"bench: insmod ktpool_bench.ko lat_samples=5000 $args lat_load=0\"
insmod /modules/ktpool_bench.ko lat_samples=5000 $args lat_load=0 || { echo \"KTPOOL-HARNESS: FAIL insmod ktpool_bench\"; exit 1; }
rmmod ktpool_bench"
		bench="$idle
n=\$(grep -c ^processor /proc/cpuinfo)
hogs=
for i in \$(seq \$n); do sh -c 'while :; do :; done' & hogs=\"\$hogs \$!\"; done
sleep 1
echo \"bench: insmod ktpool_bench.ko $args lat_load=\$n\"
insmod /modules/ktpool_bench.ko $args lat_load=\$n || { kill \$hogs; echo \"KTPOOL-HARNESS: FAIL insmod ktpool_bench\"; exit 1; }
kill \$hogs
rmmod ktpool_bench"
	fi
	cat >"$guest" <<GUEST
grep -E '^(MemTotal|KernelStack|Slab):' /proc/meminfo
insmod /modules/ktpool.ko reap_interval_ms=$reap_ms ${BENCH_KTPOOL_ARGS:-} || { echo "KTPOOL-HARNESS: FAIL insmod ktpool"; exit 1; }
$bench
rmmod ktpool
grep -E '^(KernelStack|Slab):' /proc/meminfo
GUEST
	log "bench on $rel, boot $i of ${#parts[@]}: ktpool_bench.ko $args (console: $logf)"
	# tsc=reliable: on a loaded host the clocksource watchdog marks the emulated
	# TSC unstable, and the sched_clock static-key flip that follows (int3 text
	# patching) oopsed 6.12 under TCG in the middle of a run.
	KTPOOL_APPEND="tsc=reliable ${KTPOOL_APPEND:-}" KTPOOL_TIMEOUT=$timeout "$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" \
		"$out/modules" "$guest" "$logf.part$i" >/dev/null || true
	cat "$logf.part$i" >>"$logf"
done
args=$(printf '%s' "${parts[0]}"; [ ${#parts[@]} -lt 2 ] || printf '; %s' "${parts[@]:1}"
	printf '%s' "${BENCH_ARGS:+; each with $BENCH_ARGS}")
if [ "${BENCH_LAT:-0}" = 1 ]; then
	[ "${BENCH_LAT_IDLE:-1}" = 0 ] || args="$args; first idle (lat_samples=5000 lat_load=0)"
	args="$args; then with a busy user process per CPU (lat_load=$smp)"
fi
took=$((SECONDS - start))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
log "QEMU run took $took s (host load average $load0 before, $load1 after)"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
qv=$(qemu-system-x86_64 --version | head -n1)
machine="QEMU TCG (no KVM), -smp $smp -m 2048, on $(nproc) host cores ($cpu); $qv;"
machine="$machine stock Debian $rel; ktpool of $(date -u +%Y-%m-%d);"
machine="$machine ${BENCH_KTPOOL_ARGS:+ktpool.ko $BENCH_KTPOOL_ARGS; }ktpool_bench.ko $args; run took $took s; host load average $load0 before,"
machine="$machine $load1 after (above 2, other jobs shared the host cores and the numbers"
machine="$machine are disturbed). Absolute times are emulated: only ratios carry."
mkdir -p "$KTPOOL_ROOT/out" && cp "$logf" "$KTPOOL_ROOT/out/"
python3 "$KTPOOL_ROOT/bench/report.py" "$logf" "$KTPOOL_ROOT/bench/results" \
	"$KTPOOL_ROOT/bench/README.md" "$machine"
