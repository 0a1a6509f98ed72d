#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unload safety: rmmod of a client while its tasks are pending or running
# (UNLOAD_TRIES, default 100), and load/unload cycles of ktpool with tasks in flight at each
# client unload (UNLOAD_CYCLES, default 50; 20 on the slow debug kernel; each
# cycle is a full load, submit, unload; kmemleak on the debug kernel and the
# Slab check here catch a leak, and 50 cycles are enough for either):
# no oops, no thread or slab left.
. "$(dirname "$0")/lib.sh"

[ -n "${KTPOOL_DEBUG_KERNEL:-}" ] && cycles=${UNLOAD_CYCLES:-20}
cycles=${cycles:-${UNLOAD_CYCLES:-50}}
tries=${UNLOAD_TRIES:-100}
ktap_print_header
ktap_set_plan 6

slab() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# unload MODULE: retry rmmod until it succeeds (5 s at most on a fast
# machine, KTPOOL_SLACK times that as the guard); counts refusals
refused=0
unload() {
	for i in $(seq $((500 * ${KTPOOL_SLACK:-10}))); do
		rmmod "$1" 2>/dev/null && return 0
		refused=$((refused + 1))
		sleep 0.01
	done
	return 1
}

insmod $MODDIR/ktpool.ko capacity=4 || ktap_exit_fail_msg "insmod ktpool"
ok=0
held=0
for try in $(seq "$tries"); do
	insmod $MODDIR/ktpool_test_client.ko task_ms=$((try % 7 * 10)) || break
	if [ $((try % 10)) = 0 ]; then
		# every tenth: tasks held running (not a race the shell must
		# win): rmmod must be refused, not unload code in use
		echo 1 >$CP/hold
		echo 6 >$CP/burst
		wait_for 5 eval '[ "$(pstat busy)" -ge 1 ]'
		rmmod ktpool_test_client 2>/dev/null || held=$((held + 1))
		[ -e $CP/hold ] && echo 0 >$CP/hold
	else
		echo 6 >$CP/burst
		[ $((try % 3)) = 0 ] && sleep 0.02
	fi
	unload ktpool_test_client || break
	ok=$((ok + 1))
done
ktap_print_msg "rmmod refused $refused times while tasks were in flight"
check "$tries client unloads with tasks pending or running" eq $ok "$tries"
check "rmmod was refused while tasks ran (EBUSY, not an oops)" eq $held $((tries / 10))
rmmod ktpool
check "no ktpool thread left" eq "$(threads ktpool/default)" 0

sync
echo 3 >/proc/sys/vm/drop_caches
before=$(slab)
done_cycles=0
for c in $(seq "$cycles"); do
	insmod $MODDIR/ktpool.ko capacity=2 idle_timeout_ms=1 reap_interval_ms=1 || break
	insmod $MODDIR/ktpool_test_client.ko task_ms=$((c % 3)) || break
	echo 3 >$CP/burst
	unload ktpool_test_client || break
	rmmod ktpool || break
	done_cycles=$c
done
# objects freed after an RCU grace period come back late on a slow guest
slab_back() {
	echo 3 >/proc/sys/vm/drop_caches
	after=$(slab)
	[ $((after - before)) -le 1024 ]
}
wait_for 2 slab_back
ktap_print_msg "$done_cycles cycles; Slab $before kB -> $after kB"
check "$cycles load/unload cycles of ktpool with a client" eq $done_cycles "$cycles"
check "no ktpool thread and no ktpool module left" \
	eval '[ "$(threads ktpool/default)" = 0 ] && ! grep -q "^ktpool" /proc/modules'
check "Slab back to its starting level (within 1 MiB)" slab_back
ktap_finished
