#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module parameters of ktpool: load-time values, live writes that stick,
# and bad writes that fail with EINVAL and change nothing.
. "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 14

check "insmod with capacity=0 is refused" eval '! insmod $MODDIR/ktpool.ko capacity=0 2>/dev/null'
check "insmod with good params" insmod $MODDIR/ktpool.ko capacity=8 idle_timeout_ms=5000 reap_interval_ms=200
check "load-time params read back" eq "$(cat $KP/capacity) $(cat $KP/idle_timeout_ms) $(cat $KP/reap_interval_ms)" "8 5000 200"
check "client module links against the exports" insmod $MODDIR/ktpool_test_client.ko
check "default pool has the load-time capacity" eq "$(pstat capacity) $(pstat idle_timeout_ms)" "8 5000"

bad_ok=1
for p in capacity idle_timeout_ms reap_interval_ms spin_us stall_warn_ms max_waiters; do
	for v in -1 abc "" 12abc 99999999999 1e3; do
		before=$(cat $KP/$p)
		if echo "$v" >$KP/$p 2>/dev/null; then
			ktap_print_msg "$p='$v' was accepted"
			bad_ok=0
		fi
		[ "$(cat $KP/$p)" = "$before" ] || { ktap_print_msg "$p changed by '$v'"; bad_ok=0; }
	done
done
check "non-numeric, negative, empty and overflowing writes fail, nothing changes" [ $bad_ok = 1 ]

range_ok=1
for pv in capacity=0 capacity=4097 idle_timeout_ms=3600001 reap_interval_ms=0 reap_interval_ms=60001 spin_us=1001; do
	p=${pv%%=*}
	before=$(cat $KP/$p)
	echo "${pv#*=}" >$KP/$p 2>/dev/null && { ktap_print_msg "$pv accepted"; range_ok=0; }
	[ "$(cat $KP/$p)" = "$before" ] || range_ok=0
done
check "out-of-range writes fail, nothing changes" [ $range_ok = 1 ]
check "the default pool is unchanged by bad writes" eq "$(pstat capacity) $(pstat idle_timeout_ms)" "8 5000"

check "capacity=4096 sticks and reaches the default pool" eval 'echo 4096 >$KP/capacity && eq "$(cat $KP/capacity) $(pstat capacity)" "4096 4096"'
check "capacity=1 sticks and reaches the default pool" eval 'echo 1 >$KP/capacity && eq "$(pstat capacity)" 1'
check "idle_timeout_ms=0 (never reap) sticks" eval 'echo 0 >$KP/idle_timeout_ms && eq "$(cat $KP/idle_timeout_ms) $(pstat idle_timeout_ms)" "0 0"'
check "reap_interval_ms=60000 sticks" eval 'echo 60000 >$KP/reap_interval_ms && eq "$(cat $KP/reap_interval_ms)" 60000'
check "max_waiters defaults to 0 (no bound); 7 and 4294967295 stick, 4294967296 fails" \
	eval 'eq "$(cat $KP/max_waiters)" 0 && echo 7 >$KP/max_waiters && eq "$(cat $KP/max_waiters)" 7 &&
	      echo 4294967295 >$KP/max_waiters && ! echo 4294967296 >$KP/max_waiters 2>/dev/null &&
	      eq "$(cat $KP/max_waiters)" 4294967295 && echo 0 >$KP/max_waiters'
check "insmod with max_waiters=3 reads back" \
	eval 'rmmod ktpool_test_client && rmmod ktpool && insmod $MODDIR/ktpool.ko max_waiters=3 &&
	      insmod $MODDIR/ktpool_test_client.ko && eq "$(cat $KP/max_waiters)" 3'

rmmod ktpool_test_client
rmmod ktpool
ktap_finished
