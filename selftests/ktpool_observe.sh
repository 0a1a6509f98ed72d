#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Observability: the ktpool tracepoints, the debugfs files and the stall
# warning, on the default pool driven by the client module.
. "$(dirname "$0")/lib.sh"

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
D=/sys/kernel/debug/ktpool/default

ktap_print_header
ktap_set_plan 12

insmod $MODDIR/ktpool.ko capacity=2 idle_timeout_ms=300 reap_interval_ms=50 ||
	ktap_exit_fail_msg "insmod ktpool"
insmod $MODDIR/ktpool_test_client.ko task_ms=100 || ktap_exit_fail_msg "insmod client"

check "the six ktpool events exist in tracefs" eval 'for e in ktpool_submit ktpool_execute_start ktpool_execute_end ktpool_worker_spawn ktpool_worker_reap ktpool_resize; do [ -d $T/events/ktpool/$e ] || exit 1; done'
echo >$T/trace
echo 1 >$T/events/ktpool/enable
# held tasks: two workers busy, the burst's third submit blocks
echo 1 >$CP/hold
echo 4 >$CP/burst
wait_for 5 eval 'grep -qx "waiters 1" $D/stats'
echo 0 >$CP/hold
wait_for 5 eval '[ "$(cat $CP/done)" = 4 ]'
echo 3 >$KP/capacity
wait_for 5 eval '[ "$(threads ktpool/default)" = 0 ]'
echo 0 >$T/events/ktpool/enable
cat $T/trace >/tmp/trace.txt

check "submit events: anyway dispatched and blocked, with the function" \
	eval 'grep -q "ktpool_submit: pool=default fn=client_task \[ktpool_test_client\] mode=anyway outcome=dispatched ret=0" /tmp/trace.txt &&
	      grep -q "ktpool_submit: pool=default fn=client_task.*mode=anyway outcome=blocked" /tmp/trace.txt'
check "execute start and end, one each per task" \
	eval '[ $(grep -c "ktpool_execute_start: pool=default fn=client_task" /tmp/trace.txt) = 4 ] &&
	      [ $(grep -c "ktpool_execute_end: pool=default fn=client_task" /tmp/trace.txt) = 4 ]'
# two spawns at least (both workers were held); a slow machine may reap
# one between the burst's submits and spawn again: one reap per spawn
check "worker spawn and idle reap events" \
	eval 'sp=$(grep -c "ktpool_worker_spawn: pool=default pid=[0-9]* threads=" /tmp/trace.txt) &&
	      [ "$sp" -ge 2 ] && [ "$sp" = $(grep -c "ktpool_worker_reap: pool=default pid=[0-9]* reason=idle" /tmp/trace.txt) ]'
check "resize event" grep -q "ktpool_resize: pool=default capacity=2->3 threads=" /tmp/trace.txt

check "debugfs stats and workers are root-only files" \
	eval '[ "$(stat -c %a $D/stats) $(stat -c %a $D/workers)" = "400 400" ]'
check "debugfs stats has every field, matching the pool" \
	eval '[ $(wc -l <$D/stats) = 22 ] && grep -qx "capacity 3" $D/stats && grep -qx "timed_out 0" $D/stats && grep -qx "waiters_refused 0" $D/stats && grep -qx "cancelled 0" $D/stats && grep -qx "submitted 4" $D/stats && grep -qx "completed 4" $D/stats'
echo 1 >$CP/hold
echo 1 >$CP/burst
wait_for 5 eval 'grep -q " busy " $D/workers'
check "debugfs workers lists the busy worker by pid" \
	eval 'pid=$(sed -n "s/ busy .*//p" $D/workers); [ "$(cat /proc/$pid/comm)" = ktpool/default ]'
check "no kernel pointer in debugfs or the trace" eval '! grep -qiE "0x[0-9a-f]{8}|[0-9a-f]{16}" $D/stats $D/workers /tmp/trace.txt'
echo 0 >$CP/hold
wait_for 5 eval '[ "$(cat $CP/done)" = 5 ]'

# a task held until its stall warning is out, then a while longer
dmesg -c >/dev/null
echo 200 >$KP/stall_warn_ms
echo 1 >$CP/hold
echo 1 >$CP/burst
wait_for 5 eval 'dmesg | grep -q "stall: pool default"'
sleep 0.5
echo 0 >$CP/hold
wait_for 5 eval '[ "$(cat $CP/done)" = 6 ]'
dmesg >/tmp/dmesg.txt
check "a long task gets exactly one stall warning naming pool and function" \
	eval '[ $(grep -c "stall: pool default: task client_task \[ktpool_test_client\] has run for" /tmp/dmesg.txt) = 1 ]'
check "the stall warning shows the worker's stack" eval 'grep -A30 "stall: pool default" /tmp/dmesg.txt | grep -q "ktpool/default"'
echo 0 >$KP/stall_warn_ms

rmmod ktpool_test_client
rmmod ktpool
check "debugfs files are removed at unload" eval '[ ! -e /sys/kernel/debug/ktpool ]'
ktap_finished
