#!/usr/bin/env bash
# latency-rt.sh [rev...]: the worst wake-up latency that ktpool's long walks
# under its pool lock (a raw spinlock, interrupts off) cause on the stock
# 6.1 PREEMPT_RT kernel, in QEMU. Not part of make check.
#
# The guest has one CPU and runs with -icount (its clock advances with the
# instructions it executes, 2 ns each): the host's own load, which on TCG
# otherwise shows as guest latencies of 100 ms and more, does not reach the
# guest's clock. On one CPU the timer interrupt cannot run while ktpool
# holds its lock with interrupts off, so timerlat's IRQ latency is the
# rest of that section. LATENCY_ICOUNT=0 boots as the selftests do (TCG,
# -smp 2, the host's clock) instead.
#
# For each rev (default: the working tree, "."), kmod/ and include/ are
# taken from that git rev (bench/ktpool_latload.ko always from the working
# tree), built against the 6.1-rt headers, and booted LATENCY_BOOTS times
# (default 2), the revs alternating boot by boot. In each boot the guest runs
# the timerlat tracer (Debian's rt kernel has no irqsoff tracer) during:
#   idle      3 s of nothing: the guest's own noise, for comparison
#   destroy   ktpool_destroy() of a capacity-1 pool whose one task is gated,
#             with 2,000 submitters blocked on it (max_waiters 0)
#   debugfs   a read of debugfs/ktpool/<pool>/workers, 4,096 lines
#   shrink    ktpool_set_capacity() from 4,096 idle workers to 1, until the
#             reaper has stopped the 4,095 surplus ones
# and prints, per window, the maximum timerlat IRQ latency (how late the
# timer interrupt ran: interrupts off) and thread latency (how late the
# timerlat thread ran), in us, with the number of samples.
# Output: one "LAT rev=... boot=... op=... irq_max_us=... thread_max_us=..."
# line per window, also in $CACHE/logs/latency-rt.txt.
# Env: LATENCY_BOOTS, LATENCY_ICOUNT, KTPOOL_TIMEOUT (seconds per boot), LATENCY_WAITERS
# (2000), LATENCY_IDLE (4096).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ktpool_lock

revs=${*:-.}
boots=${LATENCY_BOOTS:-2}
rel=$(ktpool_krel 6.1-rt)
kdir=/lib/modules/$rel/build
sum=$CACHE/logs/latency-rt.txt
: >"$sum"

for rev in $revs; do
	out=$CACHE/build/latency-$rel-${rev//\//_}
	ktpool_copy_tree "$out/tree"
	if [ "$rev" != . ]; then
		rm -rf "$out/tree/kmod" "$out/tree/include"
		git -C "$KTPOOL_ROOT" archive "$rev" kmod include | tar -C "$out/tree" -xf -
	fi
	rm -rf "$out/modules" && mkdir -p "$out/modules"
	log "building kmod of $rev and bench/ against $kdir"
	make -C "$kdir" M="$out/tree" -j"$(nproc)" modules >"$CACHE/logs/latency-build-${rev//\//_}.log" 2>&1 ||
		{ tail -n 30 "$CACHE/logs/latency-build-${rev//\//_}.log"; die "build of $rev failed"; }
	cp "$out/tree/kmod/ktpool.ko" "$out/tree/bench/ktpool_latload.ko" "$out/modules/"
done

guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<GUEST
waiters=${LATENCY_WAITERS:-2000}
idle=${LATENCY_IDLE:-4096}
GUEST
cat >>"$guest" <<'GUEST'
T=/sys/kernel/tracing
P=/sys/module/ktpool_latload/parameters
insmod /modules/ktpool.ko || exit 1
insmod /modules/ktpool_latload.ko || exit 1
echo 8192 >$T/buffer_size_kb
echo 1000 >$T/osnoise/timerlat_period_us
# measure <op> <command>: timerlat runs while the command does
measure() {
	echo timerlat >$T/current_tracer
	echo 1 >$T/tracing_on
	sleep 1
	echo >$T/trace
	eval "$2"
	echo 0 >$T/tracing_on
	awk -v op="$1" '
		/context/ && /timer_latency/ {
			for (i = 1; i < NF; i++) if ($i == "timer_latency") v = $(i + 1)
			if ($0 ~ /context +irq/) { n_i++; if (v > m_i) m_i = v }
			else { n_t++; if (v > m_t) m_t = v }
		}
		/LOST/ { lost = 1 }
		END {
			printf "LAT op=%s irq_max_us=%d thread_max_us=%d irq_samples=%d thread_samples=%d%s\n",
				op, m_i / 1000, m_t / 1000, n_i, n_t, lost ? " lost_events" : ""
		}' $T/trace
	echo nop >$T/current_tracer
}
measure idle "sleep 3"
echo $waiters >$P/waiters || exit 1
measure destroy "echo 1 >$P/destroy"
echo "LAT-RESULT destroy $(cat $P/result)"
echo $idle >$P/idle || exit 1
measure debugfs "cat /sys/kernel/debug/ktpool/lats/workers >/dev/null"
measure shrink "echo 1 >$P/shrink"
echo "LAT-RESULT shrink $(cat $P/result)"
rmmod ktpool_latload && rmmod ktpool
GUEST

icount=(env)
[ "${LATENCY_ICOUNT:-1}" = 0 ] ||
	icount=(env KTPOOL_SMP=1 KTPOOL_QEMU_ARGS="-icount shift=1,sleep=off")
for b in $(seq 1 "$boots"); do
	for rev in $revs; do
		out=$CACHE/build/latency-$rel-${rev//\//_}
		logf=$CACHE/logs/latency-rt-${rev//\//_}-$b.log
		KTPOOL_QUIET=1 "${icount[@]}" "$KTPOOL_ROOT/scripts/qemu-run.sh" "/boot/vmlinuz-$rel" \
			"$out/modules" "$guest" "$logf" >/dev/null || log "boot $b of $rev failed (log: $logf)"
		sed -n 's/^LAT\(-RESULT\)\{0,1\} /&/p' "$logf" |
			sed "s/^LAT /LAT rev=$rev boot=$b /; s/^LAT-RESULT /LAT-RESULT rev=$rev boot=$b /" |
			tee -a "$sum"
	done
done
