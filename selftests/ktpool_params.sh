#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module parameters of ktpool: load-time values, live writes that stick and
# reach the default pool, bad writes that fail with EINVAL and change
# nothing, and reap_interval_ms re-timing a reaper queued for later.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 18

check "insmod with capacity=0 is refused" eval '! insmod $MODDIR/ktpool.ko capacity=0 2>/dev/null'
check "insmod with good params" insmod $MODDIR/ktpool.ko capacity=8 idle_timeout_ms=5000 reap_interval_ms=200
check "load-time params read back" eq "$(cat $KP/capacity) $(cat $KP/idle_timeout_ms) $(cat $KP/reap_interval_ms)" "8 5000 200"
check "client module links against the exports" insmod $MODDIR/ktpool_test_client.ko
check "default pool has the load-time capacity" eq "$(pstat capacity) $(pstat idle_timeout_ms)" "8 5000"

bad_ok=1
for p in capacity idle_timeout_ms reap_interval_ms spin_us stall_warn_ms max_waiters; do
	for v in -1 -5 abc x "" 12abc 99999999999 99999999999999999999 1e3; do
		before=$(cat $KP/$p)
		einval $KP/$p "$v" || bad_ok=0
		[ "$(cat $KP/$p)" = "$before" ] || { ktap_print_msg "$p changed by '$v'"; bad_ok=0; }
	done
done
check "non-numeric, negative, empty and overflowing writes fail with EINVAL, nothing changes" [ $bad_ok = 1 ]

range_ok=1
for pv in capacity=0 capacity=4097 idle_timeout_ms=3600001 reap_interval_ms=0 reap_interval_ms=60001 \
	spin_us=1001 stall_warn_ms=3600001; do
	p=${pv%%=*}
	before=$(cat $KP/$p)
	einval $KP/$p "${pv#*=}" || range_ok=0
	[ "$(cat $KP/$p)" = "$before" ] || range_ok=0
done
check "out-of-range writes fail with EINVAL, nothing changes" [ $range_ok = 1 ]
check "the default pool is unchanged by bad writes" eq "$(pstat capacity) $(pstat idle_timeout_ms)" "8 5000"

check "capacity=4096 sticks and reaches the default pool" eval 'echo 4096 >$KP/capacity && eq "$(cat $KP/capacity) $(pstat capacity)" "4096 4096"'
check "capacity=1 sticks and reaches the default pool" eval 'echo 1 >$KP/capacity && eq "$(pstat capacity)" 1'
check "idle_timeout_ms=1234 sticks and reaches the default pool" \
	eval 'echo 1234 >$KP/idle_timeout_ms && eq "$(cat $KP/idle_timeout_ms) $(pstat idle_timeout_ms)" "1234 1234"'
check "idle_timeout_ms=0 (never reap) sticks" eval 'echo 0 >$KP/idle_timeout_ms && eq "$(cat $KP/idle_timeout_ms) $(pstat idle_timeout_ms)" "0 0"'
check "reap_interval_ms=60000 sticks" eval 'echo 60000 >$KP/reap_interval_ms && eq "$(cat $KP/reap_interval_ms)" 60000'
check "spin_us=1000 and stall_warn_ms=3600000 stick, and 0 again" \
	eval 'echo 1000 >$KP/spin_us && echo 3600000 >$KP/stall_warn_ms &&
	      eq "$(cat $KP/spin_us) $(cat $KP/stall_warn_ms)" "1000 3600000" &&
	      echo 0 >$KP/spin_us && echo 0 >$KP/stall_warn_ms && eq "$(cat $KP/spin_us) $(cat $KP/stall_warn_ms)" "0 0"'
check "max_waiters defaults to 0 (no bound); 7 and 4294967295 stick, 4294967296 fails" \
	eval 'eq "$(cat $KP/max_waiters)" 0 && echo 7 >$KP/max_waiters && eq "$(cat $KP/max_waiters)" 7 &&
	      echo 4294967295 >$KP/max_waiters && einval $KP/max_waiters 4294967296 &&
	      eq "$(cat $KP/max_waiters)" 4294967295 && echo 0 >$KP/max_waiters'
check "insmod with max_waiters=3 reads back" \
	eval 'rmmod ktpool_test_client && rmmod ktpool && insmod $MODDIR/ktpool.ko max_waiters=3 &&
	      insmod $MODDIR/ktpool_test_client.ko && eq "$(cat $KP/max_waiters)" 3'

# A worker that goes idle queues its pool's reaper reap_interval_ms out, a
# minute here: it stays past its 100 ms timeout until a new interval
# re-times the reaper, at once. Without that it would go a minute after
# the burst: the guard ends 50 s of uptime after it (a deadline, since a
# count of polls takes any time on a slow guest).
uptime_s() { cut -d. -f1 /proc/uptime; }
rmmod ktpool_test_client
rmmod ktpool
insmod $MODDIR/ktpool.ko idle_timeout_ms=100 reap_interval_ms=60000 ||
	ktap_exit_fail_msg "insmod ktpool reap_interval_ms=60000"
insmod $MODDIR/ktpool_test_client.ko task_ms=10 || ktap_exit_fail_msg "insmod client"
t0=$(uptime_s)
echo 1 >$CP/burst
wait_for 5 eval '[ "$(cat $CP/done) $(pstat idle)" = "1 1" ]'
sleep 1
check "reap_interval_ms=60000: a worker idle past its timeout is not reaped yet" \
	eq "$(threads ktpool/default) $(pstat reaped)" "1 0"
echo 20 >$KP/reap_interval_ms
while [ "$(threads ktpool/default)" != 0 ] && [ "$(uptime_s)" -lt $((t0 + 50)) ]; do
	sleep 0.1
done
check "a write of reap_interval_ms re-times the queued reaper: the worker is reaped" \
	eq "$(threads ktpool/default) $(pstat reaped)" "0 1"

rmmod ktpool_test_client
rmmod ktpool
ktap_finished
