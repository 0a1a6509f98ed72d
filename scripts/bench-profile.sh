#!/usr/bin/env bash
# bench-profile.sh: where a benchmark mode waits. Boots a stock kernel in QEMU
# (TCG, -smp BENCH_SMP, default 4), and runs ktpool_bench.ko once per mode
# with a histogram of spinlock contention (the lock:contention_begin
# tracepoint, keyed by call stack), of every entry to the spinlock slow path
# (a kprobe, keyed by call stack), and of context switches (sched_switch,
# keyed by the task switched out), cleared before each mode. The top entries
# of each go to bench/results/<kernel>-smp<n>-profile.txt.
# Env: BENCH_KERNEL 6.1|6.12 (default 6.12); BENCH_SMP (default 4);
# PROFILE_MODES (default ktpool_try,ktpool_anyway,cmwq_unbound,cmwq_sem);
# PROFILE_ARGS (ktpool_bench.ko params, default 1M nop tasks, one rep, one
# submitter per CPU); KTPOOL_TIMEOUT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${BENCH_KERNEL:-6.12}
rel=$(ktpool_krel "$series")
smp=${BENCH_SMP:-4}
[[ "$smp" =~ ^[1-8]$ ]] || die "BENCH_SMP=$smp: 1..8"
modes=${PROFILE_MODES:-ktpool_try,ktpool_anyway,cmwq_unbound,cmwq_sem}
args=${PROFILE_ARGS:-workloads=nop nop_tasks=1000000 reps=1 submitters=$smp}
out=$CACHE/build/bench-$rel
blog=$CACHE/logs/build-bench-$rel.log
logf=$CACHE/logs/bench-profile-$rel-smp$smp.log
res=$KTPOOL_ROOT/bench/results/$rel-smp$smp-profile.txt

"$KTPOOL_ROOT/scripts/build-modules.sh" "/lib/modules/$rel/build" "$out" W=1 >"$blog" 2>&1 ||
	{ tail -n 30 "$blog"; die "module build failed (log: $blog)"; }

guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<GUEST
T=/sys/kernel/tracing
insmod /modules/ktpool.ko || { echo "KTPOOL-HARNESS: FAIL insmod ktpool"; exit 1; }
# the stack key is common_stacktrace since 6.5, stacktrace before
key=common_stacktrace
H="vals=hitcount:sort=hitcount.descending:size=4096"
if echo "hist:keys=\$key:\$H" >\$T/events/lock/contention_begin/trigger 2>/dev/null; then
	echo "!hist:keys=\$key:\$H" >\$T/events/lock/contention_begin/trigger
else
	key=stacktrace
fi
# Every entry to the spinlock slow path, two-way contention included
# (lock:contention_begin only fires once a CPU queues behind a spinning one):
# a kprobe defined on the command line (kprobe_event=), if the kernel has it.
Q=\$T/events/kprobes/qslow
for m in $(echo "$modes" | tr , ' '); do
	echo "hist:keys=\$key:\$H" \
		>\$T/events/lock/contention_begin/trigger
	if [ -d \$Q ]; then echo "hist:keys=\$key:\$H" >\$Q/trigger; fi
	echo "hist:keys=prev_comm:vals=hitcount:sort=hitcount.descending" \
		>\$T/events/sched/sched_switch/trigger
	insmod /modules/ktpool_bench.ko modes=\$m $args
	rmmod ktpool_bench
	echo "PROFILE-BEGIN \$m"
	echo "## spinlock contention (lock:contention_begin), by call stack"
	head -n 120 \$T/events/lock/contention_begin/hist
	if [ -d \$Q ]; then
		echo "## spinlock slow path (kprobe on native_queued_spin_lock_slowpath), by call stack"
		head -n 120 \$Q/hist
		echo "!hist:keys=\$key:\$H" >\$Q/trigger
	else
		echo "## spinlock slow path: no kprobe (native_queued_spin_lock_slowpath not found)"
	fi
	echo "## context switches (sched_switch), by the task switched out"
	head -n 30 \$T/events/sched/sched_switch/hist
	echo "PROFILE-END \$m"
	echo "!hist:keys=\$key:\$H" \
		>\$T/events/lock/contention_begin/trigger
	echo "!hist:keys=prev_comm:vals=hitcount:sort=hitcount.descending" \
		>\$T/events/sched/sched_switch/trigger
done
rmmod ktpool
GUEST
log "profile on $rel, -smp $smp: modes $modes, ktpool_bench.ko $args (console: $logf)"
# The two events are enabled from the command line, before the other CPUs
# come up: switching a tracepoint on later patches kernel text with int3,
# which oopsed a -smp 4 TCG guest (in ttwu_do_activate()). The hist triggers
# added later only change what an enabled event does.
# The kprobe is defined (and enabled) on the command line too, for the same
# reason; the kernel places it at the fs initcalls, while the other CPUs idle.
ev="trace_event=lock:contention_begin,sched:sched_switch trace_buf_size=64K"
ev="$ev kprobe_event=p:kprobes/qslow,native_queued_spin_lock_slowpath"
KTPOOL_SMP=$smp KTPOOL_APPEND="tsc=reliable $ev ${KTPOOL_APPEND:-}" \
	"$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" "$out/modules" "$guest" "$logf" >/dev/null ||
	die "the profile boot failed (console: $logf)"

{
	echo "# ktpool of $(date -u +%Y-%m-%d), stock Debian $rel, QEMU TCG -smp $smp on $(nproc) host cores"
	echo "# ktpool_bench.ko $args; one boot, the histograms cleared before each mode."
	echo "# RESULT lines: see bench/ktpool_bench.c (bench_report())."
	grep -E 'ktpool_bench: RESULT,' "$logf" | sed 's/^\[[ 0-9.]*\] //'
	sed -n '/^PROFILE-BEGIN/,/^PROFILE-END/p' "$logf"
} >"$res"
log "wrote $res"
